from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServiceCenterConfig(AppConfig):
    name = "service_center"
    label = "service_center"
    verbose_name = _("Citizen service centre")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # The citizen email handler must be registered in every process, web and worker alike.
        # The queue's cached filter form lists categories and districts: a change shows at once.
        from django.db.models.signals import post_delete, post_save

        from rdec_portal.accounts.models import Agency, User
        from service_center import handlers  # noqa: F401
        from service_center.models import Category
        from service_center.petitions.catalogue_cache import bump_catalogue_version
        from service_center.petitions.queue import bump_handlers_version

        for signal in (post_save, post_delete):
            signal.connect(bump_handlers_version, sender=User, dispatch_uid="sc-handlers")
        for model in (Category, Agency):
            post_save.connect(bump_catalogue_version, sender=model, dispatch_uid=f"sc-cat-{model}")
            post_delete.connect(
                bump_catalogue_version, sender=model, dispatch_uid=f"sc-cat-{model}"
            )
