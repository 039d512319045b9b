"""Reply templates: who may use and keep them, their placeholders, and the case-page picker.

A handler picks a template on the case page and the reply form is pre-filled with its text,
placeholders filled from the case; the handler then edits it and sends it as any reply. Without
JavaScript the picker is a GET form: `?template=<id>` re-renders the case page pre-filled.
"""

import re

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from rdec_portal.accounts import roles
from rdec_portal.accounts.roles import Line
from rdec_portal.dates import format_roc_long
from rdec_portal.workflow.audit import audit_changes, audit_record, audit_snapshot
from rdec_portal.workflow.models import AuditEntry
from service_center import permissions
from service_center.forms import ReplyForm
from service_center.models import DESCRIPTION_MAX_LENGTH, Petition, ReplyTemplate

PLACEHOLDERS = ("number", "received_date", "category", "agency")
# Anything in braces is meant as a placeholder; a typo must be refused, not sent to a citizen.
_BRACES = re.compile(r"\{([^{}]*)\}")
_EDITABLE = ["title", "body", "category", "is_active"]


class ReplyTemplateError(ValidationError):
    """A template that cannot be saved as given, with a message a person can act on."""


# --- who may do what ----------------------------------------------------------------------------


def can_create(user) -> bool:
    """The service centre (city-wide or any agency's) and agency supervisors (their agency's)."""
    if not roles.is_staff_user(user) or roles.is_read_only(user):
        return False
    if permissions.is_service_desk(user):
        return True
    return user.agency_id is not None and roles.has_role(user, roles.AGENCY_SUPERVISOR)


def can_manage(user, template: ReplyTemplate) -> bool:
    """Edit, deactivate or reactivate this template."""
    if permissions.is_service_desk(user):
        return True
    return (
        can_create(user) and template.agency_id is not None and template.agency_id == user.agency_id
    )


# --- reads --------------------------------------------------------------------------------------


def reply_templates_for(user) -> QuerySet[ReplyTemplate]:
    """Templates the user may see: their agency's and the city-wide ones; all for the service
    centre and the mayor's office. Another agency's template is not here (a 404)."""
    base = ReplyTemplate.objects.select_related("agency", "category")
    if not roles.is_staff_user(user):
        return base.none()
    own = roles.scope_to_agency(base, user, line=Line.SERVICE_CENTER, field="agency")
    return own | base.filter(agency__isnull=True)


def templates_for_case(petition: Petition) -> QuerySet[ReplyTemplate]:
    """Active templates offered for this case: the lead agency's and the city-wide ones, for its
    category or for every category; the agency's own first."""
    agency = Q(agency__isnull=True)
    if petition.lead_agency_id is not None:
        agency |= Q(agency_id=petition.lead_agency_id)
    return (
        ReplyTemplate.objects.filter(agency, is_active=True)
        .filter(Q(category__isnull=True) | Q(category_id=petition.category_id))
        .order_by(F("agency_id").asc(nulls_last=True), "title", "id")
    )


# --- the text -----------------------------------------------------------------------------------


def placeholder_error(body: str) -> ReplyTemplateError | None:
    """The error for the first unknown placeholder in `body`, if any."""
    unknown = [name for name in _BRACES.findall(body) if name.strip() not in PLACEHOLDERS]
    if not unknown:
        return None
    return ReplyTemplateError(
        _("Unknown placeholder {%(name)s}. Use {number}, {received_date}, {category} or {agency}."),
        code="placeholder",
        params={"name": unknown[0]},
    )


def check_placeholders(body: str) -> None:
    error = placeholder_error(body)
    if error is not None:
        raise error


def render_template(*, template: ReplyTemplate, petition: Petition) -> str:
    """The template's text with the case's values, in the language the citizen wrote in."""
    with translation.override(petition.language or "zh-hant"):
        values = {
            "number": petition.number,
            "received_date": format_roc_long(timezone.localdate(petition.received_at)),
            "category": petition.category.name,
            "agency": petition.lead_agency.name if petition.lead_agency_id else "",
        }
    return _BRACES.sub(lambda m: values.get(m.group(1).strip(), m.group(0)), template.body)


