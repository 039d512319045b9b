"""The agency work queue, the case page and the triage desk: owner, colleague, outsider."""

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from rdec_portal.workflow.calendar import is_working_day
from rdec_portal.workflow.models import AuditEntry
from service_center.petitions import services
from service_center.petitions.models import (
    Channel,
    Petition,
    PetitionEvent,
    PetitionRequest,
    Status,
)
from tests.accounts.factories import AgencyFactory
from tests.service_center.conftest import NOW
from tests.service_center.factories import AssignedPetitionFactory, CategoryFactory, PetitionFactory

QUEUE = reverse("service_center:queue")


def case_url(petition):
    return reverse("service_center:case", args=[petition.pk])


def action_url(petition, action):
    return reverse("service_center:case_action", args=[petition.pk, action])


def numbers(response):
    return [row["number"] for row in response.context["rows"]]


@pytest.fixture
def cases(frozen, agency_a, agency_b):
    """Three open cases of agency A (overdue, due soon, due later) and one of agency B."""
    cat = CategoryFactory(agency=agency_a)
    return {
        "late": AssignedPetitionFactory(
            number="1151120-0001", category=cat, due_at=NOW - timedelta(days=2), subject="坑洞未補"
        ),
        "soon": AssignedPetitionFactory(
            number="1151125-0001", category=cat, due_at=NOW + timedelta(hours=5), subject="路燈不亮"
        ),
        "later": AssignedPetitionFactory(
            number="1151126-0001",
            category=cat,
            due_at=NOW + timedelta(days=20),
            channel=Channel.PHONE_1999,
            description="人行道破損嚴重",
        ),
        "other": AssignedPetitionFactory(
            number="1151126-0002", category=CategoryFactory(agency=agency_b)
        ),
    }


# --- the queue --------------------------------------------------------------------------------


def test_the_queue_shows_only_the_agencys_cases_due_first(client, staff_a, cases):
    client.force_login(staff_a)
    response = client.get(QUEUE)
    assert response.status_code == 200
    assert numbers(response) == ["1151120-0001", "1151125-0001", "1151126-0001"]


def test_due_soon_and_overdue_are_shown_in_colour_and_words(client, staff_a, cases):
    client.force_login(staff_a)
    body = client.get(QUEUE).content.decode()
    assert 'class="due due-overdue" data-due="overdue">逾期 2 天' in body or (
        'data-due="overdue"' in body and 'data-due="soon"' in body and 'data-due="ok"' in body
    )
    rows = {row["number"]: row["due_state"] for row in client.get(QUEUE).context["rows"]}
    assert rows["1151120-0001"] == "overdue"
    assert rows["1151125-0001"] == "soon"
    assert rows["1151126-0001"] == "ok"


def test_the_rendered_filter_form_shows_a_new_or_renamed_category_at_once(
    client, staff_a, cases, agency_a, run_on_commit
):
    client.force_login(staff_a)
    assert "新設類別" not in client.get(QUEUE).content.decode()
    # The catalogue's version moves when the change commits.
    category = run_on_commit(CategoryFactory, agency=agency_a, name_zh="新設類別")
    assert "新設類別" in client.get(QUEUE).content.decode()
    category.name_zh = "改名類別"
    run_on_commit(category.save)
    body = client.get(QUEUE).content.decode()
    assert "改名類別" in body and "新設類別" not in body


def test_the_queue_reads_only_the_columns_its_table_prints(client, staff_a, cases):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(staff_a)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(QUEUE).status_code == 200
    page = next(
        q["sql"] for q in queries if q["sql"].startswith('SELECT "service_center_petition"."id"')
    )
    columns = page.split(" FROM ")[0]
    assert '"subject"' in columns and '"due_at"' in columns
    assert '"description"' not in columns and '"petitioner_email"' not in columns


def test_the_filter_form_keeps_what_was_typed_and_its_errors_per_query(client, staff_a, cases):
    client.force_login(staff_a)

    def due_within_field(query):
        # The field alone: a row's checkbox may carry value="3" too (a case's id).
        body = client.get(QUEUE, query).content.decode()
        return re.search(r'<input[^>]*name="due_within"[^>]*>', body)[0]

    wrong, right = due_within_field({"due_within": "abc"}), due_within_field({"due_within": "3"})
    assert 'value="abc"' in wrong and 'value="3"' not in wrong
    assert 'value="3"' in right and 'value="abc"' not in right


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"overdue": "on"}, ["1151120-0001"]),
        ({"due_within": "1"}, ["1151125-0001"]),
        ({"channel": "phone_1999"}, ["1151126-0001"]),
        ({"q": "1151125-0001"}, ["1151125-0001"]),
        ({"q": "人行道"}, ["1151126-0001"]),
        ({"q": "坑洞"}, ["1151120-0001"]),
        ({"sort": "-number"}, ["1151126-0001", "1151125-0001", "1151120-0001"]),
        ({"status": "replied"}, []),
    ],
)
def test_queue_filters_search_and_sorting(client, staff_a, cases, query, expected):
    client.force_login(staff_a)
    assert numbers(client.get(QUEUE, query)) == expected


