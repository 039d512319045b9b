from datetime import datetime
from zoneinfo import ZoneInfo

from django.utils import translation

from rdec_portal.due import DueState, due_state
from rdec_portal.templatetags.deadlines import due_badge

TAIPEI = ZoneInfo("Asia/Taipei")


def test_a_case_due_over_the_weekend_names_its_date_not_zero_days(db):
    friday_evening = datetime(2026, 11, 27, 18, 0, tzinfo=TAIPEI)
    saturday_noon = datetime(2026, 11, 28, 12, 0, tzinfo=TAIPEI)
    with translation.override("en"):
        state = due_state(saturday_noon, friday_evening)
    assert state.state == "soon"
    assert state.text == "Due 115/11/28"


def test_a_case_due_today_says_today(db):
    morning = datetime(2026, 11, 26, 9, 0, tzinfo=TAIPEI)
    evening = datetime(2026, 11, 26, 17, 0, tzinfo=TAIPEI)
    with translation.override("en"):
        assert due_state(evening, morning).text == "Due today"


def test_nothing_is_due_when_closed_or_without_a_due_time(db):
    morning = datetime(2026, 11, 26, 9, 0, tzinfo=TAIPEI)
    assert due_state(None, morning) is None
    assert due_state(morning, morning, is_open=False) is None


def test_overdue_counts_calendar_days(db):
    due = datetime(2026, 11, 24, 17, 0, tzinfo=TAIPEI)
    now = datetime(2026, 11, 26, 9, 0, tzinfo=TAIPEI)
    with translation.override("en"):
        assert due_state(due, now) == DueState("overdue", "Overdue by 2 days")


def test_the_badge_says_the_state_in_a_class_and_in_escaped_words():
    badge = due_badge(DueState("soon", "Due <today>"))
    assert badge == '<span class="due due-soon" data-due="soon">Due &lt;today&gt;</span>'
    assert due_badge(None) == ""
