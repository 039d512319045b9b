"""Dispatch cases (potholes, fallen trees, street lights, flooding, signals, major incidents).

The clock: a dispatch category's limit is in calendar hours (24), from confirmation, and the
deadline kind `service_center.dispatch` escalates as soon as it is missed (reminders.py). The
agency's reply IS the report back: `petition_reply` meets the deadline at that moment and stores
it as `replied_at`, which the monthly `dispatch_on_time` metric reads.

Around it, this module adds the agency's photos on arrival ("before", for the agency and the
service centre) and after the work ("after", shown to the citizen on the tracking page), and the
citizen's answer to the report back: the fix is confirmed (the case closes) or it is not (the
case reopens through `petition_reopen`: once, within 14 days of the reply, with a new 24-hour
clock; after that a new petition is needed).
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from rdec_portal.workflow.audit import audit_record
from rdec_portal.workflow.models import AuditEntry
from service_center.dispatch.selectors import PHOTO_ROLES
from service_center.petitions.files import IMAGE_FORMATS, MAX_FILES, CheckedFile, check_upload
from service_center.petitions.models import AGENCY_STATUSES, Attachment, Petition, Status
from service_center.petitions.services import (
    PetitionError,
    _lock,
    petition_close,
    petition_reopen,
)

MAX_PHOTOS_PER_ROLE = 10


# Before photos while the agency works the case; after photos also once it has reported back.
PHOTO_STATUSES = {
    Attachment.Role.BEFORE: AGENCY_STATUSES,
    Attachment.Role.AFTER: (*AGENCY_STATUSES, Status.REPLIED),
}


def _require_dispatch(petition: Petition) -> None:
    if not petition.category.is_dispatch:
        raise PetitionError(
            _("Only dispatch cases have before and after photos and a confirmed fix."),
            code="not_dispatch",
        )


def _check_photos(files) -> list[CheckedFile]:
    files = list(files)
    if not files:
        raise PetitionError({"files": [_("Choose at least one photo.")]})
    if len(files) > MAX_FILES:
        raise PetitionError(
            {"files": [_("Add at most %(max)d photos at a time.") % {"max": MAX_FILES}]}
        )
    checked = []
    for upload in files:
        try:
            item = check_upload(upload)
        except ValidationError as exc:
            raise PetitionError({"files": exc.messages}) from exc
        if item.content_type not in IMAGE_FORMATS:
            raise PetitionError(
                {"files": [_("“%(name)s” is not a photo: use JPG or PNG.") % {"name": item.name}]}
            )
        checked.append(item)
    return checked


def _save_photo(petition: Petition, item: CheckedFile, role: str, by) -> Attachment:
    photo = Attachment(
        petition=petition,
        role=role,
        original_name=item.name,
        content_type=item.content_type,
        size=item.size,
        sha256=item.sha256,
        # The citizen sees the result of the work; the arrival photos stay with the staff.
        is_public=role == Attachment.Role.AFTER,
        uploaded_by=by,
    )
    photo.file.save(item.name, item.content, save=False)
    photo.save()
    return photo


@transaction.atomic
def dispatch_photos_add(
    *, petition: Petition, role: str, files, by, request=None
) -> list[Attachment]:
    """The handling agency adds photos before or after the work on a dispatch case.

    Each file is checked from its bytes (JPG or PNG only, 20 MB each) and saved again without
    its metadata, so a phone's GPS and camera details are not kept.
    """
    if role not in PHOTO_ROLES:
        raise PetitionError({"role": [_("Choose “before” or “after” the work.")]})
    petition = _lock(
        petition,
        PHOTO_STATUSES[role],
        _("Photos cannot be added to this case now; it is “%(status)s”."),
    )
    _require_dispatch(petition)
    checked = _check_photos(files)
    existing = petition.attachments.filter(role=role).count()
    if existing + len(checked) > MAX_PHOTOS_PER_ROLE:
        raise PetitionError(
            {
                "files": [
                    _("A case keeps at most %(max)d photos of each kind.")
                    % {"max": MAX_PHOTOS_PER_ROLE}
                ]
            }
        )
    photos = [_save_photo(petition, item, role, by) for item in checked]
    audit_record(
        actor=by,
        action=AuditEntry.Action.UPDATE,
        obj=petition,
        changes={f"{role}_photos": [existing, existing + len(photos)]},
        request=request,
    )
    return photos


# --- the citizen's answer to the report back ----------------------------------------------------


@transaction.atomic
def dispatch_fix_confirm(*, petition: Petition) -> Petition:
    """The citizen (holding the case number and secret) confirms the fix: the case closes."""
    _require_dispatch(petition)
    # Stored in the citizen's language: the history shows it to them and to the agency.
    with translation.override(petition.language):
        note = str(_("The citizen confirmed that the problem is fixed."))
    return petition_close(petition=petition, by=None, note=note)


@transaction.atomic
def dispatch_fix_reject(*, petition: Petition, reason: str) -> Petition:
    """The citizen says it is not fixed: the case reopens with a new 24-hour clock.

    This is the citizen's one reopening (petition_reopen: once, within 14 days of the reply).
    """
    _require_dispatch(petition)
    return petition_reopen(petition=petition, reason=reason)
