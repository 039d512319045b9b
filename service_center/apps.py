from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServiceCenterConfig(AppConfig):
    name = "service_center"
    label = "service_center"
    verbose_name = _("Citizen service centre")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # The citizen email handler must be registered in every process, web and worker alike.
        from service_center import emails  # noqa: F401
