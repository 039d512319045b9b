from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PerformanceConfig(AppConfig):
    name = "rdec_portal.performance"
    label = "performance"
    verbose_name = _("Monthly performance")

    def ready(self):
        from django.utils.module_loading import autodiscover_modules

        # Each app (the shared core included) defines its monthly metrics in metrics.py.
        autodiscover_modules("metrics")
