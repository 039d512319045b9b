"""The public nearby list gives away no case's point: bands, no confidential cases, a limit."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from service_center.nearby import selectors as nearby_selectors
from service_center.nearby.views_public import NEARBY_LIMIT_PER_ADDRESS
from tests.service_center.factories import CategoryFactory
from tests.service_center.nearby.test_nearby import CENTRE, case_at, offset

NEARBY = reverse("service_center:nearby")


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def wide_category(agency_a):
    return CategoryFactory(code="wide", agency=agency_a, nearby_radius_m=500)


def _json(client, category, point=CENTRE, **headers):
    return client.get(
        NEARBY,
        {"category": category.code, "lat": point[0], "lon": point[1], "format": "json"},
        **headers,
    )


def test_small_moves_of_the_query_point_do_not_change_the_answer(client, frozen, wide_category):
    # Trilateration needs the answer to change with the query point; within a band it does not.
    case_at(wide_category, north_m=20)
    case_at(wide_category, north_m=130, east_m=40)
    answers = [
        _json(client, wide_category, offset(north, east)).json()
        for north, east in [(0, 0), (5, 0), (-5, 0), (0, 5), (0, -5), (3, 4)]
    ]
    assert all(answer == answers[0] for answer in answers)
    assert [r["within_m"] for r in answers[0]["results"]] == [50, 200]
    assert all("distance_m" not in r for r in answers[0]["results"])


@pytest.mark.parametrize(
    ("metres", "band"), [(0, 50), (50, 50), (51, 100), (150, 200), (201, 500), (480, 500)]
)
def test_distances_are_coarse_bands(metres, band):
    assert nearby_selectors.distance_band(metres, 500) == band


def test_the_html_shows_the_band_not_the_metres(client, frozen, wide_category):
    case_at(wide_category, north_m=137)
    response = client.get(
        NEARBY, {"category": wide_category.code, "lat": CENTRE[0], "lon": CENTRE[1]}
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "200 公尺內" in body and 'data-within="200"' in body
    assert "137" not in body


def test_a_confidential_case_is_not_listed_in_html_or_json(client, frozen, wide_category):
    secret = case_at(wide_category, north_m=10, is_confidential=True)
    public = case_at(wide_category, north_m=12)

    listed = [r["number"] for r in _json(client, wide_category).json()["results"]]
    page = client.get(
        NEARBY, {"category": wide_category.code, "lat": CENTRE[0], "lon": CENTRE[1]}
    ).content.decode()

    assert listed == [public.number]
    assert public.number in page and secret.number not in page


def test_the_list_is_limited_per_client_address(client, frozen, wide_category, settings):
    settings.PROXY_COUNT = 1
    alice = {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": "203.0.113.5"}
    bob = {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": "198.51.100.7"}
    for _ in range(NEARBY_LIMIT_PER_ADDRESS):
        assert _json(client, wide_category, **alice).status_code == 200

    refused = _json(client, wide_category, **alice)
    page = client.get(
        NEARBY, {"category": wide_category.code, "lat": CENTRE[0], "lon": CENTRE[1]}, **alice
    )

    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert refused.json()["errors"]
    assert page.status_code == 429 and 'id="nearby-errors"' in page.content.decode()
    assert _json(client, wide_category, **bob).status_code == 200
