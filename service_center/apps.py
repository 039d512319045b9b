from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from rdec_portal.accounts.roles import Line
from rdec_portal.plugins import PublicEntry, UrlMount


class ServiceCenterConfig(AppConfig):
    name = "service_center"
    label = "service_center"
    verbose_name = _("Citizen service centre")
    default_auto_field = "django.db.models.BigAutoField"

    # What the core shows and mounts for the app (rdec_portal/plugins.py).
    business_line = Line.SERVICE_CENTER
    staff_home = "service_center:home"
    url_mounts = [
        UrlMount("service-center/", "service_center.urls"),
        # Open311 GeoReport v2 at the path its clients expect, outside the line's prefix.
        UrlMount("open311/v2/", "service_center.open311.urls"),
    ]
    public_menu = [
        PublicEntry(_("File a petition"), ["service_center:public", "service_center:petition_new"]),
        PublicEntry(_("Track a petition"), ["service_center:track"]),
        PublicEntry(_("Free legal consultation"), ["service_center:legal_public"]),
    ]

    def ready(self):
        # The queue's cached filter form lists categories and districts: a change shows at once.
        from django.db.models.signals import post_delete, post_save

        from rdec_portal.accounts.models import Agency, User
        from rdec_portal.local_caches import register_local_cache
        from service_center.models import Category
        from service_center.petitions import catalogue_cache
        from service_center.petitions.catalogue_cache import bump_catalogue_version
        from service_center.petitions.queue import bump_handlers_version

        for signal in (post_save, post_delete):
            signal.connect(bump_handlers_version, sender=User, dispatch_uid="sc-handlers")
        for model in (Category, Agency):
            post_save.connect(bump_catalogue_version, sender=model, dispatch_uid=f"sc-cat-{model}")
            post_delete.connect(
                bump_catalogue_version, sender=model, dispatch_uid=f"sc-cat-{model}"
            )
        register_local_cache("service_center.catalogue", catalogue_cache.forget)
