from datetime import date

import pytest
from django import forms
from django.utils import translation

from rdec_portal.forms import ROCDateField


class DueForm(forms.Form):
    due_on = ROCDateField(label="Due on")


@pytest.mark.parametrize(
    "typed",
    [
        "114/04/02",
        "114-04-02",
        "114.4.2",
        "民國114年4月2日",
        "2025-04-02",
        "1140402",
        "20250402",
        "１１４／０４／０２",
    ],
)
def test_field_accepts_roc_and_iso_dates(typed):
    form = DueForm(data={"due_on": typed})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["due_on"] == date(2025, 4, 2)


def test_impossible_date_gets_a_clear_message_in_the_users_language():
    with translation.override("en"):
        form = DueForm(data={"due_on": "114/13/40"})
        assert not form.is_valid()
        [error] = form.errors.as_data()["due_on"]
        assert error.code == "invalid_date"
        assert form.errors["due_on"] == [
            "“114/13/40” is not a real date: check the month and the day."
        ]


def test_text_that_is_no_date_at_all_explains_the_formats():
    with translation.override("en"):
        form = DueForm(data={"due_on": "next Tuesday"})
        assert not form.is_valid()
        assert "114/04/02" in form.errors["due_on"][0]


def test_form_keeps_what_was_typed_after_an_error():
    form = DueForm(data={"due_on": "114/13/40"})
    assert not form.is_valid()
    html = str(form["due_on"])
    assert 'value="114/13/40"' in html
    assert 'aria-invalid="true"' in html


def test_widget_is_a_text_box_for_the_number_pad_with_a_format_hint():
    form = DueForm()
    html = str(form["due_on"])
    assert 'type="text"' in html
    assert 'inputmode="numeric"' in html
    # The hint is tied to the box, so a screen reader reads it with the label.
    assert 'aria-describedby="id_due_on_helptext"' in html
    with translation.override("en"):
        assert "114/04/02" in str(form["due_on"].help_text)


def test_an_initial_date_is_shown_in_the_roc_calendar():
    form = DueForm(initial={"due_on": date(2025, 4, 2)})
    assert 'value="114/04/02"' in str(form["due_on"])


def test_empty_optional_field_is_none_and_required_field_says_so():
    class OptionalForm(forms.Form):
        due_on = ROCDateField(required=False)

    optional = OptionalForm(data={"due_on": "  "})
    assert optional.is_valid()
    assert optional.cleaned_data["due_on"] is None
    required = DueForm(data={"due_on": ""})
    assert not required.is_valid()
    assert required.errors.as_data()["due_on"][0].code == "required"
