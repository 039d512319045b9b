import re

import pytest
from django.core import mail
from django.urls import reverse

from rdec_portal.workflow.models import AuditEntry, OutboxMessage
from tests.accounts.factories import UserFactory

CHANGE = reverse("accounts:password_change")
RESET = reverse("accounts:password_reset")
NEW_PASSWORD = "a-much-longer-new-secret-42"


def _change(client, old, new1, new2=None):
    data = {"old_password": old, "new_password1": new1, "new_password2": new2 or new1}
    return client.post(CHANGE, data)


def test_change_needs_login(client, db):
    response = client.get(CHANGE)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_change_password_keeps_the_session_and_is_audited(client, staff_a, password):
    client.force_login(staff_a)
    response = _change(client, password, NEW_PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_change_done")
    staff_a.refresh_from_db()
    assert staff_a.check_password(NEW_PASSWORD)
    # Still logged in on this browser after the change.
    assert client.get(reverse("accounts:password_change_done")).status_code == 200
    entry = AuditEntry.objects.filter(action=AuditEntry.Action.UPDATE).get()
    assert entry.actor == staff_a
    assert entry.object_id == str(staff_a.pk)
    assert entry.changes == {"password": ["[redacted]", "[redacted]"]}


@pytest.mark.parametrize(
    ("old", "new1", "new2", "field"),
    [
        ("wrong-old-password", NEW_PASSWORD, NEW_PASSWORD, "old_password"),
        ("PASSWORD", NEW_PASSWORD, "a-different-new-secret-43", "new_password2"),
        ("PASSWORD", "short", "short", "new_password2"),
        ("PASSWORD", "12345678901234", "12345678901234", "new_password2"),
        ("", "", "", "old_password"),
    ],
    ids=["wrong-old", "mismatch", "too-short", "numeric", "empty"],
)
def test_bad_password_change_says_why_and_changes_nothing(
    client, staff_a, password, old, new1, new2, field
):
    client.force_login(staff_a)
    response = _change(client, password if old == "PASSWORD" else old, new1, new2)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    staff_a.refresh_from_db()
    assert staff_a.check_password(password)
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.UPDATE).exists()


def test_change_page_links_back_to_my_account(client, staff_a):
    client.force_login(staff_a)
    body = client.get(CHANGE).content.decode()
    assert 'id="password-change-form"' in body
    assert reverse("accounts:profile") in body


def _request_reset(client, email, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(RESET, {"email": email})


def test_reset_for_a_known_email_sends_one_link(
    client, staff_a, settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://portal.example.gov.tw"
    response = _request_reset(client, staff_a.email, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_reset_done")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [staff_a.email]
    assert "\n" not in message.subject
    assert "https://portal.example.gov.tw/accounts/password/reset/" in message.body
    assert "staff_a" in message.body
    # Sent through the outbox, so a mail server outage delays it rather than failing the page.
    assert OutboxMessage.objects.filter(handler="workflow.send_email").count() == 1


def test_reset_email_is_in_chinese_first_then_english(
    client, staff_a, django_capture_on_commit_callbacks
):
    _request_reset(client, staff_a.email, django_capture_on_commit_callbacks)
    body = mail.outbox[0].body
    chinese, english = body.split("-" * 64)
    link = re.compile(r"https?://\S+/accounts/password/reset/\S+/")
    assert link.findall(chinese) == link.findall(english) != []
    assert "Dear 王小明," in english
    assert "Research, Development and Evaluation Commission" in english


def test_unknown_email_gets_the_same_answer_and_no_mail(
    client, staff_a, django_capture_on_commit_callbacks
):
    known = _request_reset(client, staff_a.email, django_capture_on_commit_callbacks)
    unknown = _request_reset(client, "nobody@example.org", django_capture_on_commit_callbacks)
    assert unknown.status_code == known.status_code == 302
    assert unknown["Location"] == known["Location"]
    assert len(mail.outbox) == 1
    page = client.get(unknown["Location"])
    assert 'id="password-reset-sent"' in page.content.decode()


def test_reset_ignores_inactive_accounts(client, agency_a, django_capture_on_commit_callbacks):
    user = UserFactory(username="left", agency=agency_a, is_active=False)
    response = _request_reset(client, user.email, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    assert mail.outbox == []


def test_reset_with_an_invalid_email_shows_the_form_again(client, db):
    response = client.post(RESET, {"email": "not-an-email"})
    assert response.status_code == 200
    assert "email" in response.context["form"].errors
    assert OutboxMessage.objects.count() == 0


def _reset_link(client, user, django_capture_on_commit_callbacks) -> str:
    _request_reset(client, user.email, django_capture_on_commit_callbacks)
    return re.search(r"https?://[^/\s]+(/accounts/password/reset/\S+/)", mail.outbox[-1].body)[1]


def test_the_link_sets_a_new_password_once(
    client, staff_a, password, django_capture_on_commit_callbacks
):
    link = _reset_link(client, staff_a, django_capture_on_commit_callbacks)
    form_page = client.get(link, follow=True)
    assert 'id="set-password-form"' in form_page.content.decode()
    set_url = form_page.redirect_chain[-1][0]
    response = client.post(set_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_reset_complete")
    staff_a.refresh_from_db()
    assert staff_a.check_password(NEW_PASSWORD)
    entry = AuditEntry.objects.filter(action=AuditEntry.Action.UPDATE).get()
    assert entry.actor == staff_a and "password" in entry.changes
    # Used once: the same link is now refused with a clear page, not an error.
    again = client.get(link, follow=True)
    assert again.status_code == 200
    assert 'id="invalid-reset-link"' in again.content.decode()


def test_mismatched_new_passwords_in_the_reset_form_change_nothing(
    client, staff_a, password, django_capture_on_commit_callbacks
):
    link = _reset_link(client, staff_a, django_capture_on_commit_callbacks)
    set_url = client.get(link, follow=True).redirect_chain[-1][0]
    data = {"new_password1": NEW_PASSWORD, "new_password2": "something-else-entirely"}
    response = client.post(set_url, data)
    assert response.status_code == 200
    assert "new_password2" in response.context["form"].errors
    staff_a.refresh_from_db()
    assert staff_a.check_password(password)


def test_a_forged_link_is_refused_with_a_page(client, staff_a):
    response = client.get(
        reverse("accounts:password_reset_confirm", args=["Mg", "bad-token"]), follow=True
    )
    assert response.status_code == 200
    assert 'id="invalid-reset-link"' in response.content.decode()
