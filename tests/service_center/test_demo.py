import io

import pytest
from django.db.models import F
from django.utils import timezone

from rdec_portal.accounts import roles
from rdec_portal.accounts.models import Agency
from rdec_portal.accounts.services import agencies_load
from rdec_portal.dates import to_roc
from rdec_portal.performance.months import add_months, current_month, month_bounds
from rdec_portal.workflow.calendar import working_days_between
from rdec_portal.workflow.models import Deadline
from service_center import demo
from service_center.petitions import demo as demo_history
from service_center.petitions.models import (
    OPEN_STATUSES,
    Petition,
    PetitionEvent,
    PetitionNumberSequence,
    PetitionRequest,
    Status,
    SurveyAnswer,
)
from service_center.petitions.services import due_after
from tests.accounts.factories import UserFactory


@pytest.fixture
def seeded(db, frozen, monkeypatch):
    # A smaller year keeps the tests quick; the shares are the same.
    monkeypatch.setattr(demo_history, "HISTORY_PER_MONTH", 40)
    agencies_load()
    UserFactory(
        username="desk", agency=Agency.objects.get(code="RDEC"), roles=[roles.RDEC_SERVICE_CENTER]
    )
    for code in ("PWB", "WRB", "EPB", "POLICE", "RDEC"):
        UserFactory(
            username=f"staff-{code}",
            agency=Agency.objects.get(code=code),
            roles=[roles.AGENCY_STAFF],
        )
        UserFactory(
            username=f"supervisor-{code}",
            agency=Agency.objects.get(code=code),
            roles=[roles.AGENCY_SUPERVISOR],
        )
    out = io.StringIO()
    demo.seed(stdout=out, scale="demo")
    return out


def _today():
    return Petition.objects.exclude(idempotency_key__startswith=demo_history.HISTORY_KEY)


def _past():
    return Petition.objects.filter(idempotency_key__startswith=demo_history.HISTORY_KEY)


def test_demo_data_covers_every_queue_and_is_idempotent(seeded):
    counts = (
        Petition.objects.count(),
        PetitionEvent.objects.count(),
        PetitionRequest.objects.count(),
        SurveyAnswer.objects.count(),
        Deadline.objects.count(),
    )
    demo.seed(stdout=seeded, scale="demo")

    assert _today().count() == demo.DEMO_PETITIONS
    assert {timezone.localdate(t) for t in _today().values_list("received_at", flat=True)} == {
        timezone.localdate()
    }
    statuses = set(_today().values_list("status", flat=True))
    assert {
        Status.VERIFIED,
        Status.ASSIGNED,
        Status.IN_PROGRESS,
        Status.REPLIED,
        Status.CLOSED,
    } <= statuses
    assert (
        Petition.objects.count(),
        PetitionEvent.objects.count(),
        PetitionRequest.objects.count(),
        SurveyAnswer.objects.count(),
        Deadline.objects.count(),
    ) == counts
    assert "already present" in seeded.getvalue()


def test_past_petitions_fill_each_of_the_last_twelve_months(seeded):
    for back in range(1, demo_history.HISTORY_MONTHS + 1):
        start, end = month_bounds(add_months(current_month(), -back))
        received = _past().filter(received_at__gte=start, received_at__lt=end)
        assert received.count() >= demo_history.HISTORY_PER_MONTH // 2
    first, _end = month_bounds(add_months(current_month(), -demo_history.HISTORY_MONTHS))
    assert not _past().filter(received_at__lt=first).exists()
    assert not _past().filter(received_at__date__gte=timezone.localdate()).exists()


def test_most_past_petitions_are_answered_some_late_a_few_reopened_or_extended(seeded):
    past = _past()
    total = past.count()
    old = past.filter(received_at__lt=timezone.now() - timezone.timedelta(days=60))
    finished = old.filter(status__in=[Status.REPLIED, Status.CLOSED])
    assert finished.count() >= 0.9 * old.count()
    late = past.filter(replied_at__gt=F("due_at")).count()
    assert 0.03 * total <= late <= 0.25 * total
    assert 0 < past.filter(reopen_count=1).count() <= 0.1 * total
    extended = PetitionRequest.objects.filter(
        kind=PetitionRequest.Kind.EXTENSION, state=PetitionRequest.State.APPROVED
    )
    assert 0 < extended.count() <= 0.1 * total
    surveys = SurveyAnswer.objects.filter(petition__in=past).count()
    assert 0.1 * total <= surveys <= 0.5 * total
    assert past.filter(status__in=OPEN_STATUSES, due_at__lt=timezone.now()).exists()


def test_past_petitions_are_consistent_with_the_services(seeded):
    extended = set(PetitionRequest.objects.values_list("petition_id", flat=True))
    for p in _past().filter(status=Status.CLOSED).select_related("category")[:300]:
        start = p.reopened_at or p.confirmed_at
        if p.pk not in extended:
            assert p.due_at == due_after(p.category, start)
        assert p.working_days_to_close == working_days_between(
            timezone.localdate(start), timezone.localdate(p.replied_at)
        )
        assert p.received_at <= p.assigned_at <= p.replied_at < p.closed_at < timezone.now()
        assert p.lead_agency_id == p.category.agency_id and p.assignee is not None
        kinds = list(p.events.order_by("created_at", "pk").values_list("kind", flat=True))
        assert kinds[:3] == ["submitted", "assigned", "accepted"]
        assert kinds.index("replied") > 2
        assert kinds[-1] == "closed"
        assert Deadline.objects.filter(object_id=str(p.pk), state=Deadline.State.MET).exists()
    for survey in SurveyAnswer.objects.all():
        # Answered after the (first) reply: a case reopened later keeps that answer.
        first_reply = (
            PetitionEvent.objects.filter(petition_id=survey.petition_id, kind="replied")
            .order_by("created_at")
            .values_list("created_at", flat=True)
            .first()
        )
        assert first_reply < survey.answered_at < timezone.now()


def test_each_days_counter_matches_its_case_numbers(seeded):
    numbers = list(Petition.objects.values_list("number", flat=True))
    assert len(set(numbers)) == len(numbers)
    for day, last in PetitionNumberSequence.objects.values_list("day", "last"):
        year, month, dom = to_roc(day)
        prefix = f"{year:03d}{month:02d}{dom:02d}-"
        assert sum(n.startswith(prefix) for n in numbers) == last


def test_past_extensions_are_approved_by_the_agencys_supervisor(seeded):
    approved = list(
        PetitionRequest.objects.filter(
            kind=PetitionRequest.Kind.EXTENSION, state=PetitionRequest.State.APPROVED
        ).select_related("petition__lead_agency", "decided_by", "requested_by")
    )
    assert approved
    for request in approved:
        assert request.decided_by.username == f"supervisor-{request.petition.lead_agency.code}"
        assert request.decided_by != request.requested_by