# --- writes -------------------------------------------------------------------------------------


def _clean(title: str, body: str) -> tuple[str, str]:
    title, body = (title or "").strip(), (body or "").strip()
    errors = {}
    if not title:
        errors["title"] = [_("Give the template a title.")]
    if not body:
        errors["body"] = [_("Write the template's text.")]
    elif len(body) > DESCRIPTION_MAX_LENGTH:
        errors["body"] = [_("The text is too long: at most 4,000 characters.")]
    elif (error := placeholder_error(body)) is not None:
        errors["body"] = [error]
    if errors:
        raise ReplyTemplateError(errors)
    return title[:100], body


def _save(template: ReplyTemplate) -> None:
    taken = ReplyTemplate.objects.filter(agency_id=template.agency_id, title=template.title)
    if taken.exclude(pk=template.pk).exists():
        raise ReplyTemplateError(
            {"title": _("Another template of this agency already has this title.")}
        )
    try:
        with transaction.atomic():
            template.save()
    except IntegrityError as exc:  # the same title saved at the same moment by someone else
        raise ReplyTemplateError(
            {"title": _("Another template of this agency already has this title.")}
        ) from exc


@transaction.atomic
def reply_template_create(
    *, by, agency, title: str, body: str, category=None, request=None
) -> ReplyTemplate:
    """A new template for `agency`, or a city-wide one when `agency` is None."""
    title, body = _clean(title, body)
    template = ReplyTemplate(
        agency=agency, category=category, title=title, body=body, created_by=by
    )
    _save(template)
    audit_record(
        actor=by,
        action=AuditEntry.Action.CREATE,
        obj=template,
        changes=audit_changes(None, template),
        request=request,
    )
    return template


@transaction.atomic
def reply_template_update(
    *, template: ReplyTemplate, by, title: str, body: str, category=None, request=None
) -> ReplyTemplate:
    template = ReplyTemplate.objects.select_for_update().get(pk=template.pk)
    before = audit_snapshot(template, _EDITABLE)
    template.title, template.body = _clean(title, body)
    template.category = category
    _save(template)
    _audit_update(by, template, before, request)
    return template


@transaction.atomic
def reply_template_set_active(
    *, template: ReplyTemplate, by, is_active: bool, request=None
) -> ReplyTemplate:
    """Deactivate (no longer offered; kept for the record) or reactivate a template."""
    template = ReplyTemplate.objects.select_for_update().get(pk=template.pk)
    if template.is_active == is_active:
        return template
    before = audit_snapshot(template, _EDITABLE)
    template.is_active = is_active
    template.save(update_fields=["is_active", "updated_at"])
    _audit_update(by, template, before, request)
    return template


def _audit_update(by, template, before: dict, request) -> None:
    changes = audit_changes(before, audit_snapshot(template, _EDITABLE), _EDITABLE)
    if changes:
        audit_record(
            actor=by,
            action=AuditEntry.Action.UPDATE,
            obj=template,
            changes=changes,
            request=request,
        )


# --- the picker on the case page ----------------------------------------------------------------


def picker_for_case(request, petition: Petition, forms: dict) -> dict | None:
    """The template picker beside the reply form, or None when the user cannot reply now.

    On a GET with `?template=<id>` naming one of the offered templates, the reply form in
    `forms` is replaced by one pre-filled with that template's text.
    """
    if "reply" not in forms:
        return None
    offered = list(templates_for_case(petition))
    picker = {"templates": offered, "selected": None, "error": ""}
    raw = request.GET.get("template", "") if request.method == "GET" else ""
    if not raw:
        return picker
    chosen = next((t for t in offered if str(t.pk) == raw.strip()), None)
    if chosen is None:
        picker["error"] = _("This template is not offered for this case. Choose one from the list.")
        return picker
    picker["selected"] = chosen.pk
    forms["reply"] = ReplyForm(
        initial={"text": render_template(template=chosen, petition=petition)}
    )
    return picker
