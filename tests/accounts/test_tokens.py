import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.exceptions import AuthenticationFailed

from rdec_portal.accounts.authentication import ApiTokenAuthentication
from rdec_portal.accounts.models import ApiToken
from rdec_portal.accounts.services import ApiTokenError, api_token_create, api_token_revoke
from rdec_portal.workflow.models import AuditEntry

TOKENS = reverse("accounts:tokens")


def _revoke_url(token):
    return reverse("accounts:token_revoke", args=[token.pk])


# Services ---------------------------------------------------------------------------------


def test_create_stores_only_the_hash_and_is_audited(staff_a):
    token, key = api_token_create(user=staff_a, name="district system")
    token.refresh_from_db()
    assert token.user == staff_a
    assert token.prefix == key[: ApiToken.PREFIX_LENGTH]
    assert token.key_hash == ApiToken.hash_key(key)
    assert key not in token.key_hash
    entry = AuditEntry.objects.get(action=AuditEntry.Action.CREATE)
    assert entry.actor == staff_a
    assert entry.object_id == str(token.pk)
    assert entry.changes["name"] == [None, "district system"]
    assert key not in str(entry.changes)


def test_the_key_authenticates_until_revoked(staff_a):
    token, key = api_token_create(user=staff_a, name="sync")
    user, auth = ApiTokenAuthentication().authenticate_credentials(key)
    assert (user, auth) == (staff_a, token)
    api_token_revoke(token=token, by=staff_a)
    with pytest.raises(AuthenticationFailed):
        ApiTokenAuthentication().authenticate_credentials(key)


@pytest.mark.parametrize("name", ["", "   ", "x" * 101])
def test_create_refuses_a_missing_or_too_long_name(staff_a, name):
    with pytest.raises(ApiTokenError):
        api_token_create(user=staff_a, name=name)
    assert not ApiToken.objects.exists()
    assert not AuditEntry.objects.exists()


def test_revoke_is_audited_and_a_second_revoke_is_refused(staff_a):
    token, _key = api_token_create(user=staff_a, name="sync")
    moment = datetime.datetime(2025, 4, 2, 6, 0, tzinfo=datetime.UTC)
    with time_machine.travel(moment, tick=False):
        api_token_revoke(token=token, by=staff_a)
    token.refresh_from_db()
    assert token.revoked_at == moment
    entry = AuditEntry.objects.get(action=AuditEntry.Action.UPDATE)
    assert entry.changes == {"revoked_at": [None, moment.isoformat()]}
    with pytest.raises(ApiTokenError):
        api_token_revoke(token=token, by=staff_a)
    assert AuditEntry.objects.filter(action=AuditEntry.Action.UPDATE).count() == 1


def test_only_the_owner_or_an_administrator_may_revoke(staff_a, colleague_a, administrator):
    token, _key = api_token_create(user=staff_a, name="sync")
    with pytest.raises(PermissionDenied):
        api_token_revoke(token=token, by=colleague_a)
    token.refresh_from_db()
    assert not token.is_revoked
    api_token_revoke(token=token, by=administrator)
    token.refresh_from_db()
    assert token.is_revoked


# Pages ------------------------------------------------------------------------------------


def test_tokens_page_needs_login(client, db):
    response = client.get(TOKENS)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_create_shows_the_key_once_then_never_again(client, staff_a):
    client.force_login(staff_a)
    response = client.post(TOKENS, {"name": "district system"})
    token = ApiToken.objects.get()
    created_url = reverse("accounts:token_created", args=[token.pk])
    assert response.status_code == 302
    assert response["Location"] == created_url

    page = client.get(created_url)
    body = page.content.decode()
    key = page.context["key"]
    assert page.status_code == 200
    assert ApiToken.hash_key(key) == token.key_hash
    assert f'<code id="token-key">{key}</code>' in body
    assert "no-store" in page["Cache-Control"]

    again = client.get(created_url, follow=True)
    assert key not in again.content.decode()
    assert again.redirect_chain[-1][0] == TOKENS
    assert key not in client.get(TOKENS).content.decode()


def test_create_with_an_empty_name_saves_nothing(client, staff_a):
    client.force_login(staff_a)
    response = client.post(TOKENS, {"name": ""})
    assert response.status_code == 400
    assert "name" in response.context["form"].errors
    assert not ApiToken.objects.exists()


def test_list_shows_own_tokens_with_revoked_marked(client, staff_a, colleague_a):
    active, _ = api_token_create(user=staff_a, name="active one")
    revoked, _ = api_token_create(user=staff_a, name="old one")
    api_token_revoke(token=revoked, by=staff_a)
    others, _ = api_token_create(user=colleague_a, name="colleague's")
    client.force_login(staff_a)
    response = client.get(TOKENS)
    body = response.content.decode()
    assert list(response.context["tokens"]) == [revoked, active]
    assert f'id="token-{others.pk}"' not in body
    assert "colleague&#x27;s" not in body
    revoked_row = body.split(f'id="token-{revoked.pk}"')[1].split("</tr>")[0]
    active_row = body.split(f'id="token-{active.pk}"')[1].split("</tr>")[0]
    assert "token-revoked" in revoked_row and _revoke_url(revoked) not in revoked_row
    assert "token-active" in active_row and _revoke_url(active) in active_row
    assert active.prefix in active_row


