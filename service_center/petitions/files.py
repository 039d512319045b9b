"""The service centre's attachments: at most five files, each checked by the core's upload check
(`rdec_portal.uploads`: the type comes from the file's content, images lose their metadata,
PDFs with active content and files that only look like a recording are refused)."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from rdec_portal.uploads import (
    ALLOWED_DESCRIPTION,
    EXTENSIONS,
    IMAGE_FORMATS,
    MAX_FILE_SIZE,
    CheckedFile,
    check_upload,
    download_name,
    sniff,
)

__all__ = [
    "ALLOWED_DESCRIPTION",
    "EXTENSIONS",
    "IMAGE_FORMATS",
    "MAX_FILES",
    "MAX_FILE_SIZE",
    "CheckedFile",
    "check_upload",
    "check_uploads",
    "download_name",
    "sniff",
]

MAX_FILES = 5


def check_uploads(uploads: list) -> list[CheckedFile]:
    if len(uploads) > MAX_FILES:
        raise ValidationError(
            _("Attach at most %(max)d files."), code="too_many", params={"max": MAX_FILES}
        )
    return [check_upload(upload) for upload in uploads]
