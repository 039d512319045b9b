"""The link in a follower's emails: derived from the follower, not stored (only its hash is)."""

import hashlib
from datetime import datetime

from django.conf import settings
from django.utils.crypto import salted_hmac

from service_center.nearby.models import PetitionFollower

_TOKEN_SALT = "service_center.follower.token"  # noqa: S105 - an HMAC salt, not a password


def derive_token(petition_id: int, email: str, created_at: datetime, key: str) -> str:
    # Derived, not stored: every later email can carry the same link, and a stolen copy of the
    # database alone cannot produce it. A new "me too" after stopping gets a new link.
    value = f"{petition_id}:{email}:{created_at.isoformat()}"
    return salted_hmac(_TOKEN_SALT, value, secret=key, algorithm="sha256").hexdigest()


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def follower_token(follower: PetitionFollower) -> str | None:
    """The follower's link token (None without an address).

    After a SECRET_KEY rotation the token made with the old key (still in the fallbacks) is
    kept while it lasts; once that key is gone the link is made anew with the current one.
    """
    if not follower.email:
        return None
    keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    args = (follower.petition_id, follower.email, follower.created_at)
    for key in keys:
        token = derive_token(*args, key)
        if hash_token(token) == follower.token_hash:
            return token
    token = derive_token(*args, settings.SECRET_KEY)
    PetitionFollower.objects.filter(pk=follower.pk).update(token_hash=hash_token(token))
    return token
