"""The audit log: one append-only row for every staff write and every view of personal data.

Personal-data law (個資法) asks who saw or changed which record, and when. Services call
`audit_record()` inside their own transaction, so the change and its audit row commit together.
`changes` is a dict `{field: [before, after]}` of JSON-safe values, built by `audit_changes()`;
a view of personal data stores `{"viewed_fields": [...]}` instead.
"""

import datetime
import decimal
import uuid

from django.contrib.contenttypes.models import ContentType
from django.db import models

from rdec_portal.client import client_ip
from rdec_portal.workflow.models import AuditEntry

# Secrets never enter the log: a change to them is recorded, their values are not.
SENSITIVE_FIELDS = frozenset({"password", "key_hash"})
REDACTED = "[redacted]"


def _client_ip(request) -> str | None:
    if request is None:
        return None
    # The address behind the configured proxies, as for the lock-out and every rate limit.
    return client_ip(request)


def audit_record(
    *,
    actor,
    action: str,
    obj=None,
    changes: dict | None = None,
    request=None,
) -> AuditEntry:
    """Append an audit row. Call it inside the service's transaction, so both commit or neither."""
    entry = audit_entry(actor=actor, action=action, obj=obj, changes=changes, request=request)
    entry.save()
    return entry


def audit_entry(
    *,
    actor,
    action: str,
    obj=None,
    changes: dict | None = None,
    request=None,
) -> AuditEntry:
    """The unsaved audit row of audit_record(), for a caller that writes it with its own SQL."""
    actor_obj = actor if actor is not None and actor.is_authenticated else None
    return AuditEntry(
        actor=actor_obj,
        actor_repr=str(actor_obj)[:200] if actor_obj else "",
        action=action,
        content_type=ContentType.objects.get_for_model(obj) if obj is not None else None,
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:300] if obj is not None else "",
        changes=changes or {},
        ip_address=_client_ip(request),
    )


def audit_history(obj):
    """An object's audit rows, newest first, for its history panel."""
    return (
        AuditEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk)
        )
        .select_related("actor")
        .order_by("-at", "-id")
    )


def audit_personal_data_view(*, actor, obj, fields, request=None) -> AuditEntry:
    """Record that a staff user saw personal data (names, phones, addresses) of `obj`.

    Call it from the view that shows the data, once per page view, listing what was shown.
    """
    return audit_record(
        actor=actor,
        action=AuditEntry.Action.VIEW_PERSONAL_DATA,
        obj=obj,
        changes={"viewed_fields": list(fields)},
        request=request,
    )


def audited_fields(model) -> list[str]:
    """The fields an audit row compares: concrete and many-to-many fields, except the automatic
    key and the automatic timestamps (the row's own `at` already says when)."""
    return [
        field.name
        for field in model._meta.get_fields()
        if (field.concrete or field.many_to_many)
        and not field.auto_created
        and not getattr(field, "auto_now", False)
        and not getattr(field, "auto_now_add", False)
    ]


def _json_value(value):
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID | datetime.timedelta):
        return str(value)
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, list | tuple | set | frozenset | models.QuerySet):
        return sorted(str(item) for item in value)
    if hasattr(value, "name"):  # a stored file: its path
        return value.name or None
    return str(value)


def _field_value(instance, name: str):
    field = instance._meta.get_field(name)
    if field.many_to_many:
        if instance.pk is None:
            return []
        return sorted(str(item) for item in getattr(instance, name).all())
    # The raw key, not the related object: no query per foreign key.
    return _json_value(getattr(instance, field.attname))


def audit_snapshot(instance, fields=None) -> dict:
    """The JSON-safe values of `fields` (default: all audited fields), read now.

    Take it before a change when the instance is about to be changed in place, e.g. before the
    many-to-many fields are saved.
    """
    if instance is None:
        return {}
    names = fields if fields is not None else audited_fields(type(instance))
    return {name: _field_value(instance, name) for name in names}


def audit_changes(before, after, fields=None) -> dict:
    """`{field: [before, after]}` for each field whose value differs; secrets are redacted.

    `before` and `after` are model instances, snapshots from `audit_snapshot()`, or None (for a
    creation or a deletion). Without `fields`, every audited field of the model is compared.
    """
    if fields is None:
        fields = _default_fields(before, after)
    old = before if isinstance(before, dict) else audit_snapshot(before, fields)
    new = after if isinstance(after, dict) else audit_snapshot(after, fields)
    changes = {}
    for name in fields:
        was, now = old.get(name), new.get(name)
        if was == now:
            continue
        if name in SENSITIVE_FIELDS:
            was, now = (REDACTED if was else None), (REDACTED if now else None)
        changes[name] = [was, now]
    return changes


def _default_fields(before, after) -> list[str]:
    for value in (after, before):
        if isinstance(value, models.Model):
            return audited_fields(type(value))
    keys = {}
    for value in (before, after):
        keys.update(dict.fromkeys(value or {}))
    return list(keys)
