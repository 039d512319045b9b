from django import forms
from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.template import loader
from django.utils.translation import gettext_lazy as _

from rdec_portal.accounts import roles
from rdec_portal.accounts.models import ApiToken
from rdec_portal.accounts.services import user_password_set
from rdec_portal.workflow.outbox import outbox_enqueue


class LoginForm(auth_forms.AuthenticationForm):
    """Django's login form, but an account without a role cannot enter the portal."""

    error_messages = {
        **auth_forms.AuthenticationForm.error_messages,
        # One message for an unknown user, a wrong password and a deactivated account, so the
        # page never tells anyone which accounts exist.
        "invalid_login": _(
            "The username or password is incorrect. Both are case-sensitive. "
            "After five failed attempts the account is locked for 15 minutes."
        ),
        "no_role": _(
            "Your account has no role in the portal yet. Ask your agency's account "
            "administrator to give you one, then log in again."
        ),
    }

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        if not roles.is_staff_user(user):
            raise forms.ValidationError(self.error_messages["no_role"], code="no_role")


class _AuditedPasswordMixin:
    """Saves the new password through the service, so the change is audited with its address."""

    def __init__(self, *args, request=None, **kwargs):
        self.request = request
        super().__init__(*args, **kwargs)

    def save(self, commit=True):
        return user_password_set(
            user=self.user,
            password=self.cleaned_data["new_password1"],
            by=self.user,
            request=self.request,
        )


class PasswordChangeForm(_AuditedPasswordMixin, auth_forms.PasswordChangeForm):
    pass


class SetPasswordForm(_AuditedPasswordMixin, auth_forms.SetPasswordForm):
    pass


class PasswordResetForm(auth_forms.PasswordResetForm):
    """Sends the reset link through the outbox, so a mail server outage never fails the page."""

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):
        context = {**context, "site_url": settings.SITE_URL}
        subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
        body = loader.render_to_string(email_template_name, context)
        outbox_enqueue(
            handler="workflow.send_email",
            payload={"to": [to_email], "subject": subject, "body": body},
            # A double-click sends one email: the token is the same within the second.
            key=f"password-reset:{context['uid']}:{context['token']}",
        )


class ApiTokenCreateForm(forms.Form):
    name = forms.CharField(
        label=_("Token name"),
        max_length=ApiToken._meta.get_field("name").max_length,
        help_text=_("What the token is for, e.g. “district office case system”."),
    )
