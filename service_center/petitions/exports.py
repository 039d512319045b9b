"""The filtered work queue as CSV, XLSX and ODS. No personal data: the file leaves the portal.

Times are ISO 8601 in Taipei time; `rdec_portal.exports` writes the file and audits it."""

from django.utils import timezone
from django.utils.translation import gettext as _

from service_center.petitions.privacy import petition_mask

# A file for people to read and filter, not a database dump: the API pages the rest.
MAX_ROWS = 20_000


def _iso(moment) -> str | None:
    return timezone.localtime(moment).isoformat(timespec="minutes") if moment else None


def _headers() -> list[str]:
    return [
        _("Case number"),
        _("Status"),
        _("Channel"),
        _("Category"),
        _("Lead agency"),
        _("District"),
        _("Subject"),
        _("Received"),
        _("Due"),
        _("Replied"),
        _("Closed"),
        _("Overdue"),
    ]


def queue_table(petitions, *, now, mask_subjects: bool = False) -> tuple[list[str], list[list]]:
    """The queue as rows of a file. `mask_subjects` for a reader who may not see the petitioners
    (the mayor's office, RDEC staff of other lines): their details and any contact data typed
    into a subject are masked, as on the queue page."""
    rows = [
        [
            p.number,
            p.get_status_display(),
            p.get_channel_display(),
            p.category.name,
            p.lead_agency.name if p.lead_agency else None,
            p.district.name if p.district else None,
            petition_mask(p)(p.subject) if mask_subjects else p.subject,
            _iso(p.received_at),
            _iso(p.due_at),
            _iso(p.replied_at),
            _iso(p.closed_at),
            _("Yes") if p.is_overdue(now) else _("No"),
        ]
        for p in petitions[:MAX_ROWS]
    ]
    return _headers(), rows
