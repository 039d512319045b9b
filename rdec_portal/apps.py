from django.apps import AppConfig


class PortalConfig(AppConfig):
    """The project package as an app: shared templates tags, forms fields and management commands."""

    name = "rdec_portal"
    verbose_name = "RDEC Portal"
