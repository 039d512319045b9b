"""Form fields shared by every business line.

`ROCDateField` is the date field for any form a person fills in. A ModelForm does not pick it by
itself: name it in `Meta.field_classes = {"due_on": ROCDateField}` (or declare the field).
"""

import re
from datetime import date, datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from rdec_portal.dates import format_roc_short, parse_date_roc_or_iso

# A phone's number pad may have no "/" or "-": seven digits are a ROC date (1140402), eight an
# ISO one (20250402).
_ROC_DIGITS = re.compile(r"(\d{3})(\d{2})(\d{2})")
_ISO_DIGITS = re.compile(r"(\d{4})(\d{2})(\d{2})")


class ROCDateInput(forms.TextInput):
    """A text box (not type=date: its picker cannot show ROC years) that opens the number pad."""

    def __init__(self, attrs=None):
        defaults = {"inputmode": "numeric", "autocomplete": "off", "maxlength": "30", "size": "12"}
        super().__init__({**defaults, **(attrs or {})})

    def format_value(self, value):
        if isinstance(value, date) and value.year > 1911:
            return format_roc_short(value)
        return super().format_value(value)


class ROCDateField(forms.DateField):
    """Accepts 114/04/02, 114-04-02, 114.4.2, 民國114年4月2日, 1140402 and 2025-04-02.

    A date that does not exist (114/13/40) gets the parser's message in the user's language;
    the form then shows the text exactly as it was typed, so it can be corrected.
    """

    widget = ROCDateInput
    default_help_text = _("For example 114/04/02 (ROC year) or 2025-04-02.")

    def __init__(self, *, help_text=None, **kwargs):
        super().__init__(
            help_text=self.default_help_text if help_text is None else help_text, **kwargs
        )

    def to_python(self, value):
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        if isinstance(value, str):
            value = value.strip()
        if value in self.empty_values:
            return None
        return parse_date_roc_or_iso(_expand_digits(str(value)))


def _expand_digits(text: str) -> str:
    if found := _ROC_DIGITS.fullmatch(text):
        return "/".join(found.groups())
    if found := _ISO_DIGITS.fullmatch(text):
        return "-".join(found.groups())
    return text


def add_service_errors(form, error: ValidationError) -> None:
    """Put a service's error back on the form that led to it.

    Use it in a view when a service (`<entity>_<verb>`) raises its feature's `ValidationError`:
    an error naming fields (`PetitionError({"subject": ...})`) goes beside the fields the form
    has, anything else (a field the form lacks, or a plain message) on top of the form.
    """
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, messages in error.message_dict.items():
        form.add_error(field if field in form.fields else None, messages)


class ServiceErrorsMixin:
    """For a form whose view calls a service: `form.add_service_errors(exc)`."""

    def add_service_errors(self, error: ValidationError) -> None:
        add_service_errors(self, error)
