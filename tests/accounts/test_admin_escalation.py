"""An administrator who is not a superuser can never raise anyone's rights above their own.

Only a superuser changes a superuser or what a role grants; an administrator assigns roles but
never edits an account holding more rights than their own (rdec_portal/accounts/permissions.py).
"""

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from rdec_portal.accounts import roles
from rdec_portal.accounts.models import User
from rdec_portal.accounts.services import user_password_set, user_set_roles
from tests.accounts.factories import UserFactory

NEW_PASSWORD = "a-brand-new-passphrase-42"


@pytest.fixture
def role_admin(rdec_agency):
    """An administrator by role, not a superuser."""
    return UserFactory(
        username="role_admin", agency=rdec_agency, roles=[roles.ADMINISTRATOR], is_staff=True
    )


@pytest.fixture
def admin_as_role(client, role_admin):
    client.force_login(role_admin)
    return client


def _perm(dotted):
    app_label, codename = dotted.split(".")
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


def _user_form(user, **overrides):
    data = {
        "username": user.username,
        "last_name": user.last_name,
        "first_name": user.first_name,
        "email": user.email,
        "agency": user.agency_id or "",
        "title": "",
        "phone": "",
        "is_active": "on",
        "groups": [g.pk for g in user.groups.all()],
    }
    return {**data, **overrides}


# The superuser's password ------------------------------------------------------------------------


def test_administrator_cannot_open_a_superusers_password_form(admin_as_role, administrator):
    url = reverse("admin:auth_user_password_change", args=[administrator.pk])
    assert admin_as_role.get(url).status_code == 403


def test_administrator_cannot_set_a_superusers_password(admin_as_role, administrator):
    url = reverse("admin:auth_user_password_change", args=[administrator.pk])
    response = admin_as_role.post(
        url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"}
    )
    assert response.status_code == 403
    administrator.refresh_from_db()
    assert not administrator.check_password(NEW_PASSWORD)


def test_administrator_still_sets_an_agency_staff_password(admin_as_role, staff_a):
    url = reverse("admin:auth_user_password_change", args=[staff_a.pk])
    response = admin_as_role.post(
        url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"}
    )
    assert response.status_code == 302
    staff_a.refresh_from_db()
    assert staff_a.check_password(NEW_PASSWORD)


# Editing and deleting accounts -------------------------------------------------------------------


def test_administrator_cannot_change_a_superusers_account(admin_as_role, administrator):
    url = reverse("admin:accounts_user_change", args=[administrator.pk])
    response = admin_as_role.post(url, _user_form(administrator, email="attacker@example.com"))
    assert response.status_code == 403
    administrator.refresh_from_db()
    assert administrator.email != "attacker@example.com"


def test_a_superusers_change_page_opens_read_only_for_an_administrator(
    admin_as_role, administrator
):
    url = reverse("admin:accounts_user_change", args=[administrator.pk])
    response = admin_as_role.get(url)
    assert response.status_code == 200
    assert not response.context["has_change_permission"]


def test_administrator_cannot_change_an_account_holding_a_permission_they_lack(
    admin_as_role, staff_a
):
    staff_a.user_permissions.add(_perm("accounts.delete_user"))
    url = reverse("admin:accounts_user_change", args=[staff_a.pk])
    response = admin_as_role.post(url, _user_form(staff_a, email="x@example.com"))
    assert response.status_code == 403
    staff_a.refresh_from_db()
    assert staff_a.email != "x@example.com"


def test_administrator_still_assigns_roles_to_agency_staff(admin_as_role, staff_a):
    supervisor = Group.objects.get(name=roles.AGENCY_SUPERVISOR)
    staff = Group.objects.get(name=roles.AGENCY_STAFF)
    url = reverse("admin:accounts_user_change", args=[staff_a.pk])
    response = admin_as_role.post(url, _user_form(staff_a, groups=[staff.pk, supervisor.pk]))
    assert response.status_code == 302
    assert set(staff_a.groups.values_list("name", flat=True)) == {
        roles.AGENCY_STAFF,
        roles.AGENCY_SUPERVISOR,
    }


def test_administrator_cannot_hand_out_a_role_granting_more_than_they_hold(
    admin_as_role, role_admin, staff_a
):
    auditors = Group.objects.create(name="auditors")
    auditors.permissions.add(_perm("accounts.delete_user"))
    for target in (staff_a, role_admin):
        url = reverse("admin:accounts_user_change", args=[target.pk])
        groups = [*target.groups.values_list("pk", flat=True), auditors.pk]
        response = admin_as_role.post(url, _user_form(target, groups=groups))
        assert response.status_code == 200  # the form refuses the choice
        assert not target.groups.filter(pk=auditors.pk).exists()


