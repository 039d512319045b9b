"""Roles and agency scoping: the helper every selector uses, so another agency's object is a 404."""

from django.contrib.auth.models import AnonymousUser, Group

from rdec_portal.accounts import roles
from rdec_portal.accounts.models import User
from rdec_portal.accounts.roles import Line
from tests.accounts.factories import UserFactory


def _users_qs():
    # Users carry an agency, so they stand in for any agency-owned object.
    return User.objects.order_by("username")


def test_every_role_exists_as_a_group_after_migrate(db):
    assert set(Group.objects.values_list("name", flat=True)) >= set(roles.ALL_ROLES)


def test_administrator_role_can_manage_the_calendar_and_read_the_audit_log(db):
    perms = set(
        Group.objects.get(name=roles.ADMINISTRATOR).permissions.values_list("codename", flat=True)
    )
    assert {"add_calendaroverride", "view_auditentry", "change_user"} <= perms
    assert "change_auditentry" not in perms


def test_sync_roles_is_idempotent(db):
    roles.sync_roles()
    roles.sync_roles()
    assert Group.objects.filter(name=roles.AGENCY_STAFF).count() == 1


def test_agency_staff_see_only_their_own_agency(staff_a, colleague_a, staff_b):
    visible = set(roles.scope_to_agency(_users_qs(), staff_a))
    assert staff_a in visible
    assert colleague_a in visible
    assert staff_b not in visible


def test_a_lookup_of_another_agencys_object_finds_nothing(staff_a, staff_b):
    assert not roles.scope_to_agency(_users_qs(), staff_a).filter(pk=staff_b.pk).exists()


def test_rdec_line_staff_see_every_agency_in_their_line_only(rdec_user, staff_a, staff_b):
    service = rdec_user(Line.SERVICE_CENTER)
    in_line = set(roles.scope_to_agency(_users_qs(), service, line=Line.SERVICE_CENTER))
    assert {staff_a, staff_b} <= in_line
    other_line = set(roles.scope_to_agency(_users_qs(), service, line=Line.INSPECTION))
    assert staff_a not in other_line and staff_b not in other_line


def test_mayor_office_sees_everything_and_is_read_only(mayor_office, staff_a, staff_b):
    assert {staff_a, staff_b} <= set(roles.scope_to_agency(_users_qs(), mayor_office))
    assert roles.is_read_only(mayor_office)
    assert not roles.is_read_only(staff_a)


def test_anonymous_and_roleless_users_see_nothing(agency_a, staff_a):
    roleless = UserFactory(username="roleless", agency=agency_a)
    assert not roles.scope_to_agency(_users_qs(), AnonymousUser()).exists()
    assert not roles.scope_to_agency(_users_qs(), roleless).exists()
    assert not roles.is_staff_user(roleless)


def test_inactive_user_sees_nothing(staff_a):
    staff_a.is_active = False
    staff_a.save()
    assert not roles.scope_to_agency(_users_qs(), staff_a).exists()


def test_staff_without_a_home_agency_sees_nothing(db):
    nomad = UserFactory(username="nomad", agency=None, roles=[roles.AGENCY_STAFF])
    assert not roles.scope_to_agency(_users_qs(), nomad).exists()


def test_scoping_follows_a_lookup_path(staff_a, staff_b):
    from rdec_portal.accounts.models import Agency

    agencies = roles.scope_to_agency(Agency.objects.all(), staff_a, field="pk")
    assert list(agencies) == [staff_a.agency]
