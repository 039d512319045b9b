"""Reads of dispatch cases: the before and after photos, the report back against its clock, and
whether the citizen may still confirm the fix or say it is not fixed."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet
from django.utils import timezone

from service_center.petitions.models import Attachment, Petition, Status
from service_center.petitions.services import (
    REOPEN_WINDOW,
)

PHOTO_ROLES = (Attachment.Role.BEFORE, Attachment.Role.AFTER)


# --- reads --------------------------------------------------------------------------------------


def case_photos(petition: Petition, attachments=None) -> dict[str, list[Attachment]]:
    """The before and after photos of a case, oldest first, in one query; none when the page
    has already read the case's attachments (with their uploaders) and passes them."""
    photos = {role: [] for role in PHOTO_ROLES}
    if attachments is None:
        attachments = petition.attachments.filter(role__in=PHOTO_ROLES).select_related(
            "uploaded_by"
        )
    for photo in attachments:
        if photo.role in photos:
            photos[photo.role].append(photo)
    return photos


def public_photos(petition: Petition) -> QuerySet[Attachment]:
    """What the tracking page shows: the after photos, never the before photos."""
    return petition.attachments.filter(role=Attachment.Role.AFTER, is_public=True)


@dataclass(frozen=True)
class ReportBack:
    """Where a dispatch case stands against its 24-hour report-back clock."""

    due_at: datetime | None
    reported_at: datetime | None

    @property
    def is_late(self) -> bool:
        if self.due_at is None:
            return False
        return (self.reported_at or timezone.now()) > self.due_at


def can_confirm_fix(petition: Petition) -> bool:
    return petition.category.is_dispatch and petition.status == Status.REPLIED


def can_say_not_fixed(petition: Petition, now: datetime) -> bool:
    """The same rule as petition_reopen: once, within 14 days of the reply."""
    return (
        petition.category.is_dispatch
        and petition.status in (Status.REPLIED, Status.CLOSED)
        and petition.reopen_count == 0
        and petition.replied_at is not None
        and now <= petition.replied_at + REOPEN_WINDOW
    )


def report_back(petition: Petition) -> ReportBack | None:
    """The current round: after "not fixed" the earlier report back no longer counts."""
    if not petition.category.is_dispatch:
        return None
    replied, reopened = petition.replied_at, petition.reopened_at
    current = replied if replied and (reopened is None or replied >= reopened) else None
    return ReportBack(due_at=petition.due_at, reported_at=current)
