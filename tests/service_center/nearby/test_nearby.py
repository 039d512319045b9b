"""Nearby open cases before filing, and "me too" followers with their emails."""

import math
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.core.cache import cache
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone, translation

from rdec_portal.settings import _tile_origin
from service_center.nearby import selectors as nearby_selectors
from service_center.nearby import services as nearby
from service_center.nearby import tokens as nearby_tokens
from service_center.nearby import views_public as views_nearby
from service_center.nearby.models import PetitionFollower
from service_center.nearby.selectors import NearbyError
from service_center.petitions import services
from service_center.petitions.models import NotHandledReason, Petition, Status
from tests.service_center.factories import (
    AssignedPetitionFactory,
    CategoryFactory,
    PetitionFactory,
)
from tests.service_center.images import jpeg_with_gps

NEW = reverse("service_center:petition_new")
NEARBY = reverse("service_center:nearby")
TRACK = reverse("service_center:track")
# Kaohsiung Main Station's square.
CENTRE = (Decimal("22.639000"), Decimal("120.302000"))
METRES_PER_DEGREE = math.pi * nearby_selectors.EARTH_RADIUS_M / 180


def offset(north_m: float = 0, east_m: float = 0, centre=CENTRE) -> tuple[Decimal, Decimal]:
    """A point north_m and east_m from the centre, at the stored precision."""
    lat = float(centre[0]) + north_m / METRES_PER_DEGREE
    lon = float(centre[1]) + east_m / (METRES_PER_DEGREE * math.cos(math.radians(float(lat))))
    q = Decimal("0.000001")
    return Decimal(repr(lat)).quantize(q), Decimal(repr(lon)).quantize(q)


def case_at(category, north_m=0, east_m=0, **kwargs):
    lat, lon = offset(north_m, east_m)
    return PetitionFactory(category=category, latitude=lat, longitude=lon, **kwargs)


def search(category, radius_m=None, point=CENTRE):
    return nearby_selectors.nearby_open_petitions(
        category=category,
        latitude=point[0],
        longitude=point[1],
        radius_m=category.nearby_radius_m if radius_m is None else radius_m,
    )


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


# --- the selector -------------------------------------------------------------------------------


def test_open_cases_of_the_category_within_the_radius_are_listed_by_band(frozen, dispatch_category):
    north = case_at(dispatch_category, north_m=10)
    east = case_at(dispatch_category, east_m=40, status=Status.IN_PROGRESS)
    replied = case_at(dispatch_category, north_m=-20, status=Status.REPLIED)
    case_at(dispatch_category, north_m=60)  # beyond the 50 m radius
    case_at(CategoryFactory(nearby_radius_m=50), north_m=5)  # another category
    for status in (Status.RECEIVED, Status.CLOSED):
        case_at(dispatch_category, east_m=5, status=status)
    case_at(dispatch_category, east_m=5, status=Status.NOT_HANDLED, not_handled_reason="repeat")
    case_at(dispatch_category, east_m=5, status=Status.MERGED, merged_into=north)
    PetitionFactory(category=dispatch_category)  # no point

    found = search(dispatch_category)

    assert {c.number for c in found} == {north.number, replied.number, east.number}
    assert [c.within_m for c in found] == [50, 50, 50]


def test_the_circle_not_the_box_decides(frozen, dispatch_category):
    # 42 m north and 42 m east: inside the 50 m box, but 59 m away.
    case_at(dispatch_category, north_m=42, east_m=42)
    inside = case_at(dispatch_category, north_m=30, east_m=30)  # 42 m away

    assert [c.number for c in search(dispatch_category)] == [inside.number]


def test_a_case_exactly_on_the_radius_is_included_and_one_metre_further_is_not(
    frozen, dispatch_category
):
    edge = case_at(dispatch_category, east_m=50)
    exact = nearby_selectors.distance_m(*CENTRE, edge.latitude, edge.longitude)

    assert [c.number for c in search(dispatch_category, radius_m=math.ceil(exact))] == [edge.number]
    assert search(dispatch_category, radius_m=math.floor(exact) - 1) == []


def test_the_box_holds_the_whole_circle_anywhere_in_kaohsiung():
    for lat in ("22.40", "22.9", "23.50"):
        centre = (Decimal(lat), Decimal("120.6"))
        lat_min, lat_max, lon_min, lon_max = nearby_selectors.bounding_box(*centre, 200)
        for bearing in range(0, 360, 5):
            rad = math.radians(bearing)
            lat2, lon2 = offset(200 * math.cos(rad) * 0.999, 200 * math.sin(rad) * 0.999, centre)
            assert lat_min <= lat2 <= lat_max and lon_min <= lon2 <= lon_max


