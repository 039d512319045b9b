import re
from datetime import date

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from rdec_portal.guards import staff_required
from rdec_portal.workflow.calendar import add_working_days, is_working_day, month_days
from rdec_portal.workflow.forms import FIRST_YEAR, LAST_YEAR, AddWorkingDaysForm
from rdec_portal.workflow.notifications import (
    notification_mark_read,
    notifications_for,
    notifications_mark_all_read,
)

INBOX_PAGE_SIZE = 25
_MONTH = re.compile(r"(\d{4})-(\d{1,2})")


@staff_required
@require_GET
def inbox(request):
    page = Paginator(notifications_for(request.user), INBOX_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "workflow/inbox.html", {"page": page})


@staff_required
@require_GET
def notification_open(request, pk: int):
    """Following a notification marks it read and goes to what it is about."""
    notification = get_object_or_404(notifications_for(request.user), pk=pk)
    notification_mark_read(notification=notification)
    if notification.url and url_has_allowed_host_and_scheme(
        notification.url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(notification.url)
    return redirect("workflow:inbox")


@staff_required
@require_POST
def inbox_mark_all_read(request):
    count = notifications_mark_all_read(recipient=request.user)
    messages.success(request, _("Notifications marked as read: %(count)d.") % {"count": count})
    return redirect("workflow:inbox")


@staff_required
@require_GET
def working_calendar(request):
    """A month of working days, holidays and overrides, and an "add N working days" answer."""
    month = _month(request.GET.get("month"))
    form = AddWorkingDaysForm(request.GET if "start" in request.GET else None)
    answer = None
    if form.is_valid():
        start, days = form.cleaned_data["start"], form.cleaned_data["days"]
        answer = {
            "start": start,
            "days": days,
            "day0": add_working_days(start, 0),
            "start_is_working_day": is_working_day(start),
            "due": add_working_days(start, days),
        }
    context = {
        "month": month,
        "weeks": _weeks(month_days(month.year, month.month)),
        "previous_month": _shift(month, -1),
        "next_month": _shift(month, 1),
        "form": form,
        "answer": answer,
    }
    return render(request, "workflow/calendar.html", context)


def _month(value: str | None) -> date:
    """The first day of the month asked for as YYYY-MM; this month if absent or out of range."""
    found = _MONTH.fullmatch(value or "")
    if found:
        year, month = int(found[1]), int(found[2])
        if FIRST_YEAR <= year <= LAST_YEAR and 1 <= month <= 12:
            return date(year, month, 1)
    return timezone.localdate().replace(day=1)


def _shift(month: date, by: int) -> date | None:
    index = month.year * 12 + month.month - 1 + by
    year, month_number = divmod(index, 12)
    if not FIRST_YEAR <= year <= LAST_YEAR:
        return None
    return date(year, month_number + 1, 1)


def _weeks(days) -> list[list]:
    """Rows of seven cells, Sunday first as on Taiwanese calendars; None pads the edges."""
    lead = (days[0].date.weekday() + 1) % 7
    cells = [None] * lead + list(days)
    cells += [None] * (-len(cells) % 7)
    return [cells[i : i + 7] for i in range(0, len(cells), 7)]
