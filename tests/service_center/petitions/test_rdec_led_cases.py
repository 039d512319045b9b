"""Cases RDEC itself leads: RDEC staff of the other lines belong to the RDEC agency, but reach
the service centre's cases only through the service centre's role (issue 11, item 6). The
agency's own staff, the service centre and the mayor's office keep their access."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from rdec_portal.accounts import roles
from rdec_portal.accounts.roles import Line
from service_center.petitions import permissions, selectors, services
from service_center.petitions.models import Petition, Status
from tests.accounts.factories import UserFactory
from tests.service_center.factories import AssignedPetitionFactory, CategoryFactory

OTHER_LINES = [line for line in Line if line != Line.SERVICE_CENTER]
BULK = reverse("service-center-petition-bulk-assign")


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def rdec_staff(rdec_agency):
    """Agency staff of RDEC: who handles the cases RDEC leads."""
    return UserFactory(username="rdec_handler", agency=rdec_agency, roles=[roles.AGENCY_STAFF])


@pytest.fixture
def rdec_case(frozen, rdec_agency):
    """A case RDEC leads, with an internal note."""
    category = CategoryFactory(code="rdec-website", agency=rdec_agency)
    petition = AssignedPetitionFactory(category=category, subject="研考會網站無法登入")
    assert petition.lead_agency == rdec_agency
    return petition


@pytest.fixture(params=OTHER_LINES, ids=str)
def other_line(request, rdec_user):
    """RDEC staff of a line other than the service centre."""
    return rdec_user(request.param)


def test_rdec_staff_of_other_lines_do_not_see_rdec_led_cases(other_line, rdec_case):
    assert not selectors.petitions_for(other_line).filter(pk=rdec_case.pk).exists()
    assert not selectors.queue_base(other_line).filter(pk=rdec_case.pk).exists()
    assert not permissions.can_handle(other_line, rdec_case)
    assert not permissions.can_see_personal_data(other_line, rdec_case)


def test_the_case_page_and_the_api_are_a_404_for_other_lines(client, other_line, rdec_case):
    client.force_login(other_line)
    assert client.get(reverse("service_center:case", args=[rdec_case.pk])).status_code == 404
    detail = reverse("service-center-petition-detail", args=[rdec_case.pk])
    assert api(other_line).get(detail).status_code == 404
    listed = api(other_line).get(reverse("service-center-petition-list")).json()
    assert rdec_case.number not in str(listed)


def test_the_queue_export_leaves_out_rdec_led_cases_for_other_lines(
    client, other_line, rdec_case, desk_user
):
    services.petition_add_note(
        petition=rdec_case, by=desk_user, text="內部備註：請研考會資訊室處理"
    )
    client.force_login(other_line)
    response = client.get(reverse("service_center:queue_export", args=["csv"]) + "?status=open")
    assert response.status_code == 200
    assert rdec_case.number not in response.content.decode("utf-8-sig")


def test_other_lines_cannot_bulk_assign_rdec_led_cases(client, other_line, rdec_case, rdec_staff):
    response = api(other_line).post(
        BULK, {"petitions": [rdec_case.pk], "assignee": rdec_staff.pk}, format="json"
    )
    assert response.status_code == 403
    client.force_login(other_line)
    page = client.post(
        reverse("service_center:queue_assign"), {"cases": [rdec_case.pk], "assignee": rdec_staff.pk}
    )
    assert page.status_code == 403
    rdec_case.refresh_from_db()
    assert (rdec_case.status, rdec_case.assignee_id) == (Status.ASSIGNED, None)


def test_rdec_agency_staff_still_handle_and_bulk_assign_what_rdec_leads(
    rdec_staff, rdec_case, rdec_user
):
    assert permissions.can_handle(rdec_staff, rdec_case)
    assert selectors.queue_base(rdec_staff).filter(pk=rdec_case.pk).exists()
    response = api(rdec_staff).post(
        BULK, {"petitions": [rdec_case.pk], "assignee": rdec_staff.pk}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["assigned"] == [{"id": rdec_case.pk, "number": rdec_case.number}]
    assert Petition.objects.get(pk=rdec_case.pk).assignee == rdec_staff


def test_the_service_centre_and_the_mayors_office_still_see_rdec_led_cases(
    desk_user, mayor_office, rdec_case
):
    assert permissions.can_handle(desk_user, rdec_case)
    assert selectors.petitions_for(desk_user).filter(pk=rdec_case.pk).exists()
    assert selectors.petitions_for(mayor_office).filter(pk=rdec_case.pk).exists()
    assert permissions.bulk_assign_agency_id(mayor_office) is None
