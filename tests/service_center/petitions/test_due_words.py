from datetime import datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from django.utils import translation

from service_center.petitions.due import due_state

TAIPEI = ZoneInfo("Asia/Taipei")


def _petition(due_at):
    return SimpleNamespace(is_open=True, due_at=due_at)


def test_a_case_due_over_the_weekend_names_its_date_not_zero_days(db):
    friday_evening = datetime(2026, 11, 27, 18, 0, tzinfo=TAIPEI)
    saturday_noon = datetime(2026, 11, 28, 12, 0, tzinfo=TAIPEI)
    with translation.override("en"):
        state = due_state(_petition(saturday_noon), friday_evening)
    assert state.state == "soon"
    assert state.text == "Due 115/11/28"


def test_a_case_due_today_says_today(db):
    morning = datetime(2026, 11, 26, 9, 0, tzinfo=TAIPEI)
    evening = datetime(2026, 11, 26, 17, 0, tzinfo=TAIPEI)
    with translation.override("en"):
        assert due_state(_petition(evening), morning).text == "Due today"
