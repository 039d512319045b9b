from datetime import UTC, date, datetime

import pytest
from django.template import Context, Template
from django.utils import timezone, translation


def render(expression: str, **context) -> str:
    return Template("{% load roc %}" + expression).render(Context(context))


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("{{ d|roc_date }}", "民國114年4月2日"),
        ("{{ d|roc_short }}", "114/04/02"),
        ("{{ d|roc_month }}", "民國114年4月"),
    ],
)
def test_filters_show_a_date_in_the_roc_calendar_in_chinese(expression, expected):
    with translation.override("zh-hant"):
        assert render(expression, d=date(2025, 4, 2)) == expected


def test_english_long_date_gives_the_gregorian_date_and_the_roc_year():
    with translation.override("en"):
        assert render("{{ d|roc_date }}", d=date(2025, 4, 2)) == "2 April 2025 (ROC 114)"
        assert render("{{ d|roc_month }}", d=date(2025, 4, 2)) == "April 2025 (ROC 114)"


def test_short_form_is_the_same_in_english():
    with translation.override("en"):
        assert render("{{ d|roc_short }}", d=date(2025, 4, 2)) == "114/04/02"


def test_datetime_is_shown_in_taipei_time_whatever_the_active_time_zone():
    # 2025-04-01 16:30 UTC is already 2 April, 00:30 in Taipei (UTC+8).
    moment = datetime(2025, 4, 1, 16, 30, tzinfo=UTC)
    with translation.override("zh-hant"), timezone.override("UTC"):
        assert render("{{ t|roc_datetime }}", t=moment) == "民國114年4月2日 00:30"
        assert render("{{ t|roc_date }}", t=moment) == "民國114年4月2日"
        assert render("{{ t|roc_short }}", t=moment) == "114/04/02"


def test_roc_datetime_of_a_plain_date_has_no_time():
    with translation.override("zh-hant"):
        assert render("{{ d|roc_datetime }}", d=date(2025, 4, 2)) == "民國114年4月2日"


@pytest.mark.parametrize("value", [None, ""])
@pytest.mark.parametrize("name", ["roc_date", "roc_short", "roc_datetime", "roc_month"])
def test_missing_value_shows_a_dash(name, value):
    assert render("{{ v|" + name + " }}", v=value) == "—"


def test_a_date_before_the_republic_falls_back_to_iso_instead_of_breaking_the_page():
    assert render("{{ d|roc_date }}", d=date(1900, 1, 2)) == "1900-01-02"
    assert render("{{ d|roc_short }}", d=date(1900, 1, 2)) == "1900-01-02"
