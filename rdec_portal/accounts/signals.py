"""Audit rows for logging in, logging out and failed logins (Django's auth signals)."""

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from rdec_portal.workflow.audit import audit_record
from rdec_portal.workflow.models import AuditEntry

# Longer than any username; a longer value is an attack or garbage and is cut, not stored whole.
_MAX_USERNAME = 150


@receiver(user_logged_in, dispatch_uid="accounts.audit_login")
def audit_login(sender, request, user, **kwargs):
    audit_record(actor=user, action=AuditEntry.Action.LOGIN, obj=user, request=request)


@receiver(user_logged_out, dispatch_uid="accounts.audit_logout")
def audit_logout(sender, request, user, **kwargs):
    # user is None when the session had already expired: nothing to record.
    if user is not None:
        audit_record(actor=user, action=AuditEntry.Action.LOGOUT, obj=user, request=request)


@receiver(user_login_failed, dispatch_uid="accounts.audit_login_failed")
def audit_login_failed(sender, credentials, request=None, **kwargs):
    User = get_user_model()
    username = str(credentials.get(User.USERNAME_FIELD) or "")[:_MAX_USERNAME]
    # Attach the row to the account when it exists, so its owner and administrators see the
    # attempts in its history; the login page itself never says whether it exists.
    target = User.objects.filter(**{User.USERNAME_FIELD: username}).first() if username else None
    audit_record(
        actor=None,
        action=AuditEntry.Action.LOGIN_FAILED,
        obj=target,
        changes={"username": username},
        request=request,
    )
