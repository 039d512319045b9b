"""Staff free text has a length limit in the core: what is stored, shown and mailed is bounded."""

from rdec_portal.accounts.forms import ApiTokenCreateForm
from rdec_portal.workflow.notifications import BODY_MAX, notify


def test_a_notification_body_is_cut_to_its_limit(staff_a):
    notification = notify(recipient=staff_a, title="提醒", body="備註" * 1_000_000)
    notification.refresh_from_db()
    assert len(notification.body) == BODY_MAX
    assert notification.body.endswith("…")


def test_a_short_notification_body_is_kept_whole(staff_a):
    notification = notify(recipient=staff_a, title="提醒", body="案件即將逾期")
    assert notification.body == "案件即將逾期"


def test_a_token_name_has_a_limit():
    assert not ApiTokenCreateForm({"name": "x" * 101}).is_valid()
