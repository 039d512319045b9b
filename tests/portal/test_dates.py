from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from rdec_portal.dates import (
    format_roc_long,
    format_roc_short,
    parse_date_roc_or_iso,
    to_roc,
)


def test_to_roc_subtracts_1911():
    assert to_roc(date(2025, 4, 2)) == (114, 4, 2)
    assert to_roc(date(1912, 1, 1)) == (1, 1, 1)


def test_to_roc_refuses_dates_before_the_republic():
    with pytest.raises(ValueError):
        to_roc(date(1911, 12, 31))


def test_format_roc_long_has_no_leading_zeros():
    assert format_roc_long(date(2025, 4, 2)) == "民國114年4月2日"


def test_format_roc_short_pads_year_month_and_day():
    assert format_roc_short(date(2025, 4, 2)) == "114/04/02"
    assert format_roc_short(date(1921, 12, 31)) == "010/12/31"


@pytest.mark.parametrize(
    "text",
    [
        "114/04/02",
        "114-4-2",
        "114.04.02",
        "2025-04-02",
        "2025/4/2",
        "民國114年4月2日",
        "民國 114 年 4 月 2 日",
        "114年4月2日",
        "  114/04/02  ",
        "１１４／０４／０２",
    ],
)
def test_parser_accepts_roc_and_iso(text):
    assert parse_date_roc_or_iso(text) == date(2025, 4, 2)


def test_parser_round_trips_the_formatters():
    day = date(2024, 2, 29)
    assert parse_date_roc_or_iso(format_roc_short(day)) == day
    assert parse_date_roc_or_iso(format_roc_long(day)) == day


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("114/13/40", "invalid_date"),
        ("113/02/30", "invalid_date"),
        ("2025-02-29", "invalid_date"),
        ("0/01/01", "invalid_year"),
        ("民國0年1月1日", "invalid_year"),
        ("garbage", "invalid"),
        ("", "invalid"),
        ("114/04", "invalid"),
        ("20250402", "invalid"),
        ("12345/01/01", "invalid"),
        ("2025-04-02T10:00", "invalid"),
        ("1" * 5000, "invalid"),
    ],
)
def test_parser_rejects_bad_dates_with_a_specific_code(text, code):
    with pytest.raises(ValidationError) as caught:
        parse_date_roc_or_iso(text)
    assert caught.value.code == code


def test_parser_rejects_a_non_string():
    with pytest.raises(ValidationError):
        parse_date_roc_or_iso(None)


def test_impossible_date_message_names_the_input_in_english():
    with translation.override("en"):
        with pytest.raises(ValidationError) as caught:
            parse_date_roc_or_iso("114/13/40")
        # The message is lazy: read it while English is still active.
        assert caught.value.messages == [
            "“114/13/40” is not a real date: check the month and the day."
        ]


def test_format_message_gives_an_example():
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        parse_date_roc_or_iso("yesterday")
    assert "114/04/02" in caught.value.messages[0]
