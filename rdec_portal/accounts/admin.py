"""Administrators manage agencies, users and roles here. Every write is audited."""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import GroupAdmin as DjangoGroupAdmin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models.functions import Concat
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from rdec_portal.accounts import permissions, roles
from rdec_portal.accounts.models import Agency, ApiToken, User
from rdec_portal.accounts.services import (
    ApiTokenError,
    api_token_revoke,
    api_tokens_revoke_all,
)
from rdec_portal.workflow.admin import AuditedModelAdmin, ReadOnlyModelAdmin
from rdec_portal.workflow.audit import audit_changes, audit_record
from rdec_portal.workflow.models import AuditEntry


@admin.register(Agency)
class AgencyAdmin(AuditedModelAdmin):
    list_display = ["code", "name_zh", "name_en", "kind", "parent", "is_active"]
    list_filter = ["kind", "is_active", ("parent", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["parent"]
    search_fields = ["code", "name_zh", "name_en", "short_name", "pcc_code"]
    autocomplete_fields = ["parent"]
    ordering = ["kind", "sort_order", "code"]


@admin.register(User)
class UserAdmin(AuditedModelAdmin, DjangoUserAdmin):
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (
            _("Personal info"),
            {"fields": ("last_name", "first_name", "email", "agency", "title", "phone")},
        ),
        (
            _("Roles and permissions"),
            {"fields": ("is_active", "groups", "is_staff", "is_superuser", "user_permissions")},
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("username", "usable_password", "password1", "password2"),
            },
        ),
        (
            _("Personal info"),
            {"fields": ("last_name", "first_name", "email", "agency", "groups")},
        ),
    )
    list_display = ["username", "full_name", "email", "agency", "role_list", "is_active"]
    list_filter = ["agency__kind", "groups", "is_active", "is_staff"]
    search_fields = ["username", "last_name", "first_name", "email"]
    autocomplete_fields = ["agency"]
    ordering = ["username"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("agency").prefetch_related("groups")

    def get_readonly_fields(self, request, obj=None):
        # Only a superuser may make superusers, open the admin to someone or grant single
        # permissions: an administrator must not be able to raise anyone's rights, their own
        # included (accounts/permissions.py).
        if request.user.is_superuser:
            return ["last_login", "date_joined"]
        return ["is_superuser", "is_staff", "user_permissions", "last_login", "date_joined"]

    # An administrator never changes or deletes an account holding more rights than their own
    # (a superuser, or a permission outside theirs). The change page then opens read-only, and
    # its POST, the password page and the delete page and action answer 403.
    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or permissions.may_change_user(request.user, obj))

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or permissions.may_change_user(request.user, obj))

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "groups":
            # Only the roles granting no more than the administrator holds can be handed out.
            kwargs["queryset"] = permissions.assignable_groups(request.user)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if change:
            stored = User.objects.get(pk=obj.pk)
            permissions.check_change_user(request.user, stored)
        if "groups" in form.cleaned_data:
            permissions.check_assign_groups(request.user, form.cleaned_data["groups"])
        super().save_model(request, obj, form, change)

    def delete_model(self, request, obj):
        permissions.check_change_user(request.user, obj)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for user in queryset:
            permissions.check_change_user(request.user, user)
        super().delete_queryset(request, queryset)

    def get_search_results(self, request, queryset, search_term):
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        term = search_term.strip()
        if term:
            # Chinese names are written family name first with no space: 王小明.
            full_names = queryset.annotate(full=Concat("last_name", "first_name")).filter(
                full__icontains=term
            )
            results = results | queryset.filter(pk__in=full_names.values("pk"))
        return results, may_have_duplicates

    @admin.display(description=_("name"), ordering="last_name")
    def full_name(self, user):
        return user.get_full_name()

    @admin.display(description=_("roles"))
    def role_list(self, user):
        return "、".join(str(roles.ROLE_LABELS.get(g.name, g.name)) for g in user.groups.all())

    def user_change_password(self, request, id, form_url=""):
        # Django's password page bypasses save_model, so it is audited here, and the account's
        # API tokens are revoked as for any other password change.
        target = User.objects.filter(pk=unquote(id)).first()
        if target is not None and not permissions.may_change_user(request.user, target):
            raise PermissionDenied
        with transaction.atomic():
            stored = User.objects.filter(pk=unquote(id)).values_list("password", flat=True)
            before = stored.first()
            response = super().user_change_password(request, id, form_url)
            user = User.objects.filter(pk=unquote(id)).first()
            if request.method == "POST" and user is not None and user.password != before:
                audit_record(
                    actor=request.user,
                    action=AuditEntry.Action.UPDATE,
                    obj=user,
                    changes=audit_changes({"password": before}, user, ["password"]),
                    request=request,
                )
                api_tokens_revoke_all(user=user, by=request.user, request=request)
        return response


admin.site.unregister(Group)


@admin.register(Group)
class RoleAdmin(AuditedModelAdmin, DjangoGroupAdmin):
    """Roles are groups: the name is the role's code; its label is in rdec_portal.accounts.roles."""

    list_display = ["name", "label"]

    # What a role grants is changed by superusers only: an administrator who could edit their
    # own role's permissions could give themselves anything. Administrators see the roles.
    def has_add_permission(self, request):
        return permissions.may_change_roles_definition(request.user)

    def has_change_permission(self, request, obj=None):
        return permissions.may_change_roles_definition(request.user)

    def has_delete_permission(self, request, obj=None):
        return permissions.may_change_roles_definition(request.user)

    @admin.display(description=_("role"))
    def label(self, group):
        return roles.ROLE_LABELS.get(group.name, "—")


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyModelAdmin):
    list_display = ["name", "user", "prefix", "created_at", "last_used_at", "revoked_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    list_select_related = ["user"]
    search_fields = ["name", "prefix", "user__username"]
    exclude = ["key_hash"]
    actions = ["revoke_tokens"]

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke_tokens(self, request, queryset):
        revoked = 0
        for token in queryset.filter(revoked_at__isnull=True):
            try:
                api_token_revoke(token=token, by=request.user, request=request)
            except ApiTokenError:
                continue  # revoked meanwhile by its owner
            revoked += 1
        messages.success(
            request,
            ngettext("%(count)d token revoked.", "%(count)d tokens revoked.", revoked)
            % {"count": revoked},
        )
