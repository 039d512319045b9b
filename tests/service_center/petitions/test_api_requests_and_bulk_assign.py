"""The staff API's parity with the pages: deciding extension and transfer requests, the case's
requests, bulk assignment. Owner (the handler who asked), colleague, supervisor, outsider."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from rest_framework.test import APIClient

from service_center.petitions import services
from service_center.petitions.models import Petition, PetitionRequest, Status
from tests.service_center.conftest import NOW
from tests.service_center.factories import AssignedPetitionFactory, CategoryFactory

BULK = reverse("service-center-petition-bulk-assign")


def url(petition, name):
    return reverse(f"service-center-petition-{name}", args=[petition.pk])


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def case(frozen, staff_a, category):
    """A case of agency A handled by staff_a."""
    petition = AssignedPetitionFactory(category=category)
    return services.petition_accept(petition=petition, by=staff_a)


@pytest.fixture
def extension(case, staff_a):
    return services.petition_extension_request(
        petition=case, by=staff_a, reason="需會勘", new_due_at=NOW + timedelta(days=20)
    )


@pytest.fixture
def transfer(case, staff_a, agency_b):
    return services.petition_transfer_request(
        petition=case, by=staff_a, reason="屬水利局權責", agency=agency_b
    )


def state(req):
    return PetitionRequest.objects.get(pk=req.pk).state


# --- extension requests -------------------------------------------------------------------------


def test_the_lead_agencys_supervisor_approves_an_extension(supervisor_a, case, extension):
    response = api(supervisor_a).post(
        url(case, "extension-decision"), {"decision": "approve", "note": "同意"}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == extension.pk and body["state"] == "approved"
    assert body["decided_by"] == supervisor_a.pk and body["decision_note"] == "同意"
    assert Petition.objects.get(pk=case.pk).due_at == extension.proposed_due_at


def test_a_supervisor_declines_an_extension(supervisor_a, case, extension):
    old_due = case.due_at
    response = api(supervisor_a).post(url(case, "extension-decision"), {"decision": "reject"})
    assert response.status_code == 200 and response.json()["state"] == "rejected"
    assert Petition.objects.get(pk=case.pk).due_at == old_due


@pytest.mark.parametrize(
    ("user_name", "status"),
    [
        ("staff_a", 403),  # the handler who asked
        ("colleague_a", 403),
        ("desk_user", 403),  # as on the page: the agency's supervisor decides extensions
        ("mayor_office", 403),
        ("staff_b", 404),  # another agency's case does not exist for them
    ],
)
def test_only_the_supervisor_decides_an_extension(request, user_name, status, case, extension):
    user = request.getfixturevalue(user_name)
    response = api(user).post(url(case, "extension-decision"), {"decision": "approve"})
    assert response.status_code == status
    assert state(extension) == PetitionRequest.State.PENDING


def test_bad_decisions_are_refused_and_change_nothing(supervisor_a, case, extension):
    client = api(supervisor_a)
    bad = client.post(url(case, "extension-decision"), {"decision": "maybe"})
    assert bad.status_code == 400 and bad.json()["errors"][0]["attr"] == "decision"
    stale = client.post(
        url(case, "extension-decision"), {"decision": "approve", "request": extension.pk + 99}
    )
    assert stale.status_code == 400 and stale.json()["errors"][0]["attr"] == "request"
    assert state(extension) == PetitionRequest.State.PENDING

    first = client.post(
        url(case, "extension-decision"), {"decision": "approve", "request": extension.pk}
    )
    assert first.status_code == 200
    with translation.override("en"):
        again = client.post(
            url(case, "extension-decision"),
            {"decision": "reject"},
            HTTP_ACCEPT_LANGUAGE="en",
        )
    assert again.status_code == 400
    assert again.json()["errors"][0]["detail"] == (
        "No such request is waiting for a decision on this case."
    )
    assert state(extension) == PetitionRequest.State.APPROVED


# --- transfer requests --------------------------------------------------------------------------


def test_the_service_centre_approves_a_transfer(desk_user, case, transfer, agency_b):
    response = api(desk_user).post(url(case, "transfer-decision"), {"decision": "approve"})
    assert response.status_code == 200 and response.json()["state"] == "approved"
    petition = Petition.objects.get(pk=case.pk)
    assert petition.lead_agency == agency_b and petition.status == Status.ASSIGNED


def test_the_service_centre_declines_a_transfer(desk_user, case, transfer, agency_a):
    response = api(desk_user).post(
        url(case, "transfer-decision"), {"decision": "reject", "note": "仍屬工務局"}
    )
    assert response.status_code == 200 and response.json()["state"] == "rejected"
    assert Petition.objects.get(pk=case.pk).lead_agency == agency_a


@pytest.mark.parametrize(
    ("user_name", "status"),
    [("staff_a", 403), ("colleague_a", 403), ("supervisor_a", 403), ("staff_b", 404)],
)
def test_only_the_service_centre_decides_a_transfer(request, user_name, status, case, transfer):
    user = request.getfixturevalue(user_name)
    response = api(user).post(url(case, "transfer-decision"), {"decision": "approve"})
    assert response.status_code == status
    assert state(transfer) == PetitionRequest.State.PENDING


def test_a_transfer_request_without_an_agency_cannot_be_approved(desk_user, case, staff_a):
    req = services.petition_transfer_request(petition=case, by=staff_a, reason="不屬本局")
    with translation.override("en"):
        response = api(desk_user).post(
            url(case, "transfer-decision"), {"decision": "approve"}, HTTP_ACCEPT_LANGUAGE="en"
        )
    assert response.status_code == 400
    assert response.json()["errors"][0]["detail"] == (
        "The request names no agency: use “Transfer” and choose one."
    )
    assert state(req) == PetitionRequest.State.PENDING


def test_no_pending_transfer_is_a_400(desk_user, case, extension):
    response = api(desk_user).post(url(case, "transfer-decision"), {"decision": "approve"})
    assert response.status_code == 400


# --- the case's requests --------------------------------------------------------------------------


def test_the_case_requests_are_listed_for_who_may_open_the_case(
    staff_a, staff_b, case, extension, transfer
):
    response = api(staff_a).get(url(case, "requests"))
    assert response.status_code == 200
    listed = {(r["kind"], r["state"]) for r in response.json()}
    assert listed == {("extension", "pending"), ("transfer", "pending")}
    by_kind = {r["kind"]: r for r in response.json()}
    assert by_kind["transfer"]["proposed_agency"] == "WRB"
    assert by_kind["extension"]["proposed_due_at"] is not None
    assert api(staff_b).get(url(case, "requests")).status_code == 404


def test_the_requests_query_count_does_not_grow(staff_a, supervisor_a, case, agency_b):
    PetitionRequest.objects.create(
        petition=case, kind="transfer", reason="r", requested_by=staff_a, proposed_agency=agency_b
    )
    client = api(staff_a)
    client.get(url(case, "requests"))
    with CaptureQueriesContext(connection) as one:
        assert len(client.get(url(case, "requests")).json()) == 1
    PetitionRequest.objects.bulk_create(
        PetitionRequest(
            petition=case,
            kind="transfer",
            state="rejected",
            reason=f"r{n}",
            requested_by=staff_a,
            decided_by=supervisor_a,
            proposed_agency=agency_b,
        )
        for n in range(19)
    )
    with CaptureQueriesContext(connection) as twenty:
        assert len(client.get(url(case, "requests")).json()) == 20
    assert len(twenty) == len(one)


# --- bulk assignment ------------------------------------------------------------------------------


@pytest.fixture
def queue(frozen, agency_a, agency_b):
    cat = CategoryFactory(agency=agency_a)
    mine = AssignedPetitionFactory.create_batch(2, category=cat)
    theirs = AssignedPetitionFactory(category=CategoryFactory(agency=agency_b))
    return mine, theirs


@pytest.mark.parametrize("user_name", ["supervisor_a", "staff_a"])
def test_bulk_assignment_gives_the_agencys_cases_and_reports_the_rest(
    request, user_name, colleague_a, queue
):
    (first, second), theirs = queue
    user = request.getfixturevalue(user_name)
    ids = [first.pk, theirs.pk, second.pk, 999_999]
    response = api(user).post(BULK, {"petitions": ids, "assignee": colleague_a.pk}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert body["assigned"] == [
        {"id": first.pk, "number": first.number},
        {"id": second.pk, "number": second.number},
    ]
    # Another agency's case is reported like a missing one: its number is not given away.
    assert [(e["id"], e["number"]) for e in body["errors"]] == [(theirs.pk, None), (999_999, None)]
    assigned = Petition.objects.filter(pk__in=[first.pk, second.pk])
    assert {(p.assignee_id, p.status) for p in assigned} == {(colleague_a.pk, Status.IN_PROGRESS)}
    assert Petition.objects.get(pk=theirs.pk).assignee_id is None


def test_a_case_that_cannot_be_taken_on_is_reported_with_the_reason(
    supervisor_a, colleague_a, queue, staff_a
):
    (first, second), _theirs = queue
    services.petition_reply(petition=first, by=staff_a, text="已處理")
    response = api(supervisor_a).post(
        BULK, {"petitions": [first.pk, second.pk], "assignee": colleague_a.pk}, format="json"
    )
    body = response.json()
    assert [a["id"] for a in body["assigned"]] == [second.pk]
    assert body["errors"][0]["id"] == first.pk and body["errors"][0]["number"] == first.number
    assert Petition.objects.get(pk=first.pk).status == Status.REPLIED


def test_an_outsider_assigns_nothing(staff_b, queue):
    (first, second), _theirs = queue
    response = api(staff_b).post(
        BULK, {"petitions": [first.pk, second.pk], "assignee": staff_b.pk}, format="json"
    )
    assert response.status_code == 200 and response.json()["assigned"] == []
    assert not Petition.objects.filter(pk__in=[first.pk, second.pk], assignee__isnull=False)


@pytest.mark.parametrize(
    ("payload", "attr"),
    [
        ({"petitions": [], "assignee": "colleague"}, "petitions"),
        ({"petitions": ["x"], "assignee": "colleague"}, "petitions.0"),
        ({"petitions": list(range(1, 202)), "assignee": "colleague"}, "petitions"),
        ({"petitions": "first"}, "assignee"),
        ({"petitions": "first", "assignee": "outsider"}, "assignee"),
    ],
)
def test_bad_bulk_input_is_refused_and_changes_nothing(
    supervisor_a, colleague_a, staff_b, queue, payload, attr
):
    (first, _second), _theirs = queue
    people = {"colleague": colleague_a.pk, "outsider": staff_b.pk}
    data = dict(payload)
    if data.get("petitions") == "first":
        data["petitions"] = [first.pk]
    if "assignee" in data:
        data["assignee"] = people[data["assignee"]]
    response = api(supervisor_a).post(BULK, data, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == attr
    assert not Petition.objects.filter(assignee__isnull=False).exists()


def test_the_mayors_office_cannot_assign(mayor_office, colleague_a, queue):
    (first, _second), _theirs = queue
    response = api(mayor_office).post(
        BULK, {"petitions": [first.pk], "assignee": colleague_a.pk}, format="json"
    )
    assert response.status_code == 403


# --- the schema ---------------------------------------------------------------------------------


def test_the_new_actions_are_in_the_openapi_schema(client, staff_a):
    client.force_login(staff_a)
    schema = client.get(reverse("api-schema"), {"format": "json"}).json()
    for path in ("{id}/extension-decision/", "{id}/transfer-decision/", "{id}/requests/"):
        assert f"/api/v1/service-center/petitions/{path}" in schema["paths"]
    assert "/api/v1/service-center/petitions/bulk-assign/" in schema["paths"]
