"""Forms for the citizens' pages and the staff pages. Business rules stay in services.py; the
forms only turn typed text into values and show the services' errors next to the fields."""

import uuid
from itertools import groupby

from django import forms
from django.core.exceptions import ValidationError
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from rdec_portal.accounts.models import Agency, User
from rdec_portal.forms import ROCDateField, ServiceErrorsMixin
from service_center.petitions.catalogue_cache import active_category
from service_center.petitions.files import ALLOWED_DESCRIPTION, MAX_FILES
from service_center.petitions.models import (
    ANSWER_MAX_LENGTH,
    DESCRIPTION_MAX_LENGTH,
    KAOHSIUNG_BBOX,
    NOTE_MAX_LENGTH,
    REASON_MAX_LENGTH,
    REPLY_MAX_LENGTH,
    Category,
    Channel,
    NotHandledReason,
    SurveyAnswer,
    Topic,
)
from service_center.petitions.questions import LIST_TYPES, question_text, value_name
from service_center.petitions.services import PetitionDraft


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        for upload in files:
            if getattr(upload, "size", None) == 0:
                # Django's own "empty" message reads as "no file was submitted" in zh-Hant.
                raise ValidationError(
                    _("“%(name)s” is empty (0 bytes): choose the file again."),
                    code="empty",
                    params={"name": upload.name},
                )
        return [super(MultipleFileField, self).clean(f, initial) for f in files]


def category_choices():
    """Active categories under their topic, for a select with option groups."""
    categories = Category.objects.active().order_by("topic", "sort_order", "code")
    labels = dict(Topic.choices)
    groups = [
        (labels.get(topic, topic), [(c.pk, c.name) for c in items])
        for topic, items in groupby(categories, key=lambda c: c.topic)
    ]
    return [("", _("Choose a category")), *groups]


class CategoryChoiceField(forms.TypedChoiceField):
    """Options from the active catalogue; cleans to the Category itself.

    Validation is one lookup of the chosen category (the form hands over the one it has already
    read for its extra questions), not a read of the whole catalogue for the option list.
    """

    def __init__(self, **kwargs):
        super().__init__(coerce=int, choices=category_choices, **kwargs)
        self.known: Category | None = None

    def clean(self, value):
        value = self.to_python(value)
        if value in self.empty_values:
            self.validate(value)  # "Choose a category." when required
            return None
        invalid = forms.ValidationError(
            self.error_messages["invalid_choice"], code="invalid_choice", params={"value": value}
        )
        try:
            pk = int(value)
        except (TypeError, ValueError):
            raise invalid from None
        if self.known is not None and self.known.pk == pk:
            return self.known
        category = active_category(pk)
        if category is None:
            raise invalid
        return category


def _question_field(question: dict) -> forms.Field:
    label = question_text(question)
    if question["datatype"] in LIST_TYPES:
        choices = [(v["key"], value_name(v)) for v in question["values"]]
        if question["datatype"] == "multivaluelist":
            return forms.MultipleChoiceField(
                label=label, choices=choices, required=False, widget=forms.CheckboxSelectMultiple
            )
        return forms.ChoiceField(label=label, choices=[("", "—"), *choices], required=False)
    if question["datatype"] == "text":
        return forms.CharField(
            label=label,
            required=False,
            max_length=ANSWER_MAX_LENGTH,
            widget=forms.Textarea(attrs={"rows": 3}),
        )
    return forms.CharField(label=label, required=False, max_length=ANSWER_MAX_LENGTH)


