"""Citizens' free text is masked wherever it leaves its handlers: the public nearby list and
"me too" page, and the case page and API for those who may not see the petitioner."""

import pytest
from django.urls import reverse

from rdec_portal.masking import MASK
from tests.service_center.factories import (
    AssignedPetitionFactory,
    CategoryFactory,
    DispatchCategoryFactory,
)
from tests.service_center.nearby.test_nearby import CENTRE, case_at

NAME, PHONE, POSTAL = "陳小華", "0912345678", "高雄市苓雅區四維三路2號5樓"
SUBJECT = f"{NAME}家門口坑洞，電話０９１２－３４５－６７８"
DESCRIPTION = "四維三路2號門口坑洞，LINE：chen88，信箱 chen[at]gmail.com"
LEAKS = ("０９１２－３４５－６７８", "chen88", "chen[at]gmail.com", "四維三路2號", NAME)


def _leaks(body: str) -> list[str]:
    return [value for value in LEAKS if value in body]


@pytest.fixture
def pothole(frozen, agency_a):
    return case_at(
        DispatchCategoryFactory(code="pothole", agency=agency_a),
        subject=SUBJECT,
        description=DESCRIPTION,
        petitioner_name=NAME,
        petitioner_phone=PHONE,
        petitioner_address=POSTAL,
    )


def test_the_nearby_list_masks_the_subject(client, pothole):
    query = {"category": pothole.category.pk, "lat": CENTRE[0], "lon": CENTRE[1]}
    html = client.get(reverse("service_center:nearby"), query).content.decode()
    data = client.get(reverse("service_center:nearby"), query, HTTP_ACCEPT="application/json")
    assert pothole.number in html and MASK in html
    assert _leaks(html) == []
    assert _leaks(data.content.decode()) == []


def test_the_me_too_page_masks_the_subject(client, pothole):
    body = client.get(reverse("service_center:me_too", args=[pothole.number])).content.decode()
    assert MASK in body
    assert _leaks(body) == []


@pytest.fixture
def supported(frozen, agency_a, staff_b):
    petition = AssignedPetitionFactory(
        category=CategoryFactory(agency=agency_a),
        subject=SUBJECT,
        description=DESCRIPTION,
        petitioner_name=NAME,
        petitioner_phone=PHONE,
        petitioner_address=POSTAL,
    )
    petition.supporting_agencies.add(staff_b.agency)
    return petition


def test_who_may_not_see_the_petitioner_sees_the_text_masked(
    client, supported, staff_b, mayor_office
):
    for user in (staff_b, mayor_office):
        client.force_login(user)
        page = client.get(reverse("service_center:case", args=[supported.pk]))
        api = client.get(reverse("service-center-petition-detail", args=[supported.pk]))
        assert page.status_code == api.status_code == 200
        assert _leaks(page.content.decode()) == []
        assert _leaks(api.content.decode()) == []
        assert MASK in api.json()["description"]
    # The mayor's office lists every case: the subjects are masked there too.
    listed = client.get(reverse("service-center-petition-list")).json()["results"]
    assert [row["subject"] for row in listed] == [f"{MASK}家門口坑洞，電話{MASK}"]
    queue = client.get(reverse("service_center:queue")).content.decode()
    assert supported.number in queue and f"{MASK}家門口坑洞" in queue
    assert _leaks(queue) == []


def test_the_handling_agency_sees_the_text_as_written(client, supported, staff_a):
    client.force_login(staff_a)
    page = client.get(reverse("service_center:case", args=[supported.pk])).content.decode()
    api = client.get(reverse("service-center-petition-detail", args=[supported.pk])).json()
    assert "LINE：chen88" in page
    assert api["description"] == DESCRIPTION and api["subject"] == SUBJECT
    listed = client.get(reverse("service-center-petition-list")).json()["results"]
    assert [row["subject"] for row in listed] == [SUBJECT]
    assert SUBJECT in client.get(reverse("service_center:queue")).content.decode()


def test_the_queue_export_masks_the_subjects_as_the_queue_does(
    client, supported, staff_a, mayor_office
):
    url = reverse("service_center:queue_export", args=["csv"])
    client.force_login(mayor_office)
    exported = client.get(url).content.decode("utf-8-sig")
    assert f"{MASK}家門口坑洞" in exported
    assert _leaks(exported) == []
    client.force_login(staff_a)
    assert SUBJECT in client.get(url).content.decode("utf-8-sig")
