"""Reply templates: placeholders, keeping them (supervisor / colleague / outsider / service centre),
the no-JS picker on the case page, and query counts."""

import io

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from rdec_portal.accounts import roles
from rdec_portal.workflow.models import AuditEntry
from service_center.petitions.models import Petition, Status
from service_center.replies import services as reply_templates
from service_center.replies.models import ReplyTemplate
from service_center.replies.services import ReplyTemplateError
from tests.accounts.factories import UserFactory
from tests.service_center.factories import AssignedPetitionFactory, CategoryFactory

LIST = reverse("service_center:reply_templates")
NEW = reverse("service_center:reply_template_new")
BODY = "您好，案號 {number}（{received_date} 收件，{category}）已由{agency}處理完畢。"


def edit_url(template):
    return reverse("service_center:reply_template_edit", args=[template.pk])


def state_url(template, state):
    return reverse("service_center:reply_template_state", args=[template.pk, state])


def case_url(petition):
    return reverse("service_center:case", args=[petition.pk])


def make(agency, title="路燈已修復", body=BODY, **kwargs):
    return ReplyTemplate.objects.create(agency=agency, title=title, body=body, **kwargs)


@pytest.fixture
def supervisor_b(agency_b):
    return UserFactory(username="supervisor_b", agency=agency_b, roles=[roles.AGENCY_SUPERVISOR])


@pytest.fixture
def case(frozen, category):
    return AssignedPetitionFactory(number="1151126-0042", category=category)


@pytest.fixture
def offered(agency_a, agency_b, category):
    """Agency A's, a city-wide one, and ones that must not be offered on agency A's case."""
    return {
        "own": make(agency_a, title="A 已修復"),
        "citywide": make(None, title="通用回覆", body="感謝您的來信（{number}）。"),
        "other_agency": make(agency_b, title="B 的範本", body="水利局專用文字"),
        "inactive": make(agency_a, title="停用的範本", is_active=False),
        "other_category": make(agency_a, title="別的類別", category=CategoryFactory()),
    }


# --- the text -----------------------------------------------------------------------------------


def test_placeholders_are_filled_from_the_case_in_the_citizens_language(case, agency_a):
    template = make(agency_a)
    text = reply_templates.render_template(template=template, petition=case)
    assert text == (
        f"您好，案號 1151126-0042（民國115年11月26日 收件，{case.category.name_zh}）"
        f"已由{agency_a.name_zh}處理完畢。"
    )
    case.language = "en"
    english = reply_templates.render_template(template=template, petition=case)
    assert case.category.name_en in english and agency_a.name_en in english


def test_a_template_with_an_unknown_placeholder_is_refused(supervisor_a, agency_a):
    with pytest.raises(ReplyTemplateError) as caught:
        reply_templates.reply_template_create(
            by=supervisor_a, agency=agency_a, title="t", body="案號 {numbr}"
        )
    with translation.override("en"):
        assert caught.value.message_dict["body"] == [
            "Unknown placeholder {numbr}. Use {number}, {received_date}, {category} or {agency}."
        ]
    assert not ReplyTemplate.objects.exists()


def test_empty_title_and_text_are_refused(supervisor_a, agency_a):
    with pytest.raises(ReplyTemplateError) as caught:
        reply_templates.reply_template_create(by=supervisor_a, agency=agency_a, title=" ", body="")
    assert set(caught.value.message_dict) == {"title", "body"}


def test_titles_are_unique_per_agency_and_among_city_wide_templates(
    supervisor_a, desk_user, agency_a, agency_b
):
    reply_templates.reply_template_create(by=supervisor_a, agency=agency_a, title="結案", body="x")
    with pytest.raises(ReplyTemplateError) as caught:
        reply_templates.reply_template_create(
            by=supervisor_a, agency=agency_a, title="結案", body="y"
        )
    with translation.override("en"):
        assert caught.value.message_dict == {
            "title": ["Another template of this agency already has this title."]
        }
    reply_templates.reply_template_create(by=desk_user, agency=agency_b, title="結案", body="z")
    reply_templates.reply_template_create(by=desk_user, agency=None, title="結案", body="w")
    with pytest.raises(ReplyTemplateError):
        reply_templates.reply_template_create(by=desk_user, agency=None, title="結案", body="v")
    assert ReplyTemplate.objects.count() == 3


def test_the_database_refuses_duplicate_titles_even_without_an_agency(agency_a):
    make(agency_a, title="同名")
    make(None, title="同名")
    for agency in (agency_a, None):
        with pytest.raises(IntegrityError), transaction.atomic():
            make(agency, title="同名")


