from django.apps import AppConfig


class PortalConfig(AppConfig):
    """The project package as an app: shared templates tags, forms fields and management commands."""

    name = "rdec_portal"
    verbose_name = "RDEC Portal"

    def ready(self):
        from django.utils.module_loading import autodiscover_modules

        # Every app's tasks.py, in every process: its periodic tasks put themselves on beat's
        # schedule (rdec_portal/periodic.py), so beat starts with the whole schedule.
        autodiscover_modules("tasks")