def test_no_radius_means_no_search(frozen, dispatch_category, django_assert_num_queries):
    case_at(dispatch_category, north_m=1)
    with django_assert_num_queries(0):
        assert search(dispatch_category, radius_m=0) == []


@pytest.mark.parametrize(
    "point", [(Decimal("25.033"), Decimal("121.565")), (Decimal("22.6"), Decimal("119.9"))]
)
def test_a_point_outside_kaohsiung_is_refused(dispatch_category, point):
    with pytest.raises(NearbyError) as exc:
        search(dispatch_category, point=point)
    assert exc.value.code == "outside"


def test_only_public_safe_fields_and_never_a_confidential_case(frozen, dispatch_category):
    case_at(dispatch_category, north_m=3, is_confidential=True, subject="我家門口 陳小華")
    public = case_at(dispatch_category, north_m=4)

    (found,) = search(dispatch_category)

    assert found.number == public.number
    assert set(vars(found)) == {
        "number",
        "subject",
        "status",
        "received_at",
        "within_m",
        "followers",
    }


@pytest.mark.parametrize("rows", [1, 20])
def test_one_query_for_1_and_for_20_cases_with_their_followers(
    frozen, dispatch_category, rows, django_assert_num_queries
):
    for i in range(rows):
        petition = case_at(dispatch_category, north_m=i, east_m=i)
        PetitionFollower.objects.create(petition=petition)
    with django_assert_num_queries(1):
        found = search(dispatch_category)
    assert len(found) == min(rows, nearby_selectors.MAX_RESULTS)
    assert all(c.followers == 1 for c in found)


def test_the_search_reads_the_nearby_index(frozen, dispatch_category):
    case_at(dispatch_category, north_m=3)
    box = nearby_selectors.bounding_box(*CENTRE, 50)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # A tiny test table is cheaper to scan: ask the planner what it does at scale.
            cursor.execute("SET LOCAL enable_seqscan = off")
    plan = nearby_selectors.candidates_in_box(dispatch_category, *box).explain()
    if connection.vendor == "postgresql":
        # On a one-row table the planner's costs tie between the two indexes led by the
        # category (the box's, and the queue's by date) and it takes either; with real
        # statistics a 50 m box is far more selective. Either way no scan of the table.
        assert "sc_petition_nearby" in plan or "sc_petition_category_recv" in plan
        assert "Seq Scan on service_center_petition" not in plan
    else:
        # SQLite (development only) cannot match a partial index to bound IN parameters; it
        # still seeks by category rather than scanning the table.
        assert "SEARCH service_center_petition USING INDEX" in plan


# --- the list endpoint --------------------------------------------------------------------------


