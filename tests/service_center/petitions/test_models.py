from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from service_center.petitions.models import DESCRIPTION_MAX_LENGTH, Category, Petition, Status
from tests.service_center.factories import CategoryFactory, PetitionFactory


def _violates(obj) -> bool:
    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError:
        return True
    return False


def test_a_category_has_exactly_one_clock(agency_a):
    both = Category(
        code="both",
        topic="roads",
        name_zh="x",
        name_en="x",
        agency=agency_a,
        limit_working_days=6,
        limit_hours=24,
    )
    neither = Category(code="neither", topic="roads", name_zh="x", name_en="x", agency=agency_a)
    assert _violates(both)
    assert _violates(neither)


def test_a_dispatch_category_runs_on_hours(agency_a):
    category = Category(
        code="d",
        topic="roads",
        name_zh="x",
        name_en="x",
        agency=agency_a,
        limit_working_days=6,
        is_dispatch=True,
    )
    assert _violates(category)


def test_a_handling_limit_over_30_days_is_refused(agency_a):
    category = Category(
        code="long", topic="roads", name_zh="x", name_en="x", agency=agency_a, limit_working_days=31
    )
    assert _violates(category)


@pytest.mark.parametrize(
    ("lat", "lon"),
    [("25.033", "121.565"), ("22.62", "119.50"), ("22.62", None)],
    ids=["taipei", "west-of-kaohsiung", "half-a-point"],
)
def test_the_database_refuses_a_point_outside_kaohsiung(db, lat, lon):
    petition = PetitionFactory.build(
        category=CategoryFactory(),
        latitude=Decimal(lat),
        longitude=Decimal(lon) if lon else None,
    )
    assert _violates(petition)


def test_a_point_in_kaohsiung_is_kept(db):
    petition = PetitionFactory(latitude=Decimal("22.627"), longitude=Decimal("120.301"))
    petition.refresh_from_db()
    assert petition.latitude == Decimal("22.627000")


def test_a_merged_case_must_name_its_target(db):
    petition = PetitionFactory.build(category=CategoryFactory(), status=Status.MERGED)
    assert _violates(petition)


def test_not_handled_needs_a_reason(db):
    petition = PetitionFactory.build(category=CategoryFactory(), status=Status.NOT_HANDLED)
    assert _violates(petition)


def test_a_case_is_reopened_at_most_once(db):
    petition = PetitionFactory()
    petition.reopen_count = 2
    assert _violates(petition)


def test_case_numbers_are_unique(db):
    PetitionFactory(number="1151126-0001")
    assert _violates(PetitionFactory.build(category=CategoryFactory(), number="1151126-0001"))


def test_a_description_over_4000_characters_fails_validation(db):
    petition = PetitionFactory()
    petition.description = "字" * (DESCRIPTION_MAX_LENGTH + 1)
    with pytest.raises(ValidationError) as exc:
        petition.full_clean()
    assert "description" in exc.value.message_dict


def test_overdue_reads_only_open_cases(db):
    from datetime import timedelta

    from django.utils import timezone

    now = timezone.now()
    late = PetitionFactory(status=Status.ASSIGNED, due_at=now - timedelta(hours=1))
    PetitionFactory(status=Status.REPLIED, due_at=now - timedelta(hours=1))
    PetitionFactory(status=Status.ASSIGNED, due_at=now + timedelta(hours=1))
    assert list(Petition.objects.overdue(now)) == [late]
    assert late.is_overdue(now)
