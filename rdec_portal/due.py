"""How close something is to its due time, in a colour class AND in words (never colour alone).

Use `due_state(due_at, now)` for anything with a due time shown to staff (a petition, a booking
to confirm, a report to file), and `{% load deadlines %}{% due_badge state %}` to show it: the
badge's colour comes from the core's stylesheet (`.due-overdue`, `.due-soon`, `.due-ok`) and its
words say the same for a reader who cannot tell the colours apart. "Soon" counts working days
(`rdec_portal.workflow.calendar`), so a case due on Monday is not "due in 3 days" on Friday.
"""

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from rdec_portal.dates import format_roc_short
from rdec_portal.workflow.calendar import working_days_between

# Within this many working days a case is "due soon".
SOON_WORKING_DAYS = 2


@dataclass(frozen=True)
class DueState:
    state: str  # "overdue", "soon" or "ok": the CSS class suffix and a data attribute
    text: str


def due_state(due_at: datetime | None, now: datetime, *, is_open: bool = True) -> DueState | None:
    """The state and words for `due_at` seen at `now`; None when closed or without a due time."""
    if not is_open or due_at is None:
        return None
    today = timezone.localdate(now)
    due_day = timezone.localdate(due_at)
    if due_at < now:
        days = (today - due_day).days
        if days < 1:
            return DueState("overdue", _("Overdue"))
        return DueState(
            "overdue", ngettext("Overdue by %(n)d day", "Overdue by %(n)d days", days) % {"n": days}
        )
    left = working_days_between(today, due_day)
    if due_day == today:
        return DueState("soon", _("Due today"))
    if left < 1:
        # Due on the next calendar day after a non-working stretch: name the date, not "0 days".
        return DueState("soon", _("Due %(date)s") % {"date": format_roc_short(due_day)})
    if left <= SOON_WORKING_DAYS:
        return DueState(
            "soon",
            ngettext("Due in %(n)d working day", "Due in %(n)d working days", left) % {"n": left},
        )
    return DueState("ok", _("Due %(date)s") % {"date": format_roc_short(due_day)})
