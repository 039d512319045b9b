from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkflowConfig(AppConfig):
    name = "rdec_portal.workflow"
    label = "workflow"
    verbose_name = _("Workflow: calendar, deadlines, audit, outbox")

    def ready(self):
        from django.utils.module_loading import autodiscover_modules

        # Each business app declares its deadline kinds and reminder steps in reminders.py, and
        # registers its outbox handlers from handlers.py: in every process, web and worker alike.
        autodiscover_modules("reminders")
        autodiscover_modules("handlers")
        # Register the shared outbox handlers (email), and connect the calendar's override
        # signals, so an admin edit in any process tells the others to reload their cached
        # working days.
        # The cached unread count in the staff header follows every saved or deleted notification.
        from django.db.models.signals import post_delete, post_save

        from rdec_portal.local_caches import register_local_cache
        from rdec_portal.workflow import calendar, emails  # noqa: F401
        from rdec_portal.workflow.models import Notification
        from rdec_portal.workflow.notifications import forget_unread_on_change

        register_local_cache("workflow.calendar", calendar.calendar_cache_clear)

        for signal in (post_save, post_delete):
            signal.connect(forget_unread_on_change, sender=Notification, dispatch_uid="unread")