def test_the_fragment_lists_cases_with_a_me_too_link(client, frozen, dispatch_category):
    petition = case_at(dispatch_category, north_m=10)
    response = client.get(
        NEARBY, {"category": dispatch_category.pk, "lat": CENTRE[0], "lon": CENTRE[1]}
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="nearby-cases"' in body and petition.number in body
    assert reverse("service_center:me_too", args=[petition.number]) in body
    assert 'name="file_anyway"' in body
    assert petition.petitioner_email not in body and petition.petitioner_name not in body


def test_the_list_in_json_by_category_code(client, frozen, dispatch_category):
    petition = case_at(dispatch_category, north_m=10)
    response = client.get(
        NEARBY,
        {"category": dispatch_category.code, "lat": CENTRE[0], "lon": CENTRE[1]},
        HTTP_ACCEPT="application/json",
    )
    data = response.json()
    assert response.status_code == 200
    assert data["radius_m"] == 50
    assert [r["number"] for r in data["results"]] == [petition.number]
    assert data["results"][0]["within_m"] == 50
    assert set(data["results"][0]) == {
        "number",
        "subject",
        "status",
        "status_label",
        "within_m",
        "received_at",
        "followers",
        "me_too_url",
    }


@pytest.mark.parametrize(
    "params",
    [
        {"lat": "25.03", "lon": "121.56"},
        {"lat": "", "lon": "120.3"},
        {"lat": "north", "lon": "120.3"},
        {"category": "no-such-category"},
    ],
    ids=["outside-kaohsiung", "no-latitude", "not-a-number", "unknown-category"],
)
def test_bad_input_to_the_list_is_a_400_with_the_reason(client, dispatch_category, params):
    query = {"category": dispatch_category.pk, "lat": CENTRE[0], "lon": CENTRE[1], **params}
    with translation.override("en"):
        response = client.get(NEARBY, {**query, "format": "json"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert response.json()["errors"]
    html = client.get(NEARBY, query)
    assert html.status_code == 400 and 'id="nearby-errors"' in html.content.decode()


def test_a_category_without_a_radius_lists_nothing(client, frozen, category):
    case_at(category, north_m=1)
    response = client.get(NEARBY, {"category": category.pk, "lat": CENTRE[0], "lon": CENTRE[1]})
    assert response.status_code == 200
    assert 'id="nearby-cases"' not in response.content.decode()


# --- the petition form without JavaScript -------------------------------------------------------


def form_data(category, **overrides):
    data = {
        "idempotency_key": "b" * 32,
        "category": str(category.pk),
        "subject": "路面坑洞",
        "description": "建國二路上有一個大坑洞，機車很危險。",
        "address": "高雄市三民區建國二路 318 號前",
        "latitude": str(CENTRE[0]),
        "longitude": str(CENTRE[1]),
        "name": "林小美",
        "email": "mei@example.com",
        "has_consented": "on",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_a_hazard_near_an_open_case_shows_the_case_first_and_keeps_what_was_typed(
    client, frozen, dispatch_category
):
    existing = case_at(dispatch_category, north_m=12)

    response = client.post(NEW, {**form_data(dispatch_category), "files": [jpeg_with_gps()]})

    body = response.content.decode()
    assert response.status_code == 200
    assert Petition.objects.count() == 1  # only the existing case
    assert 'id="nearby-alert"' in body and 'id="nearby-cases"' in body
    assert existing.number in body
    assert 'id="nearby-files-dropped"' in body
    assert "建國二路上有一個大坑洞" in body and "mei@example.com" in body and "林小美" in body
    assert 'name="file_anyway"' in body


def test_ticking_none_of_these_files_the_petition(client, frozen, dispatch_category):
    case_at(dispatch_category, north_m=12)

    response = client.post(NEW, form_data(dispatch_category, file_anyway="1"))

    assert response.status_code == 200
    assert 'id="case-secret"' in response.content.decode()
    assert Petition.objects.count() == 2


@pytest.mark.parametrize(
    "overrides",
    [{"latitude": None, "longitude": None}, {"latitude": str(offset(north_m=300)[0])}],
    ids=["no-point", "nothing-within-the-radius"],
)
def test_without_nearby_cases_the_petition_is_filed_at_once(
    client, frozen, dispatch_category, overrides
):
    case_at(dispatch_category, north_m=12)
    response = client.post(NEW, form_data(dispatch_category, **overrides))
    assert 'id="case-secret"' in response.content.decode()
    assert Petition.objects.count() == 2


def test_the_same_form_again_is_not_stopped_by_its_own_case(client, frozen, dispatch_category):
    data = form_data(dispatch_category, email="", name="", has_consented=None)
    client.post(NEW, data)  # no email: confirmed at once, so it is an open case itself
    again = client.post(NEW, data)
    assert 'id="nearby-cases"' not in again.content.decode()
    assert Petition.objects.count() == 1


def test_the_form_carries_the_map_and_nearby_container_but_no_inline_script(client, category):
    body = client.get(NEW).content.decode()
    assert 'id="sc-nearby"' in body and 'id="sc-locate"' in body
    assert "service_center/map.js" in body
    # No tile server configured: no map, and Leaflet is not even loaded.
    assert 'id="sc-map"' not in body and "leaflet.js" not in body
    assert "<script>" not in body


def test_with_a_tile_server_the_map_appears_and_the_csp_allows_its_tiles(
    client, category, settings
):
    settings.MAP_TILE_URL = "https://{s}.tiles.example.gov.tw/{z}/{x}/{y}.png"
    body = client.get(NEW).content.decode()
    assert 'id="sc-map"' in body and "vendor/leaflet/leaflet.js" in body
    # The CSP is built once at start-up from the same setting.
    assert _tile_origin(settings.MAP_TILE_URL) == "https://*.tiles.example.gov.tw"
    assert _tile_origin("/tiles/{z}/{x}/{y}.png") is None


# --- "me too" -----------------------------------------------------------------------------------


def me_too_url(petition):
    return reverse("service_center:me_too", args=[petition.number])


def test_the_me_too_page_shows_the_case_without_personal_data(client, frozen, dispatch_category):
    petition = case_at(dispatch_category, north_m=5)
    body = client.get(me_too_url(petition)).content.decode()
    assert petition.number in body and petition.subject in body
    assert petition.petitioner_email not in body and petition.petitioner_name not in body


@pytest.mark.parametrize(
    "make",
    [
        lambda cat, other: case_at(cat, status=Status.CLOSED),
        lambda cat, other: case_at(cat, status=Status.RECEIVED),
        lambda cat, other: case_at(other),
    ],
    ids=["closed", "unconfirmed", "category-without-radius"],
)
def test_only_open_cases_of_nearby_categories_can_be_followed(
    client, frozen, dispatch_category, category, make
):
    petition = make(dispatch_category, category)
    assert client.get(me_too_url(petition)).status_code == 404
    assert client.post(me_too_url(petition)).status_code == 404
    assert PetitionFollower.objects.count() == 0


def test_me_too_with_an_email_counts_once_and_asks_to_confirm_the_address(
    client, frozen, dispatch_category, run_on_commit
):
    petition = case_at(dispatch_category, north_m=5)
    data = {"email": "Neighbour@Example.com", "has_consented": "on"}

    response = run_on_commit(client.post, me_too_url(petition), data)

    assert response.status_code == 302
    follower = PetitionFollower.objects.get()
    assert follower.email == "neighbour@example.com" and follower.confirmed_at is None
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["neighbour@example.com"]
    assert "/service-center/follow/" in mail.outbox[0].body
    page = client.get(me_too_url(petition)).content.decode()
    assert 'data-count="1"' in page and "neighbour@example.com" not in page

    # The same address again, from another browser: still one, and no second email.
    other = client.__class__()
    again = run_on_commit(other.post, me_too_url(petition), data)
    assert again.status_code == 302
    assert PetitionFollower.objects.count() == 1 and len(mail.outbox) == 1


def test_the_database_counts_an_address_once_per_case(frozen, dispatch_category):
    petition = case_at(dispatch_category)
    PetitionFollower.objects.create(petition=petition, email="a@example.com", token_hash="1")
    with pytest.raises(IntegrityError), transaction.atomic():
        PetitionFollower.objects.create(petition=petition, email="a@example.com", token_hash="2")


def test_me_too_without_an_email_counts_once_per_browser(client, frozen, dispatch_category):
    petition = case_at(dispatch_category, north_m=5)
    client.post(me_too_url(petition))
    client.post(me_too_url(petition))
    assert PetitionFollower.objects.filter(petition=petition).count() == 1
    assert 'id="me-too-done"' in client.get(me_too_url(petition)).content.decode()


def test_an_email_without_consent_is_refused_and_nothing_is_kept(client, frozen, dispatch_category):
    petition = case_at(dispatch_category, north_m=5)
    response = client.post(me_too_url(petition), {"email": "x@example.com"})
    assert response.status_code == 400
    assert 'aria-invalid="true"' in response.content.decode()
    assert PetitionFollower.objects.count() == 0


def test_me_too_is_rate_limited_per_address(client, frozen, dispatch_category, monkeypatch):
    monkeypatch.setattr(views_nearby, "FOLLOW_LIMIT_PER_ADDRESS", 2)
    cases = [case_at(dispatch_category, north_m=i) for i in range(3)]
    for petition in cases[:2]:
        assert client.post(me_too_url(petition)).status_code == 302
    response = client.post(me_too_url(cases[2]))
    assert response.status_code == 429
    assert PetitionFollower.objects.count() == 2


def test_a_closed_case_cannot_be_followed(frozen, dispatch_category):
    petition = case_at(dispatch_category, status=Status.CLOSED)
    with pytest.raises(NearbyError) as exc:
        nearby.petition_follow(petition=petition, email="a@example.com")
    assert exc.value.code == "closed"


# --- followers' emails --------------------------------------------------------------------------


def follow(petition, email, run_on_commit):
    run_on_commit(nearby.petition_follow, petition=petition, email=email)
    follower = PetitionFollower.objects.get(petition=petition, email=email)
    return follower, nearby_tokens.follower_token(follower)


def test_a_confirmed_follower_hears_of_the_reply_but_not_its_text(
    client, frozen, dispatch_category, staff_a, run_on_commit
):
    petition = AssignedPetitionFactory(
        category=dispatch_category, latitude=CENTRE[0], longitude=CENTRE[1]
    )
    confirmed, token = follow(petition, "yes@example.com", run_on_commit)
    follow(petition, "maybe@example.com", run_on_commit)
    manage = reverse("service_center:follow_manage", args=[token])
    assert 'id="follow-confirm-form"' in client.get(manage).content.decode()
    client.post(manage, {"action": "confirm"})
    mail.outbox.clear()

    run_on_commit(
        services.petition_reply, petition=petition, by=staff_a, text="陳先生您好，已修復。"
    )

    assert [m.to for m in mail.outbox] == [["citizen@example.com"], ["yes@example.com"]]
    update = mail.outbox[1]
    assert petition.number in update.subject
    assert "陳先生" not in update.body
    assert manage in update.body


def test_stopping_forgets_the_address_and_keeps_the_count(
    client, frozen, dispatch_category, run_on_commit
):
    petition = case_at(dispatch_category)
    follower, token = follow(petition, "stop@example.com", run_on_commit)
    manage = reverse("service_center:follow_manage", args=[token])

    response = client.post(manage, {"action": "stop"})

    assert 'id="follow-stopped"' in response.content.decode()
    follower.refresh_from_db()
    assert follower.email == "" and follower.token_hash is None
    assert nearby_selectors.follower_count(petition) == 1
    assert client.get(manage).status_code == 404


def test_addresses_are_forgotten_30_days_after_the_case_ended_and_the_count_stays(
    client, frozen, dispatch_category, run_on_commit
):
    ended_long_ago, ended_lately, still_open = (case_at(dispatch_category) for _ in range(3))
    followers = {
        name: follow(petition, f"{name}@example.com", run_on_commit)
        for name, petition in [
            ("long", ended_long_ago),
            ("lately", ended_lately),
            ("open", still_open),
        ]
    }
    now = timezone.now()
    Petition.objects.filter(pk=ended_long_ago.pk).update(
        status=Status.CLOSED, closed_at=now - timedelta(days=31)
    )
    Petition.objects.filter(pk=ended_lately.pk).update(
        status=Status.NOT_HANDLED,
        not_handled_reason=NotHandledReason.REPEAT,
        closed_at=now - timedelta(days=29),
    )

    assert nearby.followers_forget_addresses() == 1
    assert nearby.followers_forget_addresses() == 0  # the next day's run changes nothing

    kept = {f.email for f in PetitionFollower.objects.all()}
    assert kept == {"", "lately@example.com", "open@example.com"}
    assert nearby_selectors.follower_count(ended_long_ago) == 1
    forgotten_token = followers["long"][1]
    manage = reverse("service_center:follow_manage", args=[forgotten_token])
    assert client.get(manage).status_code == 404  # its link leads nowhere any more
    frozen.shift(timedelta(days=2))
    assert nearby.followers_forget_addresses() == 1  # the other case's turn


def test_an_unknown_link_is_a_404(client, db):
    response = client.get(reverse("service_center:follow_manage", args=["not-a-token"]))
    assert response.status_code == 404
    assert 'id="follow-invalid"' in response.content.decode()


def test_the_link_survives_a_secret_key_rotation(
    frozen, dispatch_category, settings, run_on_commit
):
    petition = case_at(dispatch_category)
    follower, token = follow(petition, "keep@example.com", run_on_commit)
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "another-key-" + "x" * 50
    assert nearby_tokens.follower_token(follower) == token
    assert nearby_selectors.follower_from_token(token) == follower


def test_the_count_is_on_the_tracking_page_and_the_case_page(
    client, frozen, dispatch_category, desk_user, staff_a
):
    result = services.petition_submit(
        category=dispatch_category,
        subject="坑洞",
        description="很深",
        latitude=CENTRE[0],
        longitude=CENTRE[1],
        by=desk_user,
        channel="phone_1999",
    )
    services.petition_assign(petition=result.petition, agency=staff_a.agency, by=desk_user)
    for _ in range(2):
        PetitionFollower.objects.create(petition=result.petition)
    client.post(TRACK, {"number": result.petition.number, "secret": result.secret})

    public = client.get(reverse("service_center:track_case", args=[result.petition.number]))
    assert 'id="followers-count" data-count="2"' in public.content.decode()
    client.force_login(staff_a)
    staff = client.get(reverse("service_center:case", args=[result.petition.pk]))
    assert 'id="followers-count" data-count="2"' in staff.content.decode()
