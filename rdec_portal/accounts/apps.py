from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "rdec_portal.accounts"
    label = "accounts"
    verbose_name = _("Accounts and agencies")

    def ready(self):
        from rdec_portal.accounts.roles import sync_roles

        # Roles are groups; make sure every role exists with its permissions after each migrate.
        # After every app's migrate, not only this one's: a role holds permissions of apps
        # (workflow, performance, the business lines) whose permissions are created later.
        post_migrate.connect(sync_roles, dispatch_uid="accounts.sync_roles")
        # Logins, logouts and failed logins go to the audit log.
        from rdec_portal.accounts import middleware, signals  # noqa: F401
