from django import forms
from django.utils.translation import gettext_lazy as _

from rdec_portal.performance.months import INVALID_MONTH, parse_month


class MonthField(forms.CharField):
    """A month typed or picked as 2026-10 or ROC 115/10; cleans to the month's first day."""

    # The codes parse_month raises, so the API schema documents them for a month filter.
    default_error_messages = {
        "invalid": INVALID_MONTH,
        "invalid_month": _("The month must be between 1 and 12."),
        "invalid_year": INVALID_MONTH,
    }

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        return parse_month(value)


class MonthPickerForm(forms.Form):
    month = MonthField(label=_("Month"), required=False)
