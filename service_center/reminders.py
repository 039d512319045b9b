"""The petition deadlines and their reminders (found by the workflow app's autodiscovery)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from rdec_portal.accounts import roles
from rdec_portal.workflow.reminders_registry import Step, register_deadline_kind


def _case_url(petition) -> str:
    return reverse("service_center:case", args=[petition.pk])


# Handling limit in working days: on assignment, 2 working days before, on the day, then daily
# while overdue, escalating to the agency's supervisors and the service centre.
register_deadline_kind(
    "service_center.reply",
    label=_("Reply to petition"),
    steps=[
        Step.on_assignment(),
        Step.before(working_days=2),
        Step.on_due_day(),
        Step.overdue_daily(escalate=True),
    ],
    url=_case_url,
    escalate_to_roles=[roles.RDEC_SERVICE_CENTER],
)

# Dispatch hazards: a 24-hour report-back clock, escalated as soon as it is missed, weekends too.
register_deadline_kind(
    "service_center.dispatch",
    label=_("Report back on dispatch case"),
    steps=[Step.on_assignment(), Step.overdue_daily(escalate=True, working_days_only=False)],
    url=_case_url,
    escalate_to_roles=[roles.RDEC_SERVICE_CENTER],
)
