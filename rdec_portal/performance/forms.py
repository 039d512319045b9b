from django import forms
from django.utils.translation import gettext_lazy as _

from rdec_portal.performance.months import parse_month


class MonthField(forms.CharField):
    """A month typed or picked as 2026-10 or ROC 115/10; cleans to the month's first day."""

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        return parse_month(value)


class MonthPickerForm(forms.Form):
    month = MonthField(label=_("Month"), required=False)
