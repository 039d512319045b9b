"""The signed link in a web petition's confirmation email.

Its own module so that the emails (which write the link) and the services (which check it) both
depend on it, and not on each other.
"""

from datetime import timedelta

from django.core import signing

CONFIRM_MAX_AGE = timedelta(days=3)
_CONFIRM_SALT = "service_center.petition.confirm"


def confirmation_signer() -> signing.TimestampSigner:
    return signing.TimestampSigner(salt=_CONFIRM_SALT)


def confirmation_token(petition) -> str:
    return confirmation_signer().sign(str(petition.pk))
