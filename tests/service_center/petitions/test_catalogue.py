import csv

import pytest

from rdec_portal.accounts.services import agencies_load
from service_center.petitions.catalogue import CATEGORIES_CSV, categories_load
from service_center.petitions.models import Category, Topic


@pytest.fixture
def agencies(db):
    agencies_load()


def test_the_catalogue_loads_every_category_with_its_agency_and_clock(agencies):
    count = categories_load()

    assert count == Category.objects.count() >= 40
    street_light = Category.objects.get(code="street-light")
    assert street_light.agency.code == "PWB"
    assert street_light.is_dispatch and street_light.limit_hours == 24
    assert street_light.limit_working_days is None
    assert Category.objects.get(code="flooding").agency.code == "WRB"
    assert Category.objects.get(code="traffic-signal").agency.code == "TRANS"
    assert Category.objects.get(code="noise").agency.code == "EPB"
    assert Category.objects.get(code="illegal-parking").agency.code == "POLICE"
    assert {c.topic for c in Category.objects.all()} <= set(Topic.values)


def test_loading_twice_changes_nothing(agencies):
    categories_load()
    before = list(Category.objects.order_by("code").values())
    categories_load()
    after = list(Category.objects.order_by("code").values())
    assert [{k: v for k, v in row.items() if k != "updated_at"} for row in before] == [
        {k: v for k, v in row.items() if k != "updated_at"} for row in after
    ]


def test_extra_questions_come_from_the_reference_file(agencies):
    categories_load()
    questions = Category.objects.get(code="street-light").questions
    assert [q["code"] for q in questions] == ["lamp_id", "lamp_state"]
    assert Category.objects.get(code="noise").questions == []


def test_every_dispatch_category_in_the_file_has_an_hour_clock_and_a_radius():
    with CATEGORIES_CSV.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    dispatch = [row for row in rows if row["is_dispatch"] == "1"]
    assert {"pothole", "fallen-tree", "street-light", "flooding", "traffic-signal"} <= {
        row["code"] for row in dispatch
    }
    assert all(row["limit_hours"] and int(row["nearby_radius_m"]) > 0 for row in dispatch)
