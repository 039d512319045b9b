"""`/api/v1/service-center/petitions/`: scoping, filters, ordering, cursor pages, workflow steps."""

from datetime import timedelta

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from rdec_portal.workflow.models import AuditEntry
from service_center.petitions.models import Petition, Status
from tests.service_center.conftest import NOW
from tests.service_center.factories import AssignedPetitionFactory, CategoryFactory

LIST = reverse("service-center-petition-list")


def detail(petition):
    return reverse("service-center-petition-detail", args=[petition.pk])


def step(petition, name):
    return reverse(f"service-center-petition-{name}", args=[petition.pk])


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def mine(frozen, agency_a, agency_b):
    cat = CategoryFactory(agency=agency_a)
    late = AssignedPetitionFactory(category=cat, due_at=NOW - timedelta(days=1))
    fresh = AssignedPetitionFactory(category=cat, due_at=NOW + timedelta(days=9))
    AssignedPetitionFactory(category=CategoryFactory(agency=agency_b))
    return late, fresh


def test_the_list_is_scoped_to_the_agency(staff_a, mine):
    response = api(staff_a).get(LIST)
    assert response.status_code == 200
    assert {r["number"] for r in response.json()["results"]} == {p.number for p in mine}
    assert "petitioner_email" not in response.json()["results"][0]


def test_anonymous_gets_401(db):
    assert APIClient().get(LIST).status_code in (401, 403)


def test_filters_and_ordering(staff_a, mine):
    late, fresh = mine
    client = api(staff_a)
    overdue = client.get(LIST, {"overdue": "true"}).json()["results"]
    assert [r["number"] for r in overdue] == [late.number]
    ordered = client.get(LIST, {"ordering": "due_at"}).json()["results"]
    assert [r["number"] for r in ordered] == [late.number, fresh.number]
    assert client.get(LIST, {"ordering": "petitioner_name"}).status_code == 400
    assert client.get(LIST, {"overdue": "yes"}).status_code == 400


@pytest.mark.parametrize("rows", [1, 20])
def test_list_query_count_does_not_grow(staff_a, frozen, agency_a, rows, django_assert_num_queries):
    AssignedPetitionFactory.create_batch(rows, category=CategoryFactory(agency=agency_a))
    client = api(staff_a)
    client.get(LIST)
    with django_assert_num_queries(1):
        assert client.get(LIST).status_code == 200


def test_detail_shows_contact_details_to_the_handling_agency_audited(staff_a, staff_b, mine):
    late, _fresh = mine
    body = api(staff_a).get(detail(late)).json()
    assert body["petitioner"]["email"] == late.petitioner_email
    assert AuditEntry.objects.filter(action="view_personal_data", actor=staff_a).count() == 1
    assert api(staff_b).get(detail(late)).status_code == 404


def test_the_mayors_office_reads_without_contact_details_and_cannot_act(mayor_office, mine):
    late, _fresh = mine
    client = api(mayor_office)
    assert client.get(detail(late)).json()["petitioner"] is None
    assert client.post(step(late, "reply"), {"text": "x"}).status_code == 403


def test_workflow_steps_are_post_actions(staff_a, supervisor_a, mine):
    late, _fresh = mine
    client = api(staff_a)

    assert client.post(step(late, "accept"), {}).json()["status"] == Status.IN_PROGRESS
    bad = client.post(step(late, "reply"), {"text": ""})
    assert bad.status_code == 400
    response = client.post(step(late, "reply"), {"text": "已完成修復。"})
    assert response.status_code == 200 and response.json()["status"] == Status.REPLIED
    again = client.post(step(late, "reply"), {"text": "again"})
    assert again.status_code == 400
    assert client.post(step(late, "close"), {}).json()["status"] == Status.CLOSED


def test_extension_and_note(staff_a, mine):
    _late, fresh = mine
    client = api(staff_a)
    assert client.post(step(fresh, "note"), {"text": "內部"}).status_code == 200
    response = client.post(step(fresh, "extension"), {"new_due_on": "115/12/30", "reason": "會勘"})
    assert response.status_code == 200
    assert fresh.requests.get().proposed_due_at.date().isoformat() == "2026-12-30"


def test_the_desk_records_assigns_and_merges(desk_user, category, frozen, agency_b):
    client = api(desk_user)
    recorded = client.post(
        LIST,
        {
            "channel": "phone_1999",
            "category": category.code,
            "subject": "路燈",
            "description": "不亮",
            "name": "林先生",
            "phone": "0911222333",
            "has_consented": True,
        },
        format="json",
    )
    assert recorded.status_code == 201 and recorded.json()["secret"]
    petition = Petition.objects.get(pk=recorded.json()["id"])
    assert petition.channel == "phone_1999" and petition.status == Status.VERIFIED

    assigned = client.post(
        step(petition, "assign"),
        {"agency": category.agency.code, "supporting": [agency_b.code]},
        format="json",
    )
    assert assigned.json()["status"] == Status.ASSIGNED
    duplicate = AssignedPetitionFactory(category=category)
    merged = client.post(step(duplicate, "merge"), {"into": petition.number})
    assert merged.json()["status"] == Status.MERGED


def test_agency_staff_cannot_triage_or_record(staff_a, mine, category):
    late, _fresh = mine
    client = api(staff_a)
    assert client.post(step(late, "not-handled"), {"reason": "no_content"}).status_code == 403
    assert client.post(LIST, {"channel": "counter"}).status_code == 403


def test_detail_lists_the_steps_the_user_may_take(staff_a, mayor_office, mine):
    late, _fresh = mine
    body = api(staff_a).get(detail(late)).json()
    assert body["allowed_steps"] == ["accept", "reply", "extension", "transfer-request", "note"]
    assert api(mayor_office).get(detail(late)).json()["allowed_steps"] == []
