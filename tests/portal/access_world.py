"""The core's fixture world for the access-control matrix (tests/security).

`build(w)` adds the core's objects that the URLs of `access.toml` name: a notification and an API
token of `w.staff_a`, a monthly figure of `w.agency_a`, and what the admin's and the password
reset's URLs need. The interface every app's world follows: tests/security/README.md,
"Access-control matrix".
"""

from datetime import date
from types import SimpleNamespace

from django.contrib.contenttypes.models import ContentType
from django.utils.http import urlsafe_base64_encode

from rdec_portal.accounts.models import ApiToken
from rdec_portal.accounts.roles import Line
from rdec_portal.performance.models import MonthlyMetric
from rdec_portal.workflow.models import Notification


def build(w: SimpleNamespace) -> None:
    """Add the core's objects of `w.agency_a` and its staff member `w.staff_a` to the world."""
    staff_a = w.staff_a
    w.notification_a = Notification.objects.create(recipient=staff_a, title="新案件", url="/staff/")
    key = ApiToken.generate_key()
    w.token_a = ApiToken.objects.create(
        user=staff_a,
        name="script",
        prefix=key[: ApiToken.PREFIX_LENGTH],
        key_hash=ApiToken.hash_key(key),
    )
    w.metric_a = MonthlyMetric.objects.create(
        month=date(2026, 10, 1),
        agency=w.agency_a,
        line=Line.SERVICE_CENTER,
        code="accounts.active_staff",
        value=10,
        numerator=10,
    )
    w.uidb64 = urlsafe_base64_encode(str(staff_a.pk).encode())
    w.user_content_type = ContentType.objects.get_for_model(staff_a)