def test_administrator_cannot_open_the_admin_to_anyone(admin_as_role, staff_a):
    url = reverse("admin:accounts_user_change", args=[staff_a.pk])
    response = admin_as_role.post(url, _user_form(staff_a, is_staff="on", is_superuser="on"))
    assert response.status_code == 302
    staff_a.refresh_from_db()
    assert not staff_a.is_staff
    assert not staff_a.is_superuser


@pytest.fixture
def admin_who_deletes(role_admin):
    # Deleting accounts is not part of the administrator role; given directly, it still stops
    # at the accounts holding more rights.
    role_admin.user_permissions.add(_perm("accounts.delete_user"))
    return role_admin


def test_administrator_cannot_delete_a_superuser(client, admin_who_deletes, administrator):
    client.force_login(admin_who_deletes)
    url = reverse("admin:accounts_user_delete", args=[administrator.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"post": "yes"}).status_code == 403
    assert User.objects.filter(pk=administrator.pk).exists()


def test_bulk_delete_leaves_a_superuser_alone(client, admin_who_deletes, administrator, staff_a):
    client.force_login(admin_who_deletes)
    response = client.post(
        reverse("admin:accounts_user_changelist"),
        {
            "action": "delete_selected",
            "_selected_action": [administrator.pk, staff_a.pk],
            "post": "yes",
        },
    )
    assert response.status_code in {200, 302, 403}
    assert User.objects.filter(pk=administrator.pk).exists()


# Roles -------------------------------------------------------------------------------------------


def test_administrator_cannot_change_what_a_role_grants(admin_as_role):
    group = Group.objects.get(name=roles.ADMINISTRATOR)
    before = set(group.permissions.values_list("pk", flat=True))
    every = list(Permission.objects.values_list("pk", flat=True))
    url = reverse("admin:auth_group_change", args=[group.pk])
    response = admin_as_role.post(url, {"name": group.name, "permissions": every})
    assert response.status_code == 403
    assert set(group.permissions.values_list("pk", flat=True)) == before


def test_administrator_cannot_add_a_role(admin_as_role):
    everything = list(Permission.objects.values_list("pk", flat=True))
    response = admin_as_role.post(
        reverse("admin:auth_group_add"), {"name": "root", "permissions": everything}
    )
    assert response.status_code == 403
    assert not Group.objects.filter(name="root").exists()


def test_administrator_still_sees_the_roles(admin_as_role):
    group = Group.objects.get(name=roles.ADMINISTRATOR)
    assert admin_as_role.get(reverse("admin:auth_group_change", args=[group.pk])).status_code == 200


def test_superuser_changes_what_a_role_grants(client, administrator):
    client.force_login(administrator)
    group = Group.objects.get(name=roles.AGENCY_STAFF)
    perm = _perm("accounts.view_agency")
    url = reverse("admin:auth_group_change", args=[group.pk])
    assert client.post(url, {"name": group.name, "permissions": [perm.pk]}).status_code == 302
    assert list(group.permissions.all()) == [perm]


# The services apply the same rule ----------------------------------------------------------------


def test_user_set_roles_refuses_a_superuser_target(role_admin, administrator):
    with pytest.raises(PermissionDenied):
        user_set_roles(user=administrator, groups=[], by=role_admin)
    assert administrator.groups.filter(name=roles.ADMINISTRATOR).exists()


def test_user_set_roles_refuses_a_role_beyond_the_actors(role_admin, staff_a):
    auditors = Group.objects.create(name="auditors")
    auditors.permissions.add(_perm("accounts.delete_user"))
    with pytest.raises(PermissionDenied):
        user_set_roles(user=staff_a, groups=[auditors], by=role_admin)
    with pytest.raises(PermissionDenied):
        user_set_roles(user=role_admin, groups=[auditors], by=role_admin)


def test_user_set_roles_assigns_ordinary_roles(role_admin, staff_a):
    supervisor = Group.objects.get(name=roles.AGENCY_SUPERVISOR)
    user_set_roles(user=staff_a, groups=[supervisor], by=role_admin)
    assert list(staff_a.groups.values_list("name", flat=True)) == [roles.AGENCY_SUPERVISOR]


def test_password_service_refuses_an_administrator_on_a_superuser(role_admin, administrator):
    with pytest.raises(PermissionDenied):
        user_password_set(user=administrator, password=NEW_PASSWORD, by=role_admin)
    administrator.refresh_from_db()
    assert not administrator.check_password(NEW_PASSWORD)
