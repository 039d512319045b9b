import pytest
from rest_framework.throttling import AnonRateThrottle

from rdec_portal.accounts.models import Agency
from tests.accounts.factories import AgencyFactory
from tests.api.utils import error_of

URL = "/api/v1/accounts/agencies/"


@pytest.fixture
def city(db):
    """A small tree: the city government, two bureaus under it, a district office, a closed one."""
    kcg = AgencyFactory(code="KCG", name_zh="高雄市政府", name_en="Kaohsiung City Government")
    AgencyFactory(
        code="PWB",
        name_zh="高雄市政府工務局",
        name_en="Public Works Bureau",
        short_name="工務局",
        parent=kcg,
        sort_order=10,
    )
    AgencyFactory(
        code="WRB",
        name_zh="高雄市政府水利局",
        name_en="Water Resources Bureau",
        short_name="水利局",
        parent=kcg,
        sort_order=20,
    )
    AgencyFactory(
        code="DIST-SANMIN",
        name_zh="高雄市三民區公所",
        name_en="Sanmin District Office",
        kind=Agency.Kind.DISTRICT,
        parent=kcg,
    )
    AgencyFactory(code="OLD", name_zh="已裁撤機關", name_en="Abolished Office", is_active=False)
    return kcg


def codes(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["code"] for row in response.json()["results"]]


def test_anonymous_users_list_agencies_with_exactly_the_documented_fields(api, city):
    response = api.get(URL, {"q": "PWB"})

    assert response.status_code == 200
    assert response.json()["results"] == [
        {
            "code": "PWB",
            "name_zh": "高雄市政府工務局",
            "name_en": "Public Works Bureau",
            "short_name": "工務局",
            "kind": "bureau",
            "parent": "KCG",
            "is_active": True,
        }
    ]


def test_default_order_is_kind_then_sort_order_then_code(api, city):
    assert codes(api.get(URL)) == ["KCG", "OLD", "PWB", "WRB", "DIST-SANMIN"]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"kind": "district"}, ["DIST-SANMIN"]),
        ({"is_active": "false"}, ["OLD"]),
        ({"parent": "KCG", "kind": "bureau"}, ["PWB", "WRB"]),
        ({"q": "water"}, ["WRB"]),
        ({"q": "三民"}, ["DIST-SANMIN"]),
        ({"q": "工務局"}, ["PWB"]),
        ({"q": "dist-san"}, ["DIST-SANMIN"]),
        ({"q": "  "}, ["KCG", "OLD", "PWB", "WRB", "DIST-SANMIN"]),
    ],
)
def test_filters(api, city, params, expected):
    assert codes(api.get(URL, params)) == expected


@pytest.mark.parametrize(
    ("ordering", "expected"),
    [
        ("-code", ["WRB", "PWB", "OLD", "KCG", "DIST-SANMIN"]),
        ("name_en", ["OLD", "KCG", "PWB", "DIST-SANMIN", "WRB"]),
        ("kind,-sort_order", ["WRB", "PWB", "KCG", "OLD", "DIST-SANMIN"]),
    ],
)
def test_ordering_by_whitelisted_fields(api, city, ordering, expected):
    assert codes(api.get(URL, {"ordering": ordering})) == expected


def test_ordering_outside_the_whitelist_is_a_400_naming_the_allowed_fields(api, city):
    response = api.get(URL, {"ordering": "pcc_code"}, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    assert response.json()["type"] == "validation_error"
    problem = error_of(response)
    assert problem["attr"] == "ordering"
    assert problem["detail"] == (
        "Cannot order by pcc_code. Choose from: code, kind, name_en, name_zh, sort_order."
    )


@pytest.mark.parametrize(
    ("params", "attr"),
    [
        ({"parent": "NOPE"}, "parent"),
        ({"kind": "ministry"}, "kind"),
        ({"is_active": "x"}, "is_active"),
    ],
)
def test_bad_filter_values_are_a_400_on_that_parameter(api, city, params, attr):
    response = api.get(URL, params)

    assert response.status_code == 400
    assert error_of(response)["attr"] == attr


def test_page_size_is_capped_at_the_maximum(api, db):
    Agency.objects.bulk_create(
        Agency(code=f"A{n:03d}", name_zh=f"機關{n}", name_en=f"Agency {n}", kind="bureau")
        for n in range(205)
    )

    body = api.get(URL, {"page_size": 1000}).json()

    assert body["count"] == 205
    assert len(body["results"]) == 200
    assert body["next"].endswith("page=2&page_size=1000")


def test_page_size_can_be_smaller(api, city):
    body = api.get(URL, {"page_size": 2, "page": 2}).json()

    assert [row["code"] for row in body["results"]] == ["PWB", "WRB"]
    assert body["previous"] and body["next"]


def test_a_page_past_the_end_is_a_json_404(api, city):
    response = api.get(URL, {"page": 99})

    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"


def test_detail_by_code(api, city):
    response = api.get(f"{URL}DIST-SANMIN/")

    assert response.status_code == 200
    assert response.json()["name_en"] == "Sanmin District Office"
    assert response.json()["kind"] == "district"


def test_unknown_code_is_a_404_in_the_error_shape(api, city):
    response = api.get(f"{URL}NOPE/", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 404
    assert response.json() == {
        "type": "client_error",
        "errors": [{"code": "not_found", "detail": "Not found.", "attr": None}],
    }


def test_agencies_are_read_only(api, city):
    assert api.post(URL, {"code": "NEW"}).status_code == 405
    assert api.delete(f"{URL}PWB/").status_code == 405
    assert Agency.objects.filter(code="NEW").count() == 0
    assert Agency.objects.filter(code="PWB").exists()


def test_anonymous_clients_are_throttled(api, city, monkeypatch):
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "3/minute"})

    statuses = [api.get(URL).status_code for _ in range(4)]

    assert statuses == [200, 200, 200, 429]
    response = api.get(URL, HTTP_ACCEPT_LANGUAGE="en")
    assert error_of(response)["code"] == "throttled"
    assert int(response["Retry-After"]) > 0


def test_throttling_counts_each_client_address_separately(api, city, monkeypatch):
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "1/minute"})

    assert api.get(URL, REMOTE_ADDR="10.0.0.1").status_code == 200
    assert api.get(URL, REMOTE_ADDR="10.0.0.1").status_code == 429
    assert api.get(URL, REMOTE_ADDR="10.0.0.2").status_code == 200


def _tree(size: int) -> None:
    parent = AgencyFactory(code="ROOT")
    for n in range(size):
        AgencyFactory(code=f"C{n:02d}", parent=parent)


@pytest.mark.parametrize("size", [1, 20])
def test_list_query_count_does_not_grow_with_rows(api, db, django_assert_num_queries, size):
    _tree(size)

    # COUNT for the page, SELECT with the parent joined.
    with django_assert_num_queries(2):
        response = api.get(URL)
    assert len(response.json()["results"]) == size + 1


@pytest.mark.parametrize("size", [1, 20])
def test_list_by_parent_query_count_does_not_grow_with_rows(
    api, db, django_assert_num_queries, size
):
    _tree(size)

    # The parent code's lookup, COUNT, SELECT.
    with django_assert_num_queries(3):
        response = api.get(URL, {"parent": "ROOT"})
    assert len(response.json()["results"]) == size


@pytest.mark.parametrize("size", [1, 20])
def test_detail_query_count(api, db, django_assert_num_queries, size):
    _tree(size)

    with django_assert_num_queries(1):
        assert api.get(f"{URL}C00/").json()["parent"] == "ROOT"
