"""Reply templates: keeping them (create, update, (de)activate) and their placeholders.

Who may keep them is in permissions.py, the reads in selectors.py, the case-page picker in
picker.py.

A handler picks a template on the case page and the reply form is pre-filled with its text,
placeholders filled from the case; the handler then edits it and sends it as any reply. Without
JavaScript the picker is a GET form: `?template=<id>` re-renders the case page pre-filled.
"""

import re

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from rdec_portal.dates import format_roc_long
from rdec_portal.workflow.audit import audit_changes, audit_record, audit_snapshot
from rdec_portal.workflow.models import AuditEntry
from service_center.petitions.models import DESCRIPTION_MAX_LENGTH, Petition
from service_center.replies.models import ReplyTemplate

PLACEHOLDERS = ("number", "received_date", "category", "agency")


# Anything in braces is meant as a placeholder; a typo must be refused, not sent to a citizen.
_BRACES = re.compile(r"\{([^{}]*)\}")


_EDITABLE = ["title", "body", "category", "is_active"]


class ReplyTemplateError(ValidationError):
    """A template that cannot be saved as given, with a message a person can act on."""


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
