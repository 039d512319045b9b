import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from rdec_portal.accounts import roles
from rdec_portal.workflow.audit import audit_record
from rdec_portal.workflow.models import AuditEntry

PROFILE = reverse("accounts:profile")


def test_my_account_shows_name_agency_roles_email_and_links(client, staff_a):
    client.force_login(staff_a)
    response = client.get(PROFILE, headers={"Accept-Language": "en"})
    body = response.content.decode()
    assert response.status_code == 200
    profile = body.split('id="profile"')[1].split("</dl>")[0]
    assert "王小明" in profile
    assert "Public Works Bureau" in profile
    assert str(roles.ROLE_LABELS[roles.AGENCY_STAFF]) in profile
    assert staff_a.email in profile
    assert reverse("accounts:password_change") in body
    assert reverse("accounts:tokens") in body


def test_my_account_shows_recent_activity_on_the_account(client, staff_a, administrator):
    audit_record(
        actor=administrator,
        action=AuditEntry.Action.UPDATE,
        obj=staff_a,
        changes={"email": ["a@example.org", "b@example.org"]},
    )
    client.force_login(staff_a)
    body = client.get(PROFILE).content.decode()
    assert "history-update" in body
    assert str(administrator) in body
    assert "email" in body


def test_anonymous_visitor_is_sent_to_login(client, db):
    response = client.get(PROFILE)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:login')}?next={PROFILE}"


@pytest.mark.parametrize(
    "url_name", ["accounts:profile", "accounts:tokens", "accounts:password_change", "staff-home"]
)
def test_a_user_whose_roles_were_removed_gets_the_no_role_page(client, staff_a, url_name):
    client.force_login(staff_a)
    staff_a.groups.clear()
    response = client.get(reverse(url_name))
    assert response.status_code == 403
    assert 'id="no-role"' in response.content.decode()


def test_a_deactivated_user_is_logged_out_at_the_next_request(client, staff_a):
    client.force_login(staff_a)
    staff_a.is_active = False
    staff_a.save()
    response = client.get(PROFILE)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_every_role_reaches_my_account(client, agency_a):
    from tests.accounts.factories import UserFactory

    for role in roles.ALL_ROLES:
        Group.objects.get_or_create(name=role)
        user = UserFactory(username=f"u_{role}", agency=agency_a, roles=[role])
        client.force_login(user)
        assert client.get(PROFILE).status_code == 200, role
