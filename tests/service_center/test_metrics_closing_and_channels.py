"""The monthly metrics added for the issue's list: closed on time, average and median working days
to close (stored when the clock stops), and petitions received by channel."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from importlib import import_module

import pytest
from django.apps import apps as django_apps

from rdec_portal.performance.models import MonthlyMetric
from rdec_portal.performance.registry import Kind, get_metric
from rdec_portal.performance.services import rollup_month
from service_center.petitions import services
from service_center.petitions.models import Channel, NotHandledReason, Petition, Status
from tests.service_center.conftest import NOW, TAIPEI
from tests.service_center.factories import AssignedPetitionFactory, CategoryFactory


def compute(name: str):
    """A service-centre metric's one-month rows, as the monthly rollup reads them."""
    return get_metric(f"service_center.{name}").compute


START = datetime(2026, 11, 1, tzinfo=TAIPEI)
END = datetime(2026, 12, 1, tzinfo=TAIPEI)
# NOW is Thursday 2026-11-26; Monday 2026-11-30 is 2 working days later (Fri 1, Mon 2).
MONDAY = datetime(2026, 11, 30, 15, 0, tzinfo=TAIPEI)


def rows(compute):
    return {agency: (value, num, den) for agency, value, num, den in compute(START, END)}


def finished(agency, days, *, on_time=True, status=Status.REPLIED, channel=Channel.WEB):
    """A petition of `agency` whose clock stopped on 2026-11-20 after `days` working days."""
    stopped = datetime(2026, 11, 20, 10, 0, tzinfo=TAIPEI)
    due = stopped + (timedelta(days=1) if on_time else -timedelta(days=1))
    fields = {
        "category": CategoryFactory(agency=agency),
        "status": status,
        "channel": channel,
        "due_at": due,
        "working_days_to_close": days,
        "received_at": START + timedelta(days=1),
    }
    if status == Status.NOT_HANDLED:
        fields.update(closed_at=stopped, not_handled_reason=NotHandledReason.NO_CONTENT)
    else:
        fields.update(replied_at=stopped)
    return AssignedPetitionFactory(**fields)


# --- the stored working days --------------------------------------------------------------------


def test_the_reply_stores_working_days_from_the_confirmation(frozen, staff_a, category):
    petition = AssignedPetitionFactory(category=category)
    frozen.move_to(MONDAY)
    services.petition_reply(petition=petition, by=staff_a, text="ok")
    assert Petition.objects.get(pk=petition.pk).working_days_to_close == 2


def test_a_reply_on_the_day_of_confirmation_took_zero_working_days(frozen, staff_a, category):
    petition = AssignedPetitionFactory(category=category)
    services.petition_reply(petition=petition, by=staff_a, text="ok")
    assert Petition.objects.get(pk=petition.pk).working_days_to_close == 0


def test_not_handled_stores_it_and_merged_does_not(frozen, desk_user, category):
    declined = AssignedPetitionFactory(category=category)
    duplicate = AssignedPetitionFactory(category=category)
    answering = AssignedPetitionFactory(category=category)
    frozen.move_to(MONDAY)
    services.petition_mark_not_handled(
        petition=declined, reason=NotHandledReason.NO_CONTENT, by=desk_user
    )
    services.petition_merge(petition=duplicate, into=answering, by=desk_user)
    assert Petition.objects.get(pk=declined.pk).working_days_to_close == 2
    assert Petition.objects.get(pk=duplicate.pk).working_days_to_close is None


def test_a_transfer_does_not_restart_the_count_but_a_reopening_does(
    frozen, staff_b, desk_user, category, agency_b
):
    petition = AssignedPetitionFactory(category=category)
    frozen.move_to(NOW + timedelta(days=1))  # Friday
    services.petition_transfer(petition=petition, agency=agency_b, by=desk_user, reason="權責")
    frozen.move_to(MONDAY)
    services.petition_reply(petition=petition, by=staff_b, text="ok")
    assert Petition.objects.get(pk=petition.pk).working_days_to_close == 2

    frozen.move_to(MONDAY + timedelta(days=1))  # Tuesday: reopened
    services.petition_reopen(petition=petition, reason="仍未處理")
    frozen.move_to(MONDAY + timedelta(days=3))  # Thursday: 2 working days after the reopening
    services.petition_reply(petition=petition, by=staff_b, text="已再處理")
    assert Petition.objects.get(pk=petition.pk).working_days_to_close == 2


def test_the_backfill_fills_what_was_closed_before_the_column(frozen, staff_a, category):
    petition = AssignedPetitionFactory(category=category)
    frozen.move_to(MONDAY)
    services.petition_reply(petition=petition, by=staff_a, text="ok")
    open_case = AssignedPetitionFactory(category=category)
    Petition.objects.update(working_days_to_close=None)
    migration = import_module("service_center.migrations.0006_backfill_working_days_to_close")
    migration.backfill(django_apps, None)
    assert Petition.objects.get(pk=petition.pk).working_days_to_close == 2
    assert Petition.objects.get(pk=open_case.pk).working_days_to_close is None


