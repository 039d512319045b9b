"""The one bulk assignment, shared by the work queue page and the API."""

import pytest
from django.core.exceptions import PermissionDenied

from service_center.petitions import services
from tests.service_center.factories import AssignedPetitionFactory, CategoryFactory


def test_gives_the_agencys_cases_and_lists_the_others(
    supervisor_a, colleague_a, agency_a, agency_b
):
    own = AssignedPetitionFactory(category=CategoryFactory(agency=agency_a))
    other = AssignedPetitionFactory(category=CategoryFactory(agency=agency_b))
    result = services.petitions_bulk_assign(
        petitions=[own.pk, other.pk, own.pk], by=supervisor_a, assignee=colleague_a
    )
    assert [p.pk for p in result.assigned] == [own.pk]
    assert [(e.id, e.petition) for e in result.errors] == [(other.pk, None)]
    own.refresh_from_db()
    assert own.assignee == colleague_a


def test_a_case_that_cannot_be_given_does_not_stop_the_others(supervisor_a, staff_b, agency_a):
    first, second = AssignedPetitionFactory.create_batch(
        2, category=CategoryFactory(agency=agency_a)
    )
    result = services.petitions_bulk_assign(
        petitions=[first.pk, second.pk], by=supervisor_a, assignee=staff_b
    )
    assert result.assigned == []
    assert [e.petition.pk for e in result.errors] == [first.pk, second.pk]


def test_refused_to_who_may_not_assign_in_bulk(mayor_office, colleague_a, agency_a):
    petition = AssignedPetitionFactory(category=CategoryFactory(agency=agency_a))
    with pytest.raises(PermissionDenied):
        services.petitions_bulk_assign(
            petitions=[petition.pk], by=mayor_office, assignee=colleague_a
        )
