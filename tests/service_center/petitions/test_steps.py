"""The one table of a petition's steps: who may take which, in which state."""

from django.urls import reverse

from service_center.petitions.models import Status
from service_center.petitions.steps import STEPS, allowed_steps
from tests.service_center.factories import AssignedPetitionFactory, CategoryFactory, PetitionFactory


def names(user, petition):
    return [step.name for step in allowed_steps(user, petition)]


def test_the_lead_agency_handles_its_assigned_case(agency_a, staff_a, staff_b, supervisor_a):
    petition = AssignedPetitionFactory(category=CategoryFactory(agency=agency_a))
    assert names(staff_a, petition) == [
        "accept",
        "reply",
        "extension",
        "transfer-request",
        "note",
    ]
    assert names(supervisor_a, petition) == names(staff_a, petition)
    assert names(staff_b, petition) == []


def test_the_service_desk_triages(desk_user, agency_a):
    verified = PetitionFactory(status=Status.VERIFIED, category=CategoryFactory(agency=agency_a))
    assert names(desk_user, verified) == ["assign", "merge", "not-handled", "note"]
    assigned = AssignedPetitionFactory(category=CategoryFactory(agency=agency_a))
    assert "transfer" in names(desk_user, assigned)
    assert "assign" not in names(desk_user, assigned)


def test_the_mayors_office_takes_no_step(mayor_office, agency_a):
    petition = AssignedPetitionFactory(category=CategoryFactory(agency=agency_a))
    assert names(mayor_office, petition) == []


def test_the_case_page_offers_exactly_the_allowed_steps(client, staff_a, agency_a):
    petition = AssignedPetitionFactory(category=CategoryFactory(agency=agency_a))
    client.force_login(staff_a)
    response = client.get(reverse("service_center:case", args=[petition.pk]))
    shown = [name for name, _label, _form in response.context["actions"]]
    assert shown == names(staff_a, petition)
    for name in shown:
        assert str(STEPS[name].label) in response.content.decode()