def test_filter_by_category_district_and_date_range(client, staff_a, cases, agency_a):
    district = AgencyFactory(code="D-SANMIN", kind="district")
    cases["soon"].district = district
    cases["soon"].save()
    other = CategoryFactory(agency=agency_a)
    cases["later"].category = other
    cases["later"].received_at = NOW - timedelta(days=30)
    cases["later"].save()
    client.force_login(staff_a)

    assert numbers(client.get(QUEUE, {"district": district.pk})) == ["1151125-0001"]
    assert numbers(client.get(QUEUE, {"category": other.pk})) == ["1151126-0001"]
    old = client.get(QUEUE, {"received_from": "115/10/01", "received_to": "115/10/31"})
    assert numbers(old) == ["1151126-0001"]


def test_the_queue_pages_fifty_rows(client, staff_a, frozen, agency_a):
    AssignedPetitionFactory.create_batch(51, category=CategoryFactory(agency=agency_a))
    client.force_login(staff_a)
    first = client.get(QUEUE)
    assert len(first.context["rows"]) == 50
    # Keyset pages: the "Next" link carries where the first page stopped.
    second = client.get(QUEUE, {"after": first.context["page"].next_cursor})
    assert len(second.context["rows"]) == 1
    back = client.get(QUEUE, {"before": second.context["page"].previous_cursor})
    assert numbers(back) == numbers(first)


def test_queue_query_count_does_not_grow_with_rows(client, frozen, agency_a, agency_b):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.accounts.factories import UserFactory

    AssignedPetitionFactory(category=CategoryFactory(agency=agency_a))
    AssignedPetitionFactory.create_batch(20, category=CategoryFactory(agency=agency_b))
    counts = []
    for agency in (agency_a, agency_b):
        user = UserFactory(agency=agency, roles=["agency_staff"])
        client.force_login(user)
        client.get(QUEUE)  # the session, the roles and the working-day calendar load once
        with CaptureQueriesContext(connection) as queries:
            assert len(client.get(QUEUE).context["rows"]) in (1, 20)
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 14


def test_a_supervisor_gives_ticked_cases_to_a_handler(client, supervisor_a, staff_a, cases):
    client.force_login(supervisor_a)
    response = client.post(
        reverse("service_center:queue_assign"),
        {"cases": [cases["late"].pk, cases["soon"].pk, cases["other"].pk], "assignee": staff_a.pk},
    )
    assert response.status_code == 302
    assert set(Petition.objects.filter(assignee=staff_a).values_list("number", flat=True)) == {
        "1151120-0001",
        "1151125-0001",
    }
    assert Petition.objects.get(pk=cases["other"].pk).assignee is None


# --- the case page ----------------------------------------------------------------------------


def test_another_agencys_case_is_not_found(client, staff_b, cases):
    client.force_login(staff_b)
    assert client.get(case_url(cases["late"])).status_code == 404
    assert client.post(action_url(cases["late"], "reply"), {"text": "x"}).status_code == 404


def test_the_handling_agency_sees_contact_details_and_each_view_is_audited(
    client, staff_a, colleague_a, cases
):
    petition = cases["late"]
    for user in (staff_a, colleague_a):
        client.force_login(user)
        body = client.get(case_url(petition)).content.decode()
        assert petition.petitioner_email in body and 'id="personal-data"' in body
    views = AuditEntry.objects.filter(action="view_personal_data", object_id=str(petition.pk))
    assert {v.actor for v in views} == {staff_a, colleague_a}
    assert views.first().changes["viewed_fields"][0] == "petitioner_name"


def test_a_supporting_agency_and_the_mayors_office_see_the_case_but_not_the_petitioner(
    client, staff_b, mayor_office, cases
):
    petition = cases["late"]
    petition.supporting_agencies.add(staff_b.agency)
    for user in (staff_b, mayor_office):
        client.force_login(user)
        response = client.get(case_url(petition))
        body = response.content.decode()
        assert response.status_code == 200
        assert petition.petitioner_email not in body and 'id="personal-hidden"' in body
        assert response.context["forms"] == {}
    assert not AuditEntry.objects.filter(action="view_personal_data").exists()
    client.force_login(mayor_office)
    assert client.post(action_url(petition, "note"), {"text": "x"}).status_code == 403


