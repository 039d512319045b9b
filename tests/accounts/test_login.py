import re

import pytest
from django.urls import reverse

from rdec_portal.workflow.models import AuditEntry
from tests.accounts.factories import UserFactory

LOGIN = reverse("accounts:login")
EN = {"Accept-Language": "en"}


def _error_block(response) -> str:
    match = re.search(r'<div[^>]*id="login-error".*?</div>', response.content.decode(), re.S)
    return match.group(0) if match else ""


def _login(client, username, password, **extra):
    return client.post(LOGIN, {"username": username, "password": password}, **extra)


def test_login_page_is_a_public_page_with_a_reset_link(client, db):
    response = client.get(LOGIN)
    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="login-form"' in body
    assert reverse("accounts:password_reset") in body


def test_right_password_lands_on_the_staff_home(client, staff_a, password):
    response = _login(client, "staff_a", password)
    assert response.status_code == 302
    assert response["Location"] == reverse("staff-home")
    assert client.get(reverse("staff-home")).status_code == 200


def test_login_follows_a_local_next_but_not_another_site(client, staff_a, password):
    local = client.post(
        LOGIN, {"username": "staff_a", "password": password, "next": "/accounts/me/"}
    )
    assert local["Location"] == "/accounts/me/"
    client.logout()
    other = client.post(
        LOGIN, {"username": "staff_a", "password": password, "next": "https://evil.example/"}
    )
    assert other["Location"] == reverse("staff-home")


@pytest.mark.parametrize("username", ["staff_a", "nobody_here"])
def test_wrong_password_and_unknown_user_get_the_same_message(client, staff_a, username):
    response = _login(client, username, "wrong-password-123", headers=EN)
    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="login-error"' in body
    assert "The username or password is incorrect." in body
    # The form keeps what was typed in the username field, never the password.
    assert f'value="{username}"' in body
    assert "wrong-password-123" not in body
    assert "_auth_user_id" not in client.session


def test_the_answer_does_not_reveal_whether_an_account_exists(client, staff_a):
    known = _login(client, "staff_a", "wrong-password-123")
    unknown = _login(client, "staff_x", "wrong-password-123")
    assert known.status_code == unknown.status_code == 200
    assert _error_block(known) == _error_block(unknown)
    assert _error_block(known)


def test_empty_form_asks_for_both_fields(client, db):
    response = _login(client, "", "")
    form = response.context["form"]
    assert response.status_code == 200
    assert set(form.errors) == {"username", "password"}
    assert "_auth_user_id" not in client.session


def test_inactive_user_cannot_log_in_and_sees_the_usual_message(client, agency_a, password):
    UserFactory(username="gone", agency=agency_a, roles=["agency_staff"], is_active=False)
    response = _login(client, "gone", password)
    assert response.status_code == 200
    assert 'id="login-error"' in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_user_without_a_role_is_told_so_and_not_logged_in(client, agency_a, password):
    UserFactory(username="norole", agency=agency_a)
    response = _login(client, "norole", password, headers=EN)
    assert response.status_code == 200
    assert "no role in the portal" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_superuser_without_a_role_may_log_in(client, agency_a, password):
    UserFactory(username="root", agency=agency_a, is_superuser=True, is_staff=True)
    assert _login(client, "root", password).status_code == 302


def test_logged_in_user_visiting_login_goes_to_the_staff_home(client, staff_a):
    client.force_login(staff_a)
    response = client.get(LOGIN)
    assert response.status_code == 302
    assert response["Location"] == reverse("staff-home")


def test_logout_needs_a_post(client, staff_a):
    client.force_login(staff_a)
    assert client.get(reverse("accounts:logout")).status_code == 405
    assert "_auth_user_id" in client.session
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert "_auth_user_id" not in client.session


def test_login_logout_and_failures_are_audited(client, staff_a, password):
    _login(client, "staff_a", "wrong-password-123", REMOTE_ADDR="10.0.0.9")
    _login(client, "ghost", "wrong-password-123")
    _login(client, "staff_a", password)
    client.post(reverse("accounts:logout"))
    entries = list(AuditEntry.objects.order_by("id"))
    assert [e.action for e in entries] == [
        AuditEntry.Action.LOGIN_FAILED,
        AuditEntry.Action.LOGIN_FAILED,
        AuditEntry.Action.LOGIN,
        AuditEntry.Action.LOGOUT,
    ]
    failed, unknown, login, logout = entries
    assert failed.actor is None and failed.object_id == str(staff_a.pk)
    assert failed.changes == {"username": "staff_a"}
    assert failed.ip_address == "10.0.0.9"
    assert unknown.object_id == "" and unknown.changes == {"username": "ghost"}
    assert login.actor == staff_a and logout.actor == staff_a
    assert "wrong-password" not in str([e.changes for e in entries])


def test_login_page_speaks_english_after_switching(client, db):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    body = client.get(LOGIN).content.decode()
    assert 'lang="en"' in body
    assert "Staff login" in body
