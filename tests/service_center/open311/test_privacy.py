"""No personal data in any public Open311 answer."""

from decimal import Decimal

import pytest
from django.core.cache import cache

from service_center.petitions.models import Petition, Status
from service_center.petitions.privacy import MASK, mask_personal_data
from tests.service_center.factories import AssignedPetitionFactory
from tests.service_center.open311.conftest import BASE, fetch_both

NAME, EMAIL, PHONE = "張志明", "chiming.chang@example.com", "0922-333-444"
POSTAL = "高雄市苓雅區四維三路2號5樓"
REPLY = "張先生您好，本局已派員修復。"
PERSONAL = (NAME, EMAIL, PHONE, "0922333444", POSTAL, REPLY)


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()


@pytest.fixture
def replied(frozen, lamp):
    return AssignedPetitionFactory(
        category=lamp,
        status=Status.REPLIED,
        replied_at=lamp.created_at,
        reply=REPLY,
        description=f"路燈不亮。我是{NAME}，電話 0922333444，email {EMAIL}，身分證 E123456789。",
        address="苓雅區四維三路口",
        latitude=Decimal("22.620000"),
        longitude=Decimal("120.310000"),
        petitioner_name=NAME,
        petitioner_email=EMAIL,
        petitioner_phone=PHONE,
        petitioner_address=POSTAL,
    )


def _all_answers(client, petition):
    for fmt in ("json", "xml"):
        for path in (
            "requests",
            f"requests/{petition.number}",
            f"tokens/{petition.number}",
        ):
            for params in ({}, {"extensions": "true"}):
                response = client.get(f"{BASE}{path}.{fmt}", params)
                assert response.status_code == 200
                yield response.content.decode()


def test_no_answer_carries_the_petitioners_details_or_the_reply(client, replied):
    for body in _all_answers(client, replied):
        for value in PERSONAL:
            assert value not in body
        assert "E123456789" not in body


def test_the_description_is_shown_with_contact_data_masked(client, replied):
    [data] = fetch_both(client, f"requests/{replied.number}")[1]
    assert data["description"] == (
        f"路燈不亮。我是{MASK}，電話 {MASK}，email {MASK}，身分證 {MASK}。"
    )


def test_a_confidential_petition_shows_only_that_it_exists(client, replied):
    Petition.objects.filter(pk=replied.pk).update(
        is_confidential=True, media_url="https://photos.example.org/x.jpg"
    )

    [data] = fetch_both(client, f"requests/{replied.number}")[1]

    assert data["service_request_id"] == replied.number
    assert data["status"] == "closed"
    assert data["service_code"] == "street-light"
    for hidden in ("description", "address", "lat", "long", "media_url"):
        assert data[hidden] is None


def test_what_a_partner_filed_never_comes_back_out(client, frozen, lamp, api_key):
    response = client.post(
        f"{BASE}requests.json",
        {
            "api_key": api_key,
            "service_code": "street-light",
            "address_string": "前鎮區中華五路",
            "description": "燈不亮",
            "first_name": "志明",
            "last_name": "張",
            "email": EMAIL,
            "phone": PHONE,
            "attribute[lamp_state]": "out",
        },
    )
    assert response.status_code == 200
    petition = Petition.objects.get()
    bodies = [response.content.decode(), *_all_answers(client, petition)]
    for body in bodies:
        for value in (NAME, "志明", EMAIL, PHONE):
            assert value not in body


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("手機 0912-345-678", f"手機 {MASK}"),
        ("手機 0912 345 678 謝謝", f"手機 {MASK} 謝謝"),
        ("mobile +886 912 345 678", f"mobile {MASK}"),
        ("市話 (07)337-3456", f"市話 {MASK}"),
        ("市話 07-3373456。", f"市話 {MASK}。"),
        ("call +886-7-337-3456", f"call {MASK}"),
        ("ID A123456789", f"ID {MASK}"),
        ("mail me: someone.else@mail.example.tw", f"mail me: {MASK}"),
    ],
)
def test_contact_data_of_anyone_is_masked(text, expected):
    assert mask_personal_data(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "路燈編號 SM-1234 不亮",
        "坑洞約 30 公分，2026-11-26 發現",
        "中正四路 211 號前",
        "車牌 ABC-1234",
    ],
)
def test_ordinary_numbers_are_left_alone(text):
    assert mask_personal_data(text) == text


def test_the_petitioners_own_details_are_masked_wherever_they_appear():
    text = "Call John Smith or JOHN SMITH at john@example.org"
    masked = mask_personal_data(text, name="John Smith", email="john@example.org")
    assert masked == f"Call {MASK} or {MASK} at {MASK}"
    # A one-character name would mask every occurrence of a common character.
    assert mask_personal_data("一號路燈", name="一") == "一號路燈"
