"""The reply-template form. Rules (placeholders, unique titles) stay in services.py."""

from django import forms
from django.utils.translation import gettext_lazy as _

from rdec_portal.forms import ServiceErrorsMixin
from service_center.petitions.forms import agency_queryset
from service_center.petitions.models import DESCRIPTION_MAX_LENGTH, Category


class ReplyTemplateForm(ServiceErrorsMixin, forms.Form):
    agency = forms.ModelChoiceField(
        label=_("Agency"),
        queryset=agency_queryset(),
        required=False,
        empty_label=_("City-wide (every agency)"),
    )
    category = forms.ModelChoiceField(
        label=_("Category"),
        queryset=Category.objects.active().order_by("topic", "sort_order", "code"),
        required=False,
        empty_label=_("Every category"),
    )
    title = forms.CharField(label=_("Title"), max_length=100)
    body = forms.CharField(
        label=_("Text"),
        max_length=DESCRIPTION_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_(
            "Placeholders: {number} the case number, {received_date} the date received "
            "(ROC calendar), {category} the category, {agency} the lead agency. "
            "Plain, concrete and friendly: the handler completes it for each case."
        ),
    )

    def __init__(self, *args, choose_agency: bool, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the service centre picks the agency, and only when creating: a supervisor's
        # templates are always their own agency's.
        if not choose_agency:
            del self.fields["agency"]
