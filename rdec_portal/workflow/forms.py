from datetime import date

from django import forms
from django.utils.translation import gettext_lazy as _

from rdec_portal.forms import ROCDateField

# The holiday package knows Taiwan's holidays from 1998; a later date is someone's typo.
FIRST_YEAR = 1998
LAST_YEAR = 2099
MAX_DAYS = 3650


class AddWorkingDaysForm(forms.Form):
    """The calendar page's "what date is N working days after this one" question."""

    start = ROCDateField(label=_("Start date"))
    days = forms.IntegerField(
        label=_("Working days to add"),
        min_value=-MAX_DAYS,
        max_value=MAX_DAYS,
        help_text=_("A negative number counts backwards."),
    )

    def clean_start(self) -> date:
        start = self.cleaned_data["start"]
        if not FIRST_YEAR <= start.year <= LAST_YEAR:
            raise forms.ValidationError(
                _("Choose a date between %(first)s and %(last)s."),
                code="out_of_range",
                params={"first": FIRST_YEAR, "last": LAST_YEAR},
            )
        return start
