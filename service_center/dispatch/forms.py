"""Forms for dispatch photos and the citizen's "not fixed". The rules stay in services.py."""

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from service_center.petitions.files import MAX_FILES
from service_center.petitions.forms import MultipleFileField, MultipleFileInput
from service_center.petitions.models import Attachment


class DispatchPhotoForm(forms.Form):
    role = forms.ChoiceField(
        label=_("Photos taken"),
        choices=[
            (Attachment.Role.BEFORE, _("Before the work (seen by staff only)")),
            (Attachment.Role.AFTER, _("After the work (shown to the citizen)")),
        ],
        widget=forms.RadioSelect,
    )
    files = MultipleFileField(
        label=_("Photos"),
        help_text=format_lazy(
            _("JPG or PNG, up to {max} at a time, 20 MB each. Location details are removed."),
            max=MAX_FILES,
        ),
        widget=MultipleFileInput(attrs={"accept": ".jpg,.jpeg,.png"}),
        error_messages={"required": _("Choose at least one photo.")},
    )


class NotFixedForm(forms.Form):
    reason = forms.CharField(
        label=_("What is still wrong?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Say what is still wrong, so the agency knows what to fix.")},
    )