def test_the_handler_replies_from_the_case_page(client, staff_a, cases):
    petition = cases["late"]
    client.force_login(staff_a)
    assert client.post(action_url(petition, "reply"), {"text": ""}).status_code == 400
    response = client.post(action_url(petition, "reply"), {"text": "已派員修補坑洞。"})
    assert response.status_code == 302
    petition.refresh_from_db()
    assert petition.status == Status.REPLIED and petition.reply == "已派員修補坑洞。"
    client.post(action_url(petition, "close"))
    petition.refresh_from_db()
    assert petition.status == Status.CLOSED


def test_an_internal_note_stays_internal(client, staff_a, cases):
    client.force_login(staff_a)
    client.post(action_url(cases["late"], "note"), {"text": "已聯絡承包商"})
    event = PetitionEvent.objects.get(kind=PetitionEvent.Kind.NOTE)
    assert event.text == "已聯絡承包商" and not event.is_public


def test_html_in_a_petition_is_shown_as_text_to_staff(client, staff_a, cases):
    petition = cases["late"]
    petition.description = "<script>alert(1)</script>"
    petition.save()
    client.force_login(staff_a)
    body = client.get(case_url(petition)).content.decode()
    assert "<script>alert(1)" not in body and "&lt;script&gt;alert(1)" in body


def test_an_extension_is_asked_by_the_handler_and_decided_by_a_supervisor(
    client, staff_a, colleague_a, supervisor_a, cases
):
    petition = cases["soon"]
    client.force_login(staff_a)
    new_day = date(2026, 12, 10)
    assert is_working_day(new_day)
    client.post(action_url(petition, "extension"), {"new_due_on": "115/12/10", "reason": "待會勘"})
    request = PetitionRequest.objects.get(kind="extension")
    approve = reverse("service_center:request_decide", args=[request.pk, "approve"])

    client.force_login(colleague_a)
    assert client.post(approve).status_code == 403
    client.force_login(supervisor_a)
    assert client.post(approve, {"note": "同意"}).status_code == 302

    petition.refresh_from_db()
    assert petition.due_at.date() == new_day
    assert petition.events.filter(kind="extension_approved", is_public=True).exists()


def test_a_transfer_request_is_approved_by_the_service_centre(
    client, staff_a, desk_user, agency_b, cases
):
    petition = cases["late"]
    client.force_login(staff_a)
    client.post(
        action_url(petition, "transfer-request"), {"agency": agency_b.pk, "reason": "屬水利局"}
    )
    request = PetitionRequest.objects.get(kind="transfer")
    approve = reverse("service_center:request_decide", args=[request.pk, "approve"])
    assert client.post(approve).status_code == 403

    client.force_login(desk_user)
    assert client.post(approve).status_code == 302
    petition.refresh_from_db()
    assert petition.lead_agency == agency_b


# --- the triage desk --------------------------------------------------------------------------


def test_the_desk_is_for_the_service_centre_only(client, staff_a, desk_user, frozen):
    client.force_login(staff_a)
    assert client.get(reverse("service_center:desk")).status_code == 403
    assert client.get(reverse("service_center:record")).status_code == 403
    client.force_login(desk_user)
    assert client.get(reverse("service_center:desk")).status_code == 200


def test_the_desk_records_a_phone_petition_and_assigns_it(
    client, desk_user, category, agency_b, frozen
):
    client.force_login(desk_user)
    response = client.post(
        reverse("service_center:record"),
        {
            "idempotency_key": "k" * 32,
            "channel": "phone_1999",
            "category": category.pk,
            "subject": "路樹倒塌",
            "description": "中正路上路樹倒塌擋住車道。",
            "address": "苓雅區中正一路",
            "name": "林先生",
            "phone": "0911222333",
            "has_consented": "on",
        },
    )
    petition = Petition.objects.get()
    assert response.status_code == 200 and 'id="case-secret"' in response.content.decode()
    assert petition.channel == Channel.PHONE_1999 and petition.status == Status.VERIFIED
    assert petition.number in client.get(reverse("service_center:desk")).content.decode()

    client.post(
        action_url(petition, "assign"), {"agency": category.agency.pk, "supporting": [agency_b.pk]}
    )
    petition.refresh_from_db()
    assert petition.status == Status.ASSIGNED and petition.lead_agency == category.agency