def test_every_change_is_audited(supervisor_a, agency_a):
    template = reply_templates.reply_template_create(
        by=supervisor_a, agency=agency_a, title="t", body="a"
    )
    reply_templates.reply_template_update(template=template, by=supervisor_a, title="t", body="b")
    reply_templates.reply_template_set_active(template=template, by=supervisor_a, is_active=False)
    entries = AuditEntry.objects.filter(object_id=str(template.pk), actor=supervisor_a)
    assert [e.action for e in entries.order_by("id")] == ["create", "update", "update"]
    assert entries.order_by("id")[1].changes == {"body": ["a", "b"]}
    assert entries.order_by("id")[2].changes == {"is_active": [True, False]}


# --- keeping them: pages and permissions --------------------------------------------------------


def test_staff_see_their_agencys_and_the_city_wide_templates_only(client, staff_a, offered):
    client.force_login(staff_a)
    response = client.get(LIST)
    assert response.status_code == 200
    listed = [t.pk for t, _manage in response.context["rows"]]
    assert listed[0] == offered["citywide"].pk  # city-wide first, on every database
    shown = set(listed)
    assert offered["own"].pk in shown and offered["citywide"].pk in shown
    assert offered["other_agency"].pk not in shown
    assert not response.context["can_create"]
    assert "水利局專用文字" not in response.content.decode()


def test_a_supervisor_creates_for_their_own_agency_whatever_is_posted(
    client, supervisor_a, agency_a, agency_b
):
    client.force_login(supervisor_a)
    assert client.get(NEW).status_code == 200
    response = client.post(NEW, {"title": "已派員", "body": BODY, "agency": agency_b.pk})
    assert response.status_code == 302
    template = ReplyTemplate.objects.get()
    assert template.agency == agency_a and template.created_by == supervisor_a
    assert AuditEntry.objects.filter(action="create", object_id=str(template.pk)).exists()


def test_the_service_centre_creates_city_wide_templates(client, desk_user):
    client.force_login(desk_user)
    response = client.post(NEW, {"title": "通用", "body": "感謝來信。", "agency": ""})
    assert response.status_code == 302
    assert ReplyTemplate.objects.get().agency is None