def test_revoke_asks_for_confirmation_then_revokes_on_post(client, staff_a):
    token, _ = api_token_create(user=staff_a, name="sync")
    client.force_login(staff_a)
    confirm = client.get(_revoke_url(token))
    assert confirm.status_code == 200
    assert 'id="token-revoke-form"' in confirm.content.decode()
    token.refresh_from_db()
    assert not token.is_revoked

    response = client.post(_revoke_url(token))
    assert response.status_code == 302
    assert response["Location"] == TOKENS
    token.refresh_from_db()
    assert token.is_revoked


def test_revoking_twice_gives_a_message_not_an_error(client, staff_a):
    token, _ = api_token_create(user=staff_a, name="sync")
    client.force_login(staff_a)
    client.post(_revoke_url(token), follow=True)
    response = client.post(_revoke_url(token), follow=True)
    assert response.status_code == 200
    assert [m.level_tag for m in response.context["messages"]] == ["warning"]
    page = client.get(_revoke_url(token))
    assert 'id="already-revoked"' in page.content.decode()


@pytest.mark.parametrize("who", ["colleague_a", "staff_b", "supervisor_a"])
def test_another_users_token_is_not_found(client, staff_a, who, request):
    token, _ = api_token_create(user=staff_a, name="sync")
    client.force_login(request.getfixturevalue(who))
    assert client.get(_revoke_url(token)).status_code == 404
    assert client.post(_revoke_url(token)).status_code == 404
    assert client.get(reverse("accounts:token_created", args=[token.pk])).status_code == 404
    token.refresh_from_db()
    assert not token.is_revoked


def test_the_owner_revokes_their_own_token(client, staff_a):
    token, _ = api_token_create(user=staff_a, name="sync")
    client.force_login(staff_a)
    assert client.post(_revoke_url(token)).status_code == 302


def test_an_unknown_token_id_is_not_found(client, staff_a):
    client.force_login(staff_a)
    assert client.get(reverse("accounts:token_revoke", args=[999999])).status_code == 404


def _page_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_tokens_page_queries_do_not_grow_with_tokens(client, staff_a):
    client.force_login(staff_a)
    api_token_create(user=staff_a, name="first")
    _page_queries(client, TOKENS)  # the first page also fills the caches (the unread count)
    with_one = _page_queries(client, TOKENS)
    for number in range(19):
        api_token_create(user=staff_a, name=f"token {number}")
    assert _page_queries(client, TOKENS) == with_one


# Revoked with the password, and all at once -----------------------------------------------


def _authenticates(key) -> bool:
    try:
        ApiTokenAuthentication().authenticate_credentials(key)
    except AuthenticationFailed:
        return False
    return True


def test_changing_the_password_revokes_every_token(client, staff_a, password):
    _token, key = api_token_create(user=staff_a, name="sync")
    client.force_login(staff_a)
    new = "a-much-longer-new-secret-42"
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": password, "new_password1": new, "new_password2": new},
    )
    assert response.status_code == 302
    assert not _authenticates(key)


def test_a_password_reset_revokes_every_token(staff_a):
    from rdec_portal.accounts.forms import SetPasswordForm

    _token, key = api_token_create(user=staff_a, name="sync")
    new = "a-much-longer-new-secret-42"
    form = SetPasswordForm(staff_a, {"new_password1": new, "new_password2": new})
    assert form.is_valid()
    form.save()
    assert not _authenticates(key)


def test_an_administrator_setting_a_password_revokes_every_token(client, administrator, staff_a):
    _token, key = api_token_create(user=staff_a, name="sync")
    client.force_login(administrator)
    new = "a-much-longer-new-secret-42"
    response = client.post(
        reverse("admin:auth_user_password_change", args=[staff_a.pk]),
        {"password1": new, "password2": new, "usable_password": "true"},
    )
    assert response.status_code == 302
    assert not _authenticates(key)


def test_revoke_all_revokes_only_own_tokens_and_is_audited(client, staff_a, colleague_a):
    first, first_key = api_token_create(user=staff_a, name="one")
    _second, second_key = api_token_create(user=staff_a, name="two")
    _theirs, their_key = api_token_create(user=colleague_a, name="theirs")
    client.force_login(staff_a)
    response = client.post(reverse("accounts:token_revoke_all"), follow=True)
    assert response.status_code == 200
    assert not _authenticates(first_key)
    assert not _authenticates(second_key)
    assert _authenticates(their_key)
    updates = AuditEntry.objects.filter(action=AuditEntry.Action.UPDATE, actor=staff_a)
    assert updates.count() == 2
    assert "已撤銷 2 個權杖" in response.content.decode()


def test_revoke_all_is_post_only_and_offered_on_the_tokens_page(client, staff_a):
    _token, key = api_token_create(user=staff_a, name="one")
    client.force_login(staff_a)
    assert client.get(reverse("accounts:token_revoke_all")).status_code == 405
    assert _authenticates(key)
    page = client.get(TOKENS).content.decode()
    assert 'id="token-revoke-all-form"' in page


def test_revoke_all_needs_the_csrf_token(staff_a):
    from django.test import Client

    _token, key = api_token_create(user=staff_a, name="one")
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff_a)
    assert client.post(reverse("accounts:token_revoke_all")).status_code == 403
    assert _authenticates(key)
