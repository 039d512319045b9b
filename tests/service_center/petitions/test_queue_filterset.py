"""The work queue's FilterSet: the page's form, and the open cases by default."""

from django.http import QueryDict
from django.utils import timezone

from service_center.petitions.models import Petition, Status
from service_center.petitions.queue import QueueFilterForm, QueueFilterSet
from tests.service_center.factories import AssignedPetitionFactory, CategoryFactory


def filtered(query: str):
    filterset = QueueFilterSet(QueryDict(query), Petition.objects.all(), now=timezone.now())
    return filterset, {p.pk for p in filterset.qs}


def test_open_cases_without_a_query_or_with_a_wrong_one(agency_a):
    cat = CategoryFactory(agency=agency_a)
    open_case = AssignedPetitionFactory(category=cat)
    closed = AssignedPetitionFactory(category=cat, status=Status.CLOSED)
    assert filtered("")[1] == {open_case.pk}
    filterset, found = filtered("due_within=-1")
    assert found == {open_case.pk}
    assert "due_within" in filterset.form.errors
    assert filtered("status=")[1] == {open_case.pk, closed.pk}
    assert filtered("status=closed")[1] == {closed.pk}


def test_renders_the_queue_form(db):
    filterset, _ = filtered("q=abc&sort=-due")
    assert isinstance(filterset.form, QueueFilterForm)
    assert list(filterset.form.fields) == list(QueueFilterForm.base_fields)
    assert filterset.queue_filters.q == "abc"
    assert filterset.queue_filters.sort == "-due"