def test_a_bad_template_keeps_the_typed_text_and_says_why(client, supervisor_a):
    client.force_login(supervisor_a)
    response = client.post(NEW, {"title": "已派員", "body": "案號 {case_no} 已處理"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "案號 {case_no} 已處理" in page and 'id="id_body_error"' in page
    assert not ReplyTemplate.objects.exists()


@pytest.mark.parametrize("user_name", ["staff_a", "colleague_a", "mayor_office"])
def test_staff_and_the_mayors_office_cannot_create_or_edit(client, request, user_name, offered):
    client.force_login(request.getfixturevalue(user_name))
    assert client.get(NEW).status_code == 403
    assert client.post(edit_url(offered["own"]), {"title": "x", "body": "y"}).status_code == 403
    assert client.post(state_url(offered["own"], "deactivate")).status_code == 403
    assert ReplyTemplate.objects.get(pk=offered["own"].pk).title == "A 已修復"


def test_a_supervisor_edits_their_agencys_templates_but_not_city_wide_ones(
    client, supervisor_a, offered
):
    client.force_login(supervisor_a)
    response = client.post(edit_url(offered["own"]), {"title": "A 已修復", "body": "新的文字"})
    assert response.status_code == 302
    assert ReplyTemplate.objects.get(pk=offered["own"].pk).body == "新的文字"
    assert client.get(edit_url(offered["citywide"])).status_code == 403


def test_another_agencys_template_is_a_404(client, supervisor_b, offered):
    client.force_login(supervisor_b)
    assert client.get(edit_url(offered["own"])).status_code == 404
    assert client.post(state_url(offered["own"], "deactivate")).status_code == 404
    assert ReplyTemplate.objects.get(pk=offered["own"].pk).is_active


def test_deactivating_and_reactivating(client, supervisor_a, offered):
    client.force_login(supervisor_a)
    template = offered["own"]
    assert client.post(state_url(template, "deactivate")).status_code == 302
    assert not ReplyTemplate.objects.get(pk=template.pk).is_active
    assert client.post(state_url(template, "activate")).status_code == 302
    assert ReplyTemplate.objects.get(pk=template.pk).is_active
    assert client.post(state_url(template, "delete")).status_code == 404
    assert client.get(state_url(template, "deactivate")).status_code == 405


def test_the_list_page_query_count_does_not_grow(client, supervisor_a, agency_a):
    client.force_login(supervisor_a)
    make(agency_a, title="t0")
    client.get(LIST)
    with CaptureQueriesContext(connection) as one:
        client.get(LIST)
    for n in range(1, 20):
        make(agency_a if n % 2 else None, title=f"t{n}", category=CategoryFactory())
    with CaptureQueriesContext(connection) as twenty:
        response = client.get(LIST)
    assert len(response.context["rows"]) == 20
    assert len(twenty) == len(one)


# --- the picker on the case page ----------------------------------------------------------------


def test_the_picker_offers_the_lead_agencys_and_city_wide_templates(client, staff_a, case, offered):
    client.force_login(staff_a)
    response = client.get(case_url(case))
    assert response.status_code == 200
    picker = response.context["reply_picker"]
    assert [t.pk for t in picker["templates"]] == [offered["own"].pk, offered["citywide"].pk]
    assert 'id="reply-template-picker"' in response.content.decode()


def test_choosing_a_template_prefills_the_reply_which_the_handler_then_edits(
    client, staff_a, case, offered
):
    client.force_login(staff_a)
    response = client.get(case_url(case), {"template": offered["own"].pk})
    assert response.status_code == 200
    prefilled = response.context["forms"]["reply"].initial["text"]
    assert prefilled.startswith("您好，案號 1151126-0042（民國115年11月26日 收件")
    assert prefilled in response.content.decode()
    assert response.context["reply_picker"]["selected"] == offered["own"].pk

    edited = prefilled + "\n另已通知養護廠商定期巡查。"
    sent = client.post(
        reverse("service_center:case_action", args=[case.pk, "reply"]), {"text": edited}
    )
    assert sent.status_code == 302
    case.refresh_from_db()
    assert case.status == Status.REPLIED and case.reply == edited


@pytest.mark.parametrize("chosen", ["other_agency", "inactive", "other_category", "junk"])
def test_a_template_not_offered_fills_nothing_and_leaks_nothing(
    client, staff_a, case, offered, chosen
):
    client.force_login(staff_a)
    value = "abc" if chosen == "junk" else offered[chosen].pk
    response = client.get(case_url(case), {"template": value})
    assert response.status_code == 200
    assert not response.context["forms"]["reply"].initial
    assert response.context["reply_picker"]["error"]
    assert 'id="reply-template-error"' in response.content.decode()
    assert "水利局專用文字" not in response.content.decode()


def test_no_picker_when_the_user_cannot_reply_now(client, staff_b, staff_a, case, offered):
    case.supporting_agencies.add(staff_b.agency)
    client.force_login(staff_b)
    response = client.get(case_url(case), {"template": offered["own"].pk})
    assert response.context["reply_picker"] is None
    assert "reply" not in response.context["forms"]

    Petition.objects.filter(pk=case.pk).update(status=Status.REPLIED)
    client.force_login(staff_a)
    replied = client.get(case_url(case), {"template": offered["own"].pk})
    assert replied.context["reply_picker"] is None
    assert 'id="reply-template-picker"' not in replied.content.decode()


def test_the_case_page_query_count_does_not_grow_with_templates(client, staff_a, case, agency_a):
    client.force_login(staff_a)
    make(agency_a, title="t0")
    client.get(case_url(case))
    with CaptureQueriesContext(connection) as one:
        client.get(case_url(case))
    for n in range(1, 20):
        make(agency_a if n % 2 else None, title=f"t{n}")
    with CaptureQueriesContext(connection) as twenty:
        response = client.get(case_url(case))
    assert len(response.context["reply_picker"]["templates"]) == 20
    assert len(twenty) == len(one)


# --- the admin ------------------------------------------------------------------------------------


def test_the_admin_refuses_an_unknown_placeholder_and_audits_a_good_template(
    client, administrator, agency_a
):
    client.force_login(administrator)
    url = reverse("admin:service_center_replytemplate_add")
    bad = client.post(
        url, {"agency": agency_a.pk, "title": "t", "body": "{foo}", "is_active": "on"}
    )
    assert bad.status_code == 200 and not ReplyTemplate.objects.exists()
    good = client.post(url, {"agency": agency_a.pk, "title": "t", "body": BODY, "is_active": "on"})
    assert good.status_code == 302
    template = ReplyTemplate.objects.get()
    assert AuditEntry.objects.filter(
        action="create", object_id=str(template.pk), actor=administrator
    ).exists()


# --- demo data ------------------------------------------------------------------------------------


def test_the_demo_templates_are_valid_and_seeded_once(db):
    from rdec_portal.accounts.services import agencies_load
    from service_center.petitions.catalogue import categories_load
    from service_center.replies.demo import seed_reply_templates

    agencies_load()
    categories_load()
    out = io.StringIO()
    seed_reply_templates(stdout=out)
    seed_reply_templates(stdout=out)
    templates = list(ReplyTemplate.objects.all())
    assert len(templates) == 2
    assert {t.agency is None for t in templates} == {True, False}
    assert all(reply_templates.placeholder_error(t.body) is None for t in templates)