# --- the metrics ----------------------------------------------------------------------------------


def test_average_and_median_working_days_per_agency(db, agency_a, agency_b):
    for days in (1, 2, 9):
        finished(agency_a, days)
    finished(agency_a, 4, status=Status.NOT_HANDLED)
    finished(agency_b, 5)
    AssignedPetitionFactory(category=CategoryFactory(agency=agency_a))  # still open: no figure

    average = rows(compute("working_days_average"))
    assert average[agency_a.pk] == (Decimal(4), 16, 4)
    assert average[agency_b.pk] == (Decimal(5), 5, 1)
    median = rows(compute("working_days_median"))
    assert median[agency_a.pk] == (Decimal(3), Decimal(12), 4)
    assert median[agency_b.pk] == (Decimal(5), Decimal(5), 1)


def test_a_petition_finished_in_another_month_is_not_counted(db, agency_a):
    petition = finished(agency_a, 3)
    Petition.objects.filter(pk=petition.pk).update(replied_at=START - timedelta(seconds=1))
    assert rows(compute("working_days_average")) == {}
    assert rows(compute("working_days_median")) == {}
    assert rows(compute("closed_on_time")) == {}


def test_closed_on_time_counts_replies_and_not_handled_by_their_own_moment(db, agency_a):
    finished(agency_a, 1)
    finished(agency_a, 1, on_time=False)
    finished(agency_a, 1, status=Status.NOT_HANDLED)
    late_not_handled = finished(agency_a, 1, status=Status.NOT_HANDLED, on_time=False)
    assert rows(compute("closed_on_time"))[agency_a.pk] == (Decimal(50), 2, 4)
    # "Replied on time" counts replies only.
    assert rows(compute("replied_on_time"))[agency_a.pk] == (Decimal(50), 1, 2)
    Petition.objects.filter(pk=late_not_handled.pk).update(due_at=None)
    assert rows(compute("closed_on_time"))[agency_a.pk] == (Decimal(200) / 3, 2, 3)


def test_counts_by_channel_add_up_to_received(db, agency_a, agency_b):
    for channel in (Channel.WEB, Channel.WEB, Channel.PHONE_1999, Channel.APP):
        finished(agency_a, 1, channel=channel)
    finished(agency_b, 1, channel=Channel.PHONE_1999)
    by_channel = {
        channel: rows(get_metric(f"service_center.channel.{channel}").compute)
        for channel in Channel.values
    }
    assert by_channel[Channel.WEB] == {agency_a.pk: (2, 2, None)}
    assert by_channel[Channel.PHONE_1999] == {agency_a.pk: (1, 1, None), agency_b.pk: (1, 1, None)}
    assert by_channel[Channel.LETTER] == {}
    total_a = sum(r.get(agency_a.pk, (0,))[0] for r in by_channel.values())
    assert total_a == rows(compute("received"))[agency_a.pk][0] == 4


@pytest.mark.parametrize(
    "code",
    [
        "service_center.closed_on_time",
        "service_center.working_days_average",
        "service_center.working_days_median",
        "service_center.channel.phone_1999",
    ],
)
@pytest.mark.parametrize("cases", [1, 20])
def test_each_metric_reads_the_same_few_queries_however_many_cases(
    db, agency_a, code, cases, django_assert_max_num_queries
):
    # The finished petitions' figures read replies and other endings apart: two queries.
    for n in range(cases):
        finished(agency_a, n % 7, channel=Channel.PHONE_1999)
    with django_assert_max_num_queries(2):
        computed = list(get_metric(code).compute(START, END))
    assert len(computed) == 1


def test_the_rollup_stores_them_and_the_city_wide_median_weighs_agencies_by_cases(
    db, agency_a, agency_b
):
    for days in (1, 2, 9):
        finished(agency_a, days)
    finished(agency_b, 6)
    codes = [
        "service_center.working_days_average",
        "service_center.working_days_median",
        "service_center.closed_on_time",
        "service_center.channel.web",
    ]
    rollup_month(month=date(2026, 11, 1), codes=codes)
    stored = {(m.code, m.agency_id): m for m in MonthlyMetric.objects.filter(code__in=codes)}
    assert stored[("service_center.working_days_median", agency_a.pk)].value == 2
    assert stored[("service_center.working_days_average", agency_a.pk)].value == 4
    assert stored[("service_center.closed_on_time", agency_b.pk)].value == 100
    assert stored[("service_center.channel.web", agency_a.pk)].value == 3
    median = get_metric("service_center.working_days_median")
    assert median.kind == Kind.RATIO
    city = median.combine(value_sum=None, numerator_sum=Decimal(2 * 3 + 6), denominator_sum=4)
    assert city == Decimal(3)


def test_the_closing_metrics_are_registered_with_sensible_settings():
    on_time = get_metric("service_center.closed_on_time")
    assert on_time.target == 95 and on_time.unit == "%"
    assert not get_metric("service_center.working_days_average").higher_is_better
    assert {get_metric(f"service_center.channel.{c}").kind for c in Channel.values} == {Kind.COUNT}
