"""POST requests: a partner system files a petition with its api_key, form-encoded."""

from decimal import Decimal

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from rdec_portal.accounts import roles
from rdec_portal.accounts.services import api_token_create
from rdec_portal.workflow.audit import audit_history
from rdec_portal.workflow.models import AuditEntry
from service_center.open311 import auth
from service_center.petitions.models import Channel, Petition, Status
from tests.accounts.factories import UserFactory
from tests.service_center.factories import CategoryFactory
from tests.service_center.open311.conftest import BASE, parse

NAME, EMAIL, PHONE = "林美玲", "meiling@example.com", "0933-222-111"


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


def form(api_key, **overrides):
    data = {
        "api_key": api_key,
        "jurisdiction_id": "kcg.gov.tw",
        "service_code": "street-light",
        "lat": "22.6395",
        "long": "120.3021",
        "address_string": "高雄市三民區自由一路與民族一路口",
        "description": "路燈不亮已經三天。\n請盡快修理。",
        "first_name": "美玲",
        "last_name": "林",
        "email": EMAIL,
        "phone": PHONE,
        "media_url": "https://photos.example.org/lamp.jpg",
        "attribute[lamp_state]": "out",
        "attribute[lamp_id]": "SM-1234",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def post(client, data, fmt="json", language=None):
    headers = {"Accept-Language": language} if language else {}
    return client.post(f"{BASE}requests.{fmt}", data, headers=headers)


def test_a_form_encoded_post_files_a_petition_and_answers_its_number(
    client, frozen, lamp, api_key, system_account
):
    response = post(client, form(api_key), language="en")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    petition = Petition.objects.get()
    assert parse(response) == [
        {
            "service_request_id": petition.number,
            "service_notice": "Dispatch case: the responsible agency reports back within 24 hours.",
        }
    ]
    assert petition.channel == Channel.API
    assert petition.status == Status.VERIFIED
    assert petition.created_by == system_account
    assert petition.category == lamp
    assert petition.subject == "路燈不亮已經三天。"
    assert petition.description == "路燈不亮已經三天。\n請盡快修理。"
    assert (petition.latitude, petition.longitude) == (Decimal("22.639500"), Decimal("120.302100"))
    assert petition.address == "高雄市三民區自由一路與民族一路口"
    assert petition.answers == {"lamp_state": "out", "lamp_id": "SM-1234"}
    assert (petition.petitioner_name, petition.petitioner_email, petition.petitioner_phone) == (
        NAME,
        EMAIL,
        PHONE,
    )
    assert petition.has_consented is True
    assert petition.media_url == "https://photos.example.org/lamp.jpg"
    assert petition.due_at is not None


def test_the_answer_carries_the_service_notice_and_no_personal_data(client, frozen, lamp, api_key):
    response = post(client, form(api_key), fmt="xml", language="en")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    [answer] = parse(response)
    assert set(answer) == {"service_request_id", "service_notice"}
    assert answer["service_notice"] == (
        "Dispatch case: the responsible agency reports back within 24 hours."
    )
    for secret in (NAME, EMAIL, PHONE, "美玲"):
        assert secret.encode() not in response.content


def test_the_filing_is_audited_as_the_system_account(client, frozen, lamp, api_key, system_account):
    post(client, form(api_key))
    petition = Petition.objects.get()
    [entry] = audit_history(petition)
    assert entry.action == AuditEntry.Action.CREATE
    assert entry.actor == system_account


def test_the_citizen_is_emailed_the_number_and_secret(
    client, frozen, lamp, api_key, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        post(client, form(api_key))
    petition = Petition.objects.get()
    assert [m.to for m in mailoutbox] == [[EMAIL]]
    assert petition.number in mailoutbox[0].body


def test_the_token_records_its_use(client, frozen, lamp, api_key, system_account):
    post(client, form(api_key))
    assert system_account.api_tokens.get().last_used_at == timezone.now()


@pytest.mark.parametrize("also_in_the_body", [False, True])
def test_a_key_in_the_query_string_is_refused(client, frozen, lamp, api_key, also_in_the_body):
    # A URL lands in access logs: the key must come in the body only.
    data = form(api_key)
    if not also_in_the_body:
        del data["api_key"]
    response = client.post(f"{BASE}requests.json?api_key={api_key}", data)
    assert response.status_code == 400
    [error] = response.json()
    assert error["code"] == 400
    assert "POST" in error["description"] and "api_key" in error["description"]
    assert not Petition.objects.exists()


def test_several_values_for_a_multivaluelist(client, frozen, lamp, api_key):
    response = client.post(
        f"{BASE}requests.json",
        {**form(api_key), "attribute[when][]": ["night", "day"], "attribute[fms_id]": "77"},
    )
    assert response.status_code == 200
    assert Petition.objects.get().answers["when"] == ["night", "day"]


def test_one_value_for_a_multivaluelist_without_brackets(client, frozen, lamp, api_key):
    assert post(client, form(api_key, **{"attribute[when]": "night"})).status_code == 200
    assert Petition.objects.get().answers["when"] == ["night"]


def test_a_western_name_reads_given_name_first(client, frozen, lamp, api_key):
    post(client, form(api_key, first_name="John", last_name="Smith"))
    assert Petition.objects.get().petitioner_name == "John Smith"


def test_no_description_takes_the_service_name(client, frozen, lamp, api_key):
    response = post(client, form(api_key, description=""), language="zh-hant")
    assert response.status_code == 200
    petition = Petition.objects.get()
    assert petition.description == petition.subject == "路燈故障"


def test_an_address_alone_is_location_enough(client, frozen, lamp, api_key):
    response = post(client, form(api_key, lat=None, long=None))
    assert response.status_code == 200
    assert Petition.objects.get().latitude is None


def test_an_anonymous_report_is_taken_and_flagged(client, frozen, lamp, api_key):
    data = form(api_key, first_name=None, last_name=None, email=None, phone=None)
    assert post(client, data).status_code == 200
    petition = Petition.objects.get()
    assert petition.is_anonymous is True
    assert petition.has_consented is False


def test_the_petition_is_filed_in_the_requests_language(client, frozen, lamp, api_key):
    post(client, form(api_key), language="en")
    assert Petition.objects.get().language == "en"


# --- the key ----------------------------------------------------------------------------------


def _refused(response, status=403):
    assert response.status_code == status
    [error] = parse(response)
    assert int(error["code"]) == status
    assert Petition.objects.count() == 0
    return error["description"]


def test_no_key_is_403(client, frozen, lamp):
    data = form("")
    assert "api_key" in _refused(post(client, data, language="en"))


def test_a_wrong_key_is_403_in_xml_too(client, frozen, lamp, api_key):
    response = post(client, form("not-a-key"), fmt="xml")
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    assert b"<errors><error><code>403</code>" in response.content
    _refused(response)


def test_a_revoked_key_is_403(client, frozen, lamp, api_key, system_account):
    system_account.api_tokens.get().revoke()
    _refused(post(client, form(api_key)))


def test_an_inactive_accounts_key_is_403(client, frozen, lamp, api_key, system_account):
    system_account.is_active = False
    system_account.save()
    _refused(post(client, form(api_key)))


@pytest.mark.parametrize("role", [roles.AGENCY_STAFF, roles.MAYOR_OFFICE, roles.RDEC_RESEARCH])
def test_a_key_without_the_service_centre_role_is_403(client, frozen, lamp, agency_a, role):
    user = UserFactory(username=f"u-{role}", agency=agency_a, roles=[role])
    _token, key = api_token_create(user=user, name="script")
    _refused(post(client, form(key)))


def test_a_key_is_rate_limited(client, frozen, lamp, api_key, monkeypatch):
    monkeypatch.setattr(auth, "POST_LIMIT", 2)
    assert post(client, form(api_key)).status_code == 200
    assert post(client, form(api_key)).status_code == 200

    response = post(client, form(api_key))

    assert response.status_code == 429
    assert parse(response)[0]["code"] == 429
    assert 1 <= int(response["Retry-After"]) <= auth.POST_WINDOW_SECONDS
    assert Petition.objects.count() == 2


def test_the_limit_is_per_key(client, frozen, lamp, api_key, system_account, monkeypatch):
    monkeypatch.setattr(auth, "POST_LIMIT", 1)
    _token, other_key = api_token_create(user=system_account, name="city app")
    assert post(client, form(api_key)).status_code == 200
    assert post(client, form(other_key)).status_code == 200
    assert post(client, form(api_key)).status_code == 429


def test_the_limit_resets_after_the_window(client, frozen, lamp, api_key, monkeypatch):
    monkeypatch.setattr(auth, "POST_LIMIT", 1)
    assert post(client, form(api_key)).status_code == 200
    assert post(client, form(api_key)).status_code == 429
    frozen.shift(auth.POST_WINDOW_SECONDS + 1)
    assert post(client, form(api_key)).status_code == 200


# --- bad input: a clear 400 or 404 and nothing saved --------------------------------------------


def test_no_service_code_is_400(client, frozen, lamp, api_key):
    assert "service_code" in _refused(post(client, form(api_key, service_code="")), 400)


@pytest.mark.parametrize("code", ["no-such-service", "retired"])
def test_an_unknown_or_retired_service_code_is_404(client, frozen, lamp, api_key, agency_a, code):
    CategoryFactory(code="retired", agency=agency_a, is_active=False)
    assert code in _refused(post(client, form(api_key, service_code=code)), 404)


def test_another_jurisdiction_is_404(client, frozen, lamp, api_key):
    _refused(post(client, form(api_key, jurisdiction_id="sfgov.org")), 404)


@pytest.mark.parametrize(
    ("location", "mentions"),
    [
        ({"lat": "north", "long": "120.3"}, "lat must be a number"),
        ({"lat": "NaN", "long": "120.3"}, "lat must be a number"),
        ({"lat": "22.6", "long": None}, "both lat and long"),
        # Taipei City Hall.
        ({"lat": "25.0375", "long": "121.5637"}, "outside Kaohsiung"),
        ({"lat": None, "long": None, "address_string": ""}, "location is required"),
        (
            {"lat": None, "long": None, "address_string": "", "address_id": "A-17"},
            "address_id is not supported",
        ),
    ],
)
def test_a_bad_location_is_400(client, frozen, lamp, api_key, location, mentions):
    response = post(client, form(api_key, **location), language="en")
    assert mentions in _refused(response, 400)


@pytest.mark.parametrize(
    ("attributes", "mentions"),
    [
        ({"attribute[lamp_state]": None}, "attribute[lamp_state]: This question needs an answer."),
        ({"attribute[lamp_state]": "exploded"}, "attribute[lamp_state]: Choose from the list."),
        ({"attribute[when][]": ["night", "dusk"]}, "attribute[when]: Choose from the list."),
        ({"attribute[lamp_id]": ["1", "2"]}, "attribute[lamp_id] takes one value."),
    ],
)
def test_answers_are_checked_against_the_service_definition(
    client, frozen, lamp, api_key, attributes, mentions
):
    response = post(client, form(api_key, **attributes), language="en")
    assert mentions in _refused(response, 400)


def test_a_description_over_4000_characters_is_400(client, frozen, lamp, api_key):
    response = post(client, form(api_key, description="坑" * 4001), language="en")
    assert _refused(response, 400).startswith("description: ")


@pytest.mark.parametrize(
    ("field", "value", "mentions"),
    [
        ("email", "not-an-email", "email"),
        ("media_url", "javascript:alert(1)", "media_url"),
        ("media_url", "https://example.org/" + "a" * 500, "media_url"),
    ],
)
def test_bad_contact_or_media_is_400(client, frozen, lamp, api_key, field, value, mentions):
    response = post(client, form(api_key, **{field: value}), language="en")
    assert mentions in _refused(response, 400)


def test_every_bad_argument_is_reported_at_once(client, frozen, lamp, api_key):
    data = form(api_key, lat="x", email="y", media_url="z", **{"attribute[lamp_id]": ["1", "2"]})
    response = post(client, data)
    assert response.status_code == 400
    assert len(parse(response)) == 4


def test_staff_see_the_media_links_on_the_case_page(frozen, lamp, api_key, desk_user):
    client = Client()
    post(
        client,
        form(
            api_key,
            media_url=["https://photos.example.org/a.jpg", "https://photos.example.org/b.jpg"],
        ),
    )
    client.force_login(desk_user)

    response = client.get(reverse("service_center:case", args=[Petition.objects.get().pk]))

    assert response.status_code == 200
    page = response.content.decode()
    assert 'href="https://photos.example.org/a.jpg" rel="noopener noreferrer nofollow"' in page
    assert 'href="https://photos.example.org/b.jpg"' in page
