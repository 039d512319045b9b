"""Forms for the nearby-cases list and "me too". The rules stay in services.py and selectors.py."""

from django import forms
from django.utils.translation import gettext_lazy as _

from service_center.nearby.selectors import in_kaohsiung
from service_center.petitions.models import Category

# The petition form's checkbox: the citizen has seen the nearby cases and files anyway.
FILE_ANYWAY = "file_anyway"


class NearbyQueryForm(forms.Form):
    """?category=<id or code>&lat=&lon= for the nearby list."""

    category = forms.CharField(max_length=40, error_messages={"required": _("Choose a category.")})
    lat = forms.DecimalField(max_digits=12, decimal_places=8)
    lon = forms.DecimalField(max_digits=12, decimal_places=8)

    def clean_category(self) -> Category:
        value = self.cleaned_data["category"].strip()
        categories = Category.objects.active()
        # ASCII digits only: str.isdigit() also says yes to "²", which int() then refuses.
        is_id = value.isascii() and value.isdigit()
        found = (
            categories.filter(pk=int(value)) if is_id else categories.filter(code=value)
        ).first()
        if found is None:
            raise forms.ValidationError(_("Choose a category."), code="unknown")
        return found

    def clean(self):
        data = super().clean()
        lat, lon = data.get("lat"), data.get("lon")
        if lat is not None and lon is not None and not in_kaohsiung(lat, lon):
            raise forms.ValidationError(
                _("This point is outside Kaohsiung. Check the coordinates or leave them out."),
                code="outside",
            )
        return data


class FollowForm(forms.Form):
    email = forms.EmailField(
        label=_("Email (optional)"),
        required=False,
        help_text=_(
            "We email a link to confirm it; then you hear when the case is replied to and closed."
        ),
    )
    has_consented = forms.BooleanField(
        label=_("I agree that my email address is used only to tell me about this case."),
        required=False,
    )

    def clean(self):
        data = super().clean()
        if data.get("email") and not data.get("has_consented"):
            self.add_error(
                "has_consented",
                _("Agree to the use of your email address, or leave it out."),
            )
        return data
