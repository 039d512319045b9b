import csv
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rdec_portal.accounts import roles
from rdec_portal.accounts.models import Agency, ApiToken, User
from rdec_portal.accounts.permissions import check_assign_groups, check_change_user
from rdec_portal.workflow.audit import audit_changes, audit_record, audit_snapshot
from rdec_portal.workflow.models import AuditEntry

AGENCIES_CSV = Path(__file__).resolve().parent / "data" / "agencies.csv"


@transaction.atomic
def agencies_load(*, path: Path = AGENCIES_CSV) -> int:
    """Create or update the agencies listed in the reference file. Idempotent; returns the count."""
    with path.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    by_code = {}
    for row in rows:
        agency, _created = Agency.objects.update_or_create(
            code=row["code"],
            defaults={
                "kind": row["kind"],
                "name_zh": row["name_zh"],
                "name_en": row["name_en"],
                "short_name": row["short_name"],
                "sort_order": int(row["sort_order"]),
            },
        )
        by_code[agency.code] = agency
    for row in rows:
        parent = by_code.get(row["parent_code"]) if row["parent_code"] else None
        agency = by_code[row["code"]]
        if agency.parent_id != (parent.pk if parent else None):
            agency.parent = parent
            agency.save(update_fields=["parent"])
    return len(rows)


class ApiTokenError(ValidationError):
    """A token request that cannot be done, with a message the user can act on."""


@transaction.atomic
def api_token_create(*, user: User, name: str, request=None) -> tuple[ApiToken, str]:
    """Create a personal API token. Returns the token and its key; only the key's hash is kept."""
    name = (name or "").strip()
    if not name:
        raise ApiTokenError(_("Give the token a name, so you can recognise it later."))
    max_length = ApiToken._meta.get_field("name").max_length
    if len(name) > max_length:
        raise ApiTokenError(
            _("The name can be at most %(max)d characters long.") % {"max": max_length}
        )
    key = ApiToken.generate_key()
    token = ApiToken.objects.create(
        user=user,
        name=name,
        prefix=key[: ApiToken.PREFIX_LENGTH],
        key_hash=ApiToken.hash_key(key),
    )
    audit_record(
        actor=user,
        action=AuditEntry.Action.CREATE,
        obj=token,
        changes=audit_changes(None, token, ["user", "name", "prefix"]),
        request=request,
    )
    return token, key


@transaction.atomic
def api_token_revoke(*, token: ApiToken, by: User, request=None) -> ApiToken:
    """Revoke a token for good. Its owner or an administrator may; a revoked token stays listed."""
    if by.pk != token.user_id and not roles.has_role(by, roles.ADMINISTRATOR):
        raise PermissionDenied
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.is_revoked:
        raise ApiTokenError(_("This token was already revoked."))
    before = audit_snapshot(token, ["revoked_at"])
    token.revoke(when=timezone.now())
    audit_record(
        actor=by,
        action=AuditEntry.Action.UPDATE,
        obj=token,
        changes=audit_changes(before, token, ["revoked_at"]),
        request=request,
    )
    return token


@transaction.atomic
def api_tokens_revoke_all(*, user: User, by: User, request=None) -> int:
    """Revoke every token of `user` still in use; each revocation is audited. Returns the count.

    Called when the password changes or is reset (a stolen password must not live on as a
    token) and from the "revoke all tokens" button.
    """
    if by.pk != user.pk and not roles.has_role(by, roles.ADMINISTRATOR):
        raise PermissionDenied
    now = timezone.now()
    tokens = ApiToken.objects.select_for_update().filter(user=user, revoked_at__isnull=True)
    count = 0
    for token in tokens.order_by("id"):
        before = audit_snapshot(token, ["revoked_at"])
        token.revoke(when=now)
        audit_record(
            actor=by,
            action=AuditEntry.Action.UPDATE,
            obj=token,
            changes=audit_changes(before, token, ["revoked_at"]),
            request=request,
        )
        count += 1
    return count


@transaction.atomic
def user_set_roles(*, user: User, groups, by: User, request=None) -> User:
    """Give `user` exactly these roles. The one rule of accounts/permissions.py applies."""
    groups = list(groups)
    check_change_user(by, user)
    check_assign_groups(by, groups)
    before = audit_snapshot(user, ["groups"])
    user.groups.set(groups)
    user._role_names = None
    audit_record(
        actor=by,
        action=AuditEntry.Action.UPDATE,
        obj=user,
        changes=audit_changes(before, audit_snapshot(user, ["groups"]), ["groups"]),
        request=request,
    )
    return user


@transaction.atomic
def user_password_set(*, user: User, password: str, by: User, request=None) -> User:
    """Set a new password (changed by its owner, reset through the emailed link, or by an
    administrator allowed to change the account). Every API token of the account is revoked."""
    if by.pk != user.pk:
        check_change_user(by, user)
    before = audit_snapshot(user, ["password"])
    user.set_password(password)
    user.save(update_fields=["password"])
    audit_record(
        actor=by,
        action=AuditEntry.Action.UPDATE,
        obj=user,
        changes=audit_changes(before, user, ["password"]),
        request=request,
    )
    api_tokens_revoke_all(user=user, by=by, request=request)
    return user
