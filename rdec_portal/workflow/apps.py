from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkflowConfig(AppConfig):
    name = "rdec_portal.workflow"
    label = "workflow"
    verbose_name = _("Workflow: calendar, deadlines, audit, outbox")

    def ready(self):
        from django.utils.module_loading import autodiscover_modules

        # Each business app declares its deadline kinds and reminder steps in reminders.py.
        autodiscover_modules("reminders")
        # Register the shared outbox handlers (email) in every process, web and worker alike, and
        # connect the calendar's override signals, so an admin edit in any process tells the
        # others to reload their cached working days.
        from rdec_portal.workflow import calendar, emails  # noqa: F401
