"""Forms for the legal consultation pages. They turn typed text into values; services.py decides."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rdec_portal.dates import format_roc_short
from rdec_portal.forms import ROCDateField, ServiceErrorsMixin
from service_center.legal.models import (
    BookingChannel,
    ConsultationTopic,
    Lawyer,
    LegalSession,
    LegalVenue,
    Weekday,
)
from service_center.legal.services import Citizen, LawyerDetails, SessionPlan

TIME_FORMATS = ["%H:%M", "%H%M", "%H.%M"]


def _citizen(data: dict) -> Citizen:
    return Citizen(
        name=data["citizen_name"],
        phone=data["citizen_phone"],
        email=data.get("citizen_email", ""),
        topic=data["topic"],
        summary=data.get("summary", ""),
        needs=data.get("needs", ""),
        has_consented=data.get("has_consented", False),
    )


class LawyerForm(ServiceErrorsMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    bar_number = forms.CharField(
        label=_("Bar certificate number"),
        max_length=40,
        help_text=_("As on the lawyer's certificate, e.g. (107)台檢證字第12345號."),
    )
    specialities = forms.MultipleChoiceField(
        label=_("Specialities"),
        choices=ConsultationTopic.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    phone = forms.CharField(label=_("Phone"), max_length=30, required=False)
    email = forms.EmailField(label=_("Email"), required=False)
    is_active = forms.BooleanField(label=_("Active on the rota"), required=False, initial=True)

    @classmethod
    def for_lawyer(cls, lawyer: Lawyer, data=None):
        initial = {
            "name": lawyer.name,
            "bar_number": lawyer.bar_number,
            "specialities": lawyer.specialities,
            "phone": lawyer.phone,
            "email": lawyer.email,
            "is_active": lawyer.is_active,
        }
        return cls(data, initial=initial)

    def details(self) -> LawyerDetails:
        return LawyerDetails(**self.cleaned_data)


class SessionForm(ServiceErrorsMixin, forms.Form):
    venue = forms.ModelChoiceField(label=_("Venue"), queryset=LegalVenue.objects.none())
    lawyer = forms.ModelChoiceField(
        label=_("Lawyer"),
        queryset=Lawyer.objects.none(),
        required=False,
        help_text=_("Leave empty while the lawyer is not yet known."),
    )
    kind = forms.ChoiceField(
        label=_("Repeats"), choices=LegalSession.Kind.choices, widget=forms.RadioSelect
    )
    weekday = forms.TypedChoiceField(
        label=_("Weekday"),
        choices=[("", "—"), *Weekday.choices],
        coerce=int,
        empty_value=None,
        required=False,
    )
    on_date = ROCDateField(label=_("Date (one-off session)"), required=False)
    valid_from = ROCDateField(label=_("Weekly from"), required=False, help_text="")
    valid_until = ROCDateField(label=_("Weekly until"), required=False, help_text="")
    start_time = forms.TimeField(
        label=_("Starts"), input_formats=TIME_FORMATS, help_text=_("For example 14:00.")
    )
    end_time = forms.TimeField(
        label=_("Ends"), input_formats=TIME_FORMATS, help_text=_("For example 17:00.")
    )
    slot_minutes = forms.IntegerField(
        label=_("Minutes per consultation"), min_value=10, max_value=180, initial=20
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args, venues, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["venue"].queryset = venues.filter(is_active=True)
        self.fields["lawyer"].queryset = Lawyer.objects.filter(is_active=True).order_by("name")
        for name in ("start_time", "end_time"):
            self.fields[name].widget.format = "%H:%M"

    @classmethod
    def for_session(cls, session: LegalSession, *, venues, data=None):
        fields = [
            "kind",
            "weekday",
            "on_date",
            "valid_from",
            "valid_until",
            "start_time",
            "end_time",
            "slot_minutes",
            "note",
            "is_active",
        ]
        initial = {name: getattr(session, name) for name in fields}
        initial.update(venue=session.venue_id, lawyer=session.lawyer_id)
        form = cls(data, initial=initial, venues=venues)
        # A session keeps its lawyer on the list even after the lawyer retires.
        if session.lawyer_id:
            form.fields["lawyer"].queryset = Lawyer.objects.filter(
                is_active=True
            ) | Lawyer.objects.filter(pk=session.lawyer_id)
        return form

    def plan(self) -> SessionPlan:
        return SessionPlan(**self.cleaned_data)


class GenerateForm(ServiceErrorsMixin, forms.Form):
    venue = forms.ModelChoiceField(
        label=_("Venue"),
        queryset=LegalVenue.objects.none(),
        required=False,
        empty_label=_("Every venue"),
    )
    start = ROCDateField(label=_("From"))
    end = ROCDateField(label=_("Until"))

    def __init__(self, *args, venues, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["venue"].queryset = venues.filter(is_active=True)


class DayForm(forms.Form):
    day = ROCDateField(label=_("Date"), required=False, help_text="")


class BookingForm(ServiceErrorsMixin, forms.Form):
    channel = forms.ChoiceField(
        label=_("How booked"),
        choices=[c for c in BookingChannel.choices if c[0] != BookingChannel.WEB],
        widget=forms.RadioSelect,
        initial=BookingChannel.PHONE,
    )
    citizen_name = forms.CharField(label=_("Citizen's name"), max_length=100)
    citizen_phone = forms.CharField(
        label=_("Phone"),
        max_length=30,
        help_text=_("The venue calls this number if the consultation moves."),
    )
    citizen_email = forms.EmailField(label=_("Email (optional)"), required=False)
    topic = forms.ChoiceField(label=_("Topic"), choices=[("", "—"), *ConsultationTopic.choices])
    summary = forms.CharField(
        label=_("The question in a sentence (optional)"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    needs = forms.CharField(
        label=_("Assistance needed (optional)"),
        max_length=200,
        required=False,
        help_text=_("For example a sign-language or Vietnamese interpreter, or step-free access."),
    )
    has_consented = forms.BooleanField(
        label=_(
            "The citizen agreed that the name and phone are used only to arrange this consultation."
        ),
        required=False,
    )

    def citizen(self) -> Citizen:
        return _citizen(self.cleaned_data)


class CancelForm(ServiceErrorsMixin, forms.Form):
    reason = forms.CharField(
        label=_("Why is it cancelled?"),
        max_length=200,
        help_text=_("For example: the citizen called to cancel; the session was moved."),
    )


class RecordForm(ServiceErrorsMixin, forms.Form):
    topic = forms.ChoiceField(label=_("Topic"), choices=ConsultationTopic.choices)
    note = forms.CharField(
        label=_("Note (staff only)"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("A short note: what was asked and what the lawyer advised."),
    )


class EmptyForm(ServiceErrorsMixin, forms.Form):
    """For steps that need only the button (marking a missed consultation)."""


# --- the public booking page --------------------------------------------------------------------


def slot_choices(slots) -> list:
    """Free slots as radio buttons grouped by day: 115/12/01 (Tuesday) → 14:00–14:20, ..."""
    groups: dict = {}
    for slot in slots:
        start = timezone.localtime(slot.starts_at)
        day = f"{format_roc_short(start.date())} ({Weekday(start.weekday()).label})"
        end = timezone.localtime(slot.ends_at)
        groups.setdefault(day, []).append((slot.pk, f"{start:%H:%M}–{end:%H:%M}"))
    return list(groups.items())


class PublicBookingForm(ServiceErrorsMixin, forms.Form):
    """A citizen books a free slot. Only what the venue needs to arrange the consultation."""

    token = forms.CharField(widget=forms.HiddenInput, max_length=64)
    slot = forms.TypedChoiceField(
        label=_("Time"),
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose a time."),
            "invalid_choice": _("This time is no longer free: choose another."),
        },
    )
    citizen_name = forms.CharField(label=_("Your name"), max_length=100)
    citizen_phone = forms.CharField(
        label=_("Phone"),
        max_length=30,
        help_text=_("We call this number if the consultation has to move."),
    )
    citizen_email = forms.EmailField(label=_("Email (optional)"), required=False)
    topic = forms.ChoiceField(
        label=_("What is your question about?"),
        choices=[("", "—"), *ConsultationTopic.choices],
    )
    summary = forms.CharField(
        label=_("Your question in a sentence (optional)"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    needs = forms.CharField(
        label=_("Assistance needed (optional)"),
        max_length=200,
        required=False,
        help_text=_("For example a sign-language or Vietnamese interpreter, or step-free access."),
    )
    has_consented = forms.BooleanField(
        label=_(
            "I agree that the city government uses my name and phone only to arrange this "
            "consultation."
        ),
        required=False,
    )

    def __init__(self, *args, slots, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["slot"].choices = slot_choices(slots)

    def citizen(self) -> Citizen:
        return _citizen(self.cleaned_data)
