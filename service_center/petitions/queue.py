"""The work queue's filter and bulk-assignment forms (GET filters, POST assignment), and the
rows of a queue page, ready to print."""

from datetime import datetime

import django_filters
from django import forms
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from rdec_portal.accounts.models import Agency, User
from rdec_portal.cache_versions import bump_shared_version_on_commit, shared_version
from rdec_portal.due import due_state
from rdec_portal.forms import ROCDateField
from rdec_portal.templatetags.roc import roc_short
from service_center.petitions.models import Category, Channel, Petition, Status
from service_center.petitions.privacy import petition_mask
from service_center.petitions.selectors import SORTS, QueueFilters, filter_queue

STATUS_CHOICES = [("open", _("Open (not yet replied)")), ("", _("All")), *Status.choices]
SORT_CHOICES = [
    ("due", _("Due first")),
    ("-due", _("Due last")),
    ("-received", _("Newest first")),
    ("received", _("Oldest first")),
    ("number", _("Case number")),
    ("-number", _("Case number, last first")),
]


class QueueFilterForm(forms.Form):
    q = forms.CharField(label=_("Search number or text"), required=False, max_length=100)
    status = forms.ChoiceField(
        label=_("Status"), choices=STATUS_CHOICES, required=False, initial="open"
    )
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    due_within = forms.IntegerField(
        label=_("Due within (days)"), required=False, min_value=0, max_value=365
    )
    category = forms.ModelChoiceField(
        label=_("Category"),
        queryset=Category.objects.order_by("topic", "sort_order"),
        required=False,
    )
    channel = forms.ChoiceField(
        label=_("Channel"), choices=[("", _("All")), *Channel.choices], required=False
    )
    district = forms.ModelChoiceField(
        label=_("District"),
        queryset=Agency.objects.filter(kind=Agency.Kind.DISTRICT).order_by("sort_order"),
        required=False,
    )
    received_from = ROCDateField(label=_("Received from"), required=False, help_text="")
    received_to = ROCDateField(label=_("Received to"), required=False, help_text="")
    sort = forms.ChoiceField(label=_("Sort"), choices=SORT_CHOICES, required=False)

    def filters(self) -> QueueFilters:
        data = self.cleaned_data
        sort = data.get("sort") or "due"
        return QueueFilters(
            status=data.get("status") or ("" if "status" in self.data else "open"),
            overdue=bool(data.get("overdue")),
            due_within=data.get("due_within"),
            category=data["category"].pk if data.get("category") else None,
            channel=data.get("channel") or "",
            district=data["district"].pk if data.get("district") else None,
            received_from=data.get("received_from"),
            received_to=data.get("received_to"),
            q=data.get("q") or "",
            sort=sort if sort in SORTS else "due",
        )


class QueueFilterSet(django_filters.FilterSet):
    """The work queue's filters as a FilterSet, for the queue page and its export: the form it
    renders and validates is QueueFilterForm (same fields, labels, ROC dates, errors, kept
    values), and the queryset is filtered by selectors.filter_queue, which the API's
    PetitionFilter also calls for the received dates and the text search. Without a query
    string, or with one that does not validate, the queue shows the open cases."""

    class Meta:
        model = Petition
        fields = []
        form = QueueFilterForm

    def __init__(self, data=None, queryset=None, *, now: datetime, **kwargs):
        super().__init__(data or None, queryset=queryset, **kwargs)
        self.now = now

    @property
    def queue_filters(self) -> QueueFilters:
        if self.is_bound and self.form.is_valid():
            return self.form.filters()
        return QueueFilters(status="open")

    def filter_queryset(self, queryset):
        return filter_queue(queryset, self.queue_filters, now=self.now)

    @property
    def qs(self):
        # Unbound too: the default (open cases) is a filter, unlike a FilterSet's usual none.
        if not hasattr(self, "_qs"):
            self._qs = self.filter_queryset(self.queryset.all())
        return self._qs


def _handlers_key(agency_id) -> str:
    return f"service_center:handlers-version:{agency_id}"


def bump_handlers_version(sender, instance, update_fields=None, **kwargs) -> None:
    """An account saved or deleted: its agency's handler list renders again. Signing in saves
    only last_login, which changes nothing on the list."""
    if instance.agency_id is None or (update_fields and set(update_fields) <= {"last_login"}):
        return
    bump_shared_version_on_commit(_handlers_key(instance.agency_id))


class BulkAssignForm(forms.Form):
    cases = forms.TypedMultipleChoiceField(coerce=int, choices=(), widget=forms.MultipleHiddenInput)
    assignee = forms.ModelChoiceField(
        label=_("Give the ticked cases to"), queryset=User.objects.none()
    )
    return_query = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, agency, **kwargs):
        super().__init__(*args, **kwargs)
        self.agency_id = agency.pk
        self.fields["assignee"].queryset = User.objects.filter(
            agency=agency, is_active=True
        ).order_by("last_name", "first_name", "username")

    def handlers_version(self) -> int | None:
        """Changes when one of the agency's accounts is saved or deleted: part of the rendered
        list's cache key, since the largest agencies have thousands of accounts to render as
        options. A cache read, not a query on every queue page."""
        return shared_version(_handlers_key(self.agency_id))

    def clean_cases(self):
        return self.cleaned_data["cases"]

    def full_clean(self):
        # Any posted id may be ticked; the view re-scopes them to the user's own agency.
        self.fields["cases"].choices = (
            [(v, v) for v in self.data.getlist("cases")] if self.data else []
        )
        super().full_clean()


# --- the rows of a page -----------------------------------------------------------------------

_CASE_PK = 999_999_999_999


def queue_rows(petitions, now: datetime, *, mask_subjects: bool = False) -> list[dict]:
    """A page of cases as plain strings: the template only prints them. `mask_subjects` for a
    reader who may not see the petitioners (the mayor's office lists every case).

    Fifty rows of model attribute lookups, URL reversals and per-row translations were most of
    the page's time (bench/); the same work done once here is a fraction of it.
    """
    case_url = reverse("service_center:case", args=[_CASE_PK]).replace(str(_CASE_PK), "{}")
    select_label = gettext("Select %(number)s")
    # get_status_display() rebuilds and translates the whole choice list on every call.
    status_labels = {value: str(label) for value, label in Status.choices}
    rows = []
    for petition in petitions:
        due = due_state(petition.due_at, now, is_open=petition.is_open)
        assignee = petition.assignee
        rows.append(
            {
                "pk": petition.pk,
                "number": petition.number,
                "url": case_url.format(petition.pk),
                "select_label": select_label % {"number": petition.number},
                "subject": petition_mask(petition)(petition.subject)
                if mask_subjects
                else petition.subject,
                "category": petition.category.name,
                "status": status_labels.get(petition.status, petition.status),
                "received": roc_short(petition.received_at),
                "due_state": due.state if due else "",
                "due_text": due.text if due else "",
                "handler": (assignee.get_full_name() if assignee else "") or "—",
            }
        )
    return rows


def queue_rows_html(rows: list[dict], *, selectable: bool) -> str:
    """The rows as table HTML, from the Jinja2 fragment: fifty rows through Django's template
    engine were a third of the page's time (bench/); compiled, they are a small part of it."""
    html = render_to_string(
        "service_center/petitions/staff/queue_rows.html",
        {"rows": rows, "selectable": selectable},
        using="jinja2",
    )
    return mark_safe(html)  # noqa: S308 - autoescaped by the Jinja2 engine (settings.TEMPLATES)
