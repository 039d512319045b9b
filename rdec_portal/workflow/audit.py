"""The audit log: one append-only row for every staff write and every view of personal data."""

from django.contrib.contenttypes.models import ContentType

from rdec_portal.workflow.models import AuditEntry


def _client_ip(request) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def audit_record(
    *,
    actor,
    action: str,
    obj=None,
    changes: dict | None = None,
    request=None,
) -> AuditEntry:
    """Append an audit row. Call it inside the service's transaction, so both commit or neither."""
    actor_obj = actor if actor is not None and actor.is_authenticated else None
    return AuditEntry.objects.create(
        actor=actor_obj,
        actor_repr=str(actor_obj) if actor_obj else "",
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
