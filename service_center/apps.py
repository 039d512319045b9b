from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServiceCenterConfig(AppConfig):
    name = "service_center"
    label = "service_center"
    verbose_name = _("Citizen service centre")
    default_auto_field = "django.db.models.BigAutoField"