def test_the_desk_merges_and_closes_as_not_handled(client, desk_user, frozen):
    original = AssignedPetitionFactory()
    duplicate = PetitionFactory()
    nameless = PetitionFactory(petitioner_name="", is_anonymous=True)
    client.force_login(desk_user)

    assert client.post(action_url(duplicate, "merge"), {"into": "no-such"}).status_code == 400
    client.post(action_url(duplicate, "merge"), {"into": original.number})
    client.post(action_url(nameless, "not-handled"), {"reason": "no_identity", "note": ""})

    duplicate.refresh_from_db()
    nameless.refresh_from_db()
    assert duplicate.status == Status.MERGED and duplicate.merged_into == original
    assert nameless.status == Status.NOT_HANDLED


def test_agency_staff_cannot_triage(client, staff_a, frozen, agency_a):
    petition = PetitionFactory(lead_agency=agency_a)
    client.force_login(staff_a)
    response = client.post(action_url(petition, "not-handled"), {"reason": "no_content"})
    assert response.status_code == 403


def test_the_anonymous_flag_is_shown(client, desk_user, frozen):
    petition = PetitionFactory(
        petitioner_name="", is_anonymous=True, latitude=Decimal("22.6"), longitude=Decimal("120.3")
    )
    client.force_login(desk_user)
    assert 'id="anonymous-flag"' in client.get(case_url(petition)).content.decode()


def test_staff_home_links_the_line(client, staff_a, cases):
    client.force_login(staff_a)
    response = client.get(reverse("service_center:home"))
    assert response.status_code == 200
    assert response.context["overdue_count"] == 1 and response.context["open_count"] == 3
    assert services.REPLY_KIND == "service_center.reply"


def test_case_page_query_count_does_not_grow_with_history(client, staff_a, frozen, agency_a):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.service_center.factories import EventFactory

    short, long = AssignedPetitionFactory.create_batch(2, category=CategoryFactory(agency=agency_a))
    EventFactory(petition=short)
    EventFactory.create_batch(20, petition=long, actor=staff_a, agency=agency_a)
    client.force_login(staff_a)
    client.get(case_url(short))
    counts = []
    for petition in (short, long):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(case_url(petition)).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_the_case_page_reads_survey_and_me_too_count_with_the_case(client, staff_a, cases):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from service_center.nearby.models import PetitionFollower
    from service_center.petitions.models import SurveyAnswer

    petition = cases["late"]
    SurveyAnswer.objects.create(petition=petition, outcome=4, service=5, comment="謝謝")
    PetitionFollower.objects.create(petition=petition)
    client.force_login(staff_a)
    with CaptureQueriesContext(connection) as queries:
        body = client.get(case_url(petition)).content.decode()
    assert "謝謝" in body and 'id="survey-result"' in body
    sql = [q["sql"] for q in queries]
    # Joined to the case's own query, not asked for separately.
    assert not any('FROM "service_center_surveyanswer" WHERE' in q for q in sql)
    assert not any(
        q.startswith('SELECT COUNT(*) AS "__count" FROM "service_center_petitionfollower"')
        for q in sql
    )
    assert any('JOIN "service_center_surveyanswer"' in q and "petitionfollower" in q for q in sql)


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "ods"])
def test_the_filtered_queue_exports_without_personal_data(client, staff_a, cases, fmt):
    client.force_login(staff_a)
    url = reverse("service_center:queue_export", args=[fmt])
    response = client.get(url, {"overdue": "on"})

    assert response.status_code == 200
    assert response["Content-Disposition"].endswith(f'.{fmt}"')
    assert AuditEntry.objects.filter(action="export", actor=staff_a).exists()
    if fmt == "csv":
        text = response.content.decode("utf-8-sig")
        assert "1151120-0001" in text and "1151125-0001" not in text
        assert cases["late"].petitioner_email not in text and "1151126-0002" not in text


def test_an_unknown_export_format_is_not_found(client, staff_a, db):
    client.force_login(staff_a)
    assert client.get(reverse("service_center:queue_export", args=["pdf"])).status_code == 404


def test_every_field_on_the_case_page_has_its_own_id_and_label(client, staff_a, cases):
    """The reply, note, extension and transfer forms share field names; ids must stay unique."""
    import re
    from collections import Counter

    client.force_login(staff_a)
    body = client.get(case_url(cases["late"])).content.decode()
    ids = Counter(re.findall(r'\sid="([^"]+)"', body))
    assert [name for name, count in ids.items() if count > 1] == []
    for target in re.findall(r'<label for="([^"]+)"', body):
        assert ids[target] == 1
