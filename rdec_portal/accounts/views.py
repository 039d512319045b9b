"""Staff account pages: login and logout, passwords, the lock-out page, my account, API tokens."""

from axes.helpers import get_cool_off
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from rdec_portal.accounts import roles
from rdec_portal.accounts.forms import (
    ApiTokenCreateForm,
    LoginForm,
    PasswordChangeForm,
    PasswordResetForm,
    SetPasswordForm,
)
from rdec_portal.accounts.models import ApiToken
from rdec_portal.accounts.services import (
    ApiTokenError,
    api_token_create,
    api_token_revoke,
    api_tokens_revoke_all,
)
from rdec_portal.client import client_address
from rdec_portal.guards import staff_required
from rdec_portal.ratelimit import RateLimit
from rdec_portal.workflow.audit import audit_history

# The key of a token just created waits here for the one page that shows it.
NEW_TOKEN_SESSION_KEY = "accounts:new_api_token"  # noqa: S105 - a session slot, not a secret


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "registration/login.html"
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        messages.info(request, _("You have logged out."))
        return response


def locked_out(request, original_response=None, credentials=None):
    """What django-axes answers once an account or address is locked (AXES_LOCKOUT_CALLABLE).

    Every attempt during the lock restarts it, so the lock ends a cool-off after this request.
    """
    cool_off = get_cool_off(request)
    context = {}
    if cool_off:
        until = timezone.localtime(timezone.now() + cool_off)
        context = {
            "until": until,
            "until_iso": until.isoformat(timespec="seconds"),
            "minutes": max(1, round(cool_off.total_seconds() / 60)),
        }
    return render(request, "accounts/locked_out.html", context, status=429)


class _RequestFormKwargsMixin:
    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "request": self.request}


@method_decorator(staff_required, name="dispatch")
class PasswordChangeView(_RequestFormKwargsMixin, auth_views.PasswordChangeView):
    form_class = PasswordChangeForm
    template_name = "accounts/password_change_form.html"
    success_url = reverse_lazy("accounts:password_change_done")


@method_decorator(staff_required, name="dispatch")
class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "accounts/password_change_done.html"


class PasswordResetView(auth_views.PasswordResetView):
    """Sends a reset link, at most PASSWORD_RESET_LIMIT_PER_EMAIL an hour to one address and
    PASSWORD_RESET_LIMIT_PER_CLIENT an hour for one client, so no one floods a staff mailbox.

    Over the e-mail limit, the page answers exactly as it does for an address with no account
    (and counts those alike), so the limit tells no one which accounts exist. Over the client
    limit, the form comes back with a 429 and a message: that depends only on the client.
    """

    form_class = PasswordResetForm
    template_name = "registration/password_reset_form.html"
    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_valid(self, form):
        window = settings.PASSWORD_RESET_LIMIT_WINDOW_SECONDS
        per_client = RateLimit(
            "accounts.reset.client", settings.PASSWORD_RESET_LIMIT_PER_CLIENT, window
        )
        if not per_client.hit(client_address(self.request)).allowed:
            form.add_error(
                None,
                _(
                    "Too many password reset requests came from your network. "
                    "Try again in %(minutes)d minutes, or ask your agency's account administrator."
                )
                % {"minutes": max(1, window // 60)},
            )
            return self.render_to_response(self.get_context_data(form=form), status=429)
        email = form.cleaned_data["email"].strip().lower()
        per_email = RateLimit(
            "accounts.reset.email", settings.PASSWORD_RESET_LIMIT_PER_EMAIL, window
        )
        if not per_email.hit(email).allowed:
            return redirect(self.get_success_url())
        return super().form_valid(form)


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "registration/password_reset_done.html"


class PasswordResetConfirmView(_RequestFormKwargsMixin, auth_views.PasswordResetConfirmView):
    form_class = SetPasswordForm
    template_name = "registration/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "registration/password_reset_complete.html"


@staff_required
@require_safe
def profile(request):
    user = request.user
    names = roles.role_names(user)
    role_labels = [roles.ROLE_LABELS[role] for role in roles.ALL_ROLES if role in names]
    context = {
        "role_labels": role_labels,
        "history": audit_history(user)[:10],
    }
    return render(request, "accounts/profile.html", context)


@staff_required
@never_cache
@require_http_methods(["GET", "POST"])
def token_list(request):
    form = ApiTokenCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            token, key = api_token_create(
                user=request.user, name=form.cleaned_data["name"], request=request
            )
        except ApiTokenError as error:
            form.add_error("name", error)
        else:
            request.session[NEW_TOKEN_SESSION_KEY] = {"id": token.pk, "key": key}
            return redirect("accounts:token_created", pk=token.pk)
    tokens = ApiToken.objects.filter(user=request.user).order_by("-created_at", "-id")
    status = 400 if form.is_bound and form.errors else 200
    tokens = list(tokens)
    context = {
        "form": form,
        "tokens": tokens,
        "active_count": sum(1 for token in tokens if not token.is_revoked),
    }
    return render(request, "accounts/tokens.html", context, status=status)


@staff_required
@never_cache
@require_safe
def token_created(request, pk):
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    # Shown once: the key leaves the session as it is read, and only its hash is stored.
    pending = request.session.pop(NEW_TOKEN_SESSION_KEY, None)
    if not pending or pending.get("id") != token.pk:
        messages.info(request, _("A token's key is shown only once, right after it is created."))
        return redirect("accounts:tokens")
    return render(request, "accounts/token_created.html", {"token": token, "key": pending["key"]})


@staff_required
@require_http_methods(["GET", "POST"])
def token_revoke(request, pk):
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    if request.method == "POST":
        try:
            api_token_revoke(token=token, by=request.user, request=request)
        except ApiTokenError as error:
            messages.warning(request, error.messages[0])
        else:
            messages.success(request, _("The token “%(name)s” is revoked.") % {"name": token.name})
        return redirect("accounts:tokens")
    return render(request, "accounts/token_revoke.html", {"token": token})


@staff_required
@require_http_methods(["POST"])
def token_revoke_all(request):
    """Revoke every token still in use, e.g. after a key may have leaked. POST only (CSRF)."""
    count = api_tokens_revoke_all(user=request.user, by=request.user, request=request)
    if count:
        messages.success(
            request,
            ngettext(
                "%(count)d token is revoked. Systems using it can no longer reach the API.",
                "%(count)d tokens are revoked. Systems using them can no longer reach the API.",
                count,
            )
            % {"count": count},
        )
    else:
        messages.info(request, _("You have no token in use: nothing was revoked."))
    return redirect("accounts:tokens")