class PetitionForm(ServiceErrorsMixin, forms.Form):
    """The petition: what, where, files, who. Also the staff form, with a channel added."""

    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64)
    category = CategoryChoiceField(
        label=_("Category"), error_messages={"required": _("Choose a category.")}
    )
    subject = forms.CharField(label=_("Subject"), max_length=200)
    description = forms.CharField(
        label=_("Description"),
        max_length=DESCRIPTION_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Up to 4,000 characters. What happened, where, since when."),
    )
    address = forms.CharField(
        label=_("Address or place"),
        max_length=300,
        required=False,
        help_text=_("For example: 三民區自由一路 100 號前, or a landmark. Text alone is enough."),
    )
    latitude = forms.DecimalField(
        label=_("Latitude"), required=False, max_digits=12, decimal_places=8
    )
    longitude = forms.DecimalField(
        label=_("Longitude"), required=False, max_digits=12, decimal_places=8
    )
    files = MultipleFileField(
        label=_("Photos and files"),
        required=False,
        # Formatted when shown, so the text follows the request's language.
        help_text=lazy(
            lambda: (
                _("Up to %(max)d files, 20 MB each: %(types)s.")
                % {"max": MAX_FILES, "types": ALLOWED_DESCRIPTION}
            ),
            str,
        )(),
        widget=MultipleFileInput(
            attrs={"accept": ".jpg,.jpeg,.png,.pdf,.mp4,.avi,.wmv,.wma,.wav,.mp3"}
        ),
    )
    name = forms.CharField(label=_("Name"), max_length=100, required=False)
    email = forms.EmailField(
        label=_("Email"),
        required=False,
        help_text=_("We send the confirmation link, the case number and the reply here."),
    )
    phone = forms.CharField(label=_("Phone"), max_length=30, required=False)
    postal_address = forms.CharField(label=_("Postal address"), max_length=300, required=False)
    # Sentences, not field names: no "：" after them.
    has_consented = forms.BooleanField(
        label=_("I agree that my personal data is used to handle this petition."),
        required=False,
        label_suffix="",
    )
    is_confidential = forms.BooleanField(
        label=_("Keep my identity confidential from anyone outside the handling agency."),
        required=False,
        label_suffix="",
    )

    def __init__(self, *args, category: Category | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.question_category = category or self._posted_category()
        if self.is_bound and "category" in self.fields:
            self.fields["category"].known = self.question_category
        self.question_codes = []
        if self.question_category is not None:
            for question in sorted(
                self.question_category.questions, key=lambda q: q.get("order", 0)
            ):
                name = f"q_{question['code']}"
                self.fields[name] = _question_field(question)
                self.question_codes.append(question["code"])

    def _posted_category(self) -> Category | None:
        raw = self.data.get("category") if self.is_bound else self.initial.get("category")
        return active_category(raw) if raw else None

    @classmethod
    def new(cls, **kwargs):
        """An empty form with a fresh token: the same form posted twice files one petition."""
        initial = {"idempotency_key": uuid.uuid4().hex, **kwargs.pop("initial", {})}
        return cls(initial=initial, **kwargs)

    def question_fields(self):
        return [self[f"q_{code}"] for code in self.question_codes]

    def clean(self):
        data = super().clean()
        lat, lon = data.get("latitude"), data.get("longitude")
        if (lat is None) != (lon is None):
            self.add_error("latitude", _("Give both latitude and longitude, or neither."))
        elif lat is not None:
            box = KAOHSIUNG_BBOX
            if not (
                box["lat_min"] <= lat <= box["lat_max"] and box["lon_min"] <= lon <= box["lon_max"]
            ):
                self.add_error(
                    "latitude",
                    _("This point is outside Kaohsiung. Check the coordinates or leave them out."),
                )
        category = data.get("category")
        if (
            category is not None
            and category.is_dispatch
            and not data.get("address")
            and lat is None
        ):
            self.add_error("address", _("Say where it is: an address, a place or a point."))
        return data

    def answers(self) -> dict:
        return {code: self.cleaned_data.get(f"q_{code}") for code in self.question_codes}

    def draft(self, **extra) -> PetitionDraft:
        """What petition_submit() files, from the valid form (`extra`: the language, ...)."""
        data = self.cleaned_data
        return PetitionDraft(
            category=data["category"],
            subject=data["subject"],
            description=data["description"],
            address=data.get("address", ""),
            latitude=data.get("latitude"),
            longitude=data.get("longitude"),
            answers=self.answers(),
            name=data.get("name", ""),
            email=data.get("email", ""),
            phone=data.get("phone", ""),
            postal_address=data.get("postal_address", ""),
            has_consented=data.get("has_consented", False),
            is_confidential=data.get("is_confidential", False),
            files=tuple(data.get("files") or ()),
            idempotency_key=data["idempotency_key"],
            **extra,
        )


STAFF_CHANNELS = [c for c in Channel.choices if c[0] not in (Channel.WEB, Channel.API)]


class StaffPetitionForm(PetitionForm):
    """A petition recorded by the service centre for a citizen at the counter or on the phone."""

    channel = forms.ChoiceField(label=_("Channel"), choices=STAFF_CHANNELS)

    field_order = ["channel"]

    def draft(self, **extra) -> PetitionDraft:
        return super().draft(channel=self.cleaned_data["channel"], **extra)


class TrackForm(forms.Form):
    number = forms.CharField(
        label=_("Case number"), max_length=20, help_text=_("For example 1151126-0001.")
    )
    secret = forms.CharField(label=_("Secret"), max_length=40, widget=forms.PasswordInput)

    def clean_number(self):
        return "".join(self.cleaned_data["number"].split())


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label=_("Why does the reply not settle the matter?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class SurveyForm(forms.Form):
    outcome = forms.TypedChoiceField(
        label=_("How satisfied are you with the outcome: what was done about the matter?"),
        choices=SurveyAnswer.Score.choices,
        coerce=int,
        widget=forms.RadioSelect,
    )
    service = forms.TypedChoiceField(
        label=_("How satisfied are you with the service: speed, clarity and courtesy?"),
        choices=SurveyAnswer.Score.choices,
        coerce=int,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Anything else? (optional)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


# --- staff --------------------------------------------------------------------------------------


def agency_queryset():
    return Agency.objects.active().order_by("kind", "sort_order", "code")


class AssignForm(forms.Form):
    agency = forms.ModelChoiceField(label=_("Lead agency"), queryset=agency_queryset())
    supporting = forms.ModelMultipleChoiceField(
        label=_("Supporting agencies"),
        queryset=agency_queryset(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    note = forms.CharField(
        label=_("Note to the agency"),
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class TransferForm(forms.Form):
    agency = forms.ModelChoiceField(label=_("Move to agency"), queryset=agency_queryset())
    reason = forms.CharField(
        label=_("Reason (the petitioner is told)"),
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class TransferRequestForm(forms.Form):
    agency = forms.ModelChoiceField(
        label=_("Competent agency, if known"), queryset=agency_queryset(), required=False
    )
    reason = forms.CharField(
        label=_("Why the case belongs elsewhere"),
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class MergeForm(forms.Form):
    into = forms.CharField(label=_("Merge into case number"), max_length=20)
    note = forms.CharField(label=_("Note"), required=False, max_length=500)


class NotHandledForm(forms.Form):
    reason = forms.ChoiceField(label=_("Legal reason"), choices=NotHandledReason.choices)
    note = forms.CharField(
        label=_("Explanation for the petitioner"),
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class NoteForm(forms.Form):
    text = forms.CharField(
        label=_("Internal note"),
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ReplyForm(forms.Form):
    text = forms.CharField(
        label=_("Reply to the citizen"),
        max_length=REPLY_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_(
            "Plain, concrete and friendly: what was done, the legal basis, what happens next."
        ),
    )


class ExtensionForm(forms.Form):
    new_due_on = ROCDateField(label=_("New due date"))
    reason = forms.CharField(
        label=_("Reason (the petitioner is told)"),
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class AcceptForm(forms.Form):
    assignee = forms.ModelChoiceField(label=_("Handler"), queryset=None, required=False)

    def __init__(self, *args, agency=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = User.objects.filter(
            agency=agency, is_active=True
        ).order_by("last_name", "first_name")


class DecisionForm(forms.Form):
    note = forms.CharField(label=_("Note"), required=False, max_length=1000)
