"""The agency fallback of `scope_to_agency` serves agency roles only: an RDEC account of one line
belongs to the RDEC agency, but sees RDEC's objects of another line only through that line's
role (issue 11, item 6)."""

import pytest

from rdec_portal.accounts import roles
from rdec_portal.accounts.models import User
from rdec_portal.accounts.roles import Line
from tests.accounts.factories import UserFactory


def _users_qs():
    # Users carry an agency, so they stand in for any agency-owned object (RDEC's among them).
    return User.objects.order_by("username")


@pytest.fixture
def rdec_staff(rdec_agency):
    """Agency staff of RDEC: who handles what RDEC itself leads."""
    return UserFactory(username="rdec_agency_staff", agency=rdec_agency, roles=[roles.AGENCY_STAFF])


@pytest.mark.parametrize("line", list(Line), ids=str)
def test_an_rdec_line_sees_rdecs_objects_of_no_other_line(rdec_user, rdec_staff, line):
    user = rdec_user(line)
    assert roles.home_agency_id(user) is None
    assert not roles.scope_to_agency(_users_qs(), user).exists()
    for other in Line:
        visible = roles.scope_to_agency(_users_qs(), user, line=other)
        assert visible.filter(pk=rdec_staff.pk).exists() == (other == line)


def test_agency_roles_keep_their_agencys_objects_rdec_included(rdec_staff, staff_a, rdec_user):
    desk = rdec_user(Line.SERVICE_CENTER)
    assert roles.home_agency_id(rdec_staff) == rdec_staff.agency_id
    mine = set(roles.scope_to_agency(_users_qs(), rdec_staff, line=Line.RESEARCH))
    assert rdec_staff in mine and desk in mine and staff_a not in mine
    assert roles.home_agency_id(staff_a) == staff_a.agency_id


def test_city_wide_roles_are_unchanged(mayor_office, administrator, staff_a, rdec_staff):
    for user in (mayor_office, administrator):
        assert {staff_a, rdec_staff} <= set(roles.scope_to_agency(_users_qs(), user))
    assert not roles.acts_for_agency(mayor_office)
