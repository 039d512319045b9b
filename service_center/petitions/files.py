"""Attachment checks: the type comes from the file's first bytes, never from its name.

Images are decoded and saved again without their metadata, so a photo taken on a phone does not
publish where the citizen lives (GPS) or which phone they own (EXIF).
"""

import hashlib
import io
import re
import warnings
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile, File
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_FILES = 5
MAX_FILE_SIZE = 20 * 1024 * 1024
ALLOWED_DESCRIPTION = "JPG, PNG, PDF, MP4, AVI, WMV, WMA, WAV, MP3"

EXTENSIONS = {
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "application/pdf": ".pdf",
    "video/mp4": ".mp4",
    "video/x-msvideo": ".avi",
    "video/x-ms-wmv": ".wmv",
    "audio/x-ms-wma": ".wma",
    "audio/wav": ".wav",
    "audio/mpeg": ".mp3",
}
IMAGE_FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG"}
_BIDI_CONTROLS = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_ASF_GUID = bytes.fromhex("3026b2758e66cf11a6d900aa0062ce6c")


@dataclass
class CheckedFile:
    name: str
    content_type: str
    size: int
    sha256: str
    content: File


def sniff(head: bytes, name: str = "") -> str | None:
    """The MIME type the first bytes prove, or None for anything not on the list."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head[4:8] == b"ftyp":
        return "video/mp4"
    if head.startswith(b"RIFF") and head[8:12] == b"AVI ":
        return "video/x-msvideo"
    if head.startswith(b"RIFF") and head[8:12] == b"WAVE":
        return "audio/wav"
    if head.startswith(_ASF_GUID):
        # WMV and WMA share the ASF container; the name only picks which of the two it is.
        return "audio/x-ms-wma" if name.lower().endswith(".wma") else "video/x-ms-wmv"
    if head.startswith(b"ID3") or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0):
        return "audio/mpeg"
    return None


def _strip_image(upload, content_type: str) -> bytes:
    """Decode the image and encode it again: the pixels survive, the metadata does not."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(upload) as image:
                image.load()
                # Keep the photo the right way up once the orientation tag is gone.
                upright = ImageOps.exif_transpose(image)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        # A few kilobytes that declare a picture of billions of pixels: never decoded.
        raise ValidationError(
            _("“%(name)s” has too many pixels (more than %(max)d million)."),
            code="too_many_pixels",
            params={"name": upload.name, "max": Image.MAX_IMAGE_PIXELS // 1_000_000},
        ) from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise ValidationError(
            _("“%(name)s” is not a readable image."), code="bad_image", params={"name": upload.name}
        ) from exc
    fmt = IMAGE_FORMATS[content_type]
    if fmt == "JPEG" and upright.mode not in ("RGB", "L"):
        upright = upright.convert("RGB")
    out = io.BytesIO()
    # Pillow copies a JPEG's comment (COM) segment by default: an empty one keeps it out too.
    upright.save(out, format=fmt, **({"quality": 90, "comment": b""} if fmt == "JPEG" else {}))
    return out.getvalue()


# PDF names that run code or carry files when the PDF is opened: a staff member opens citizens'
# PDFs, so a PDF with any of them is refused (a scanned letter or form has none).
_PDF_ACTIVE = re.compile(rb"/(?:JavaScript|JS|Launch|EmbeddedFiles?|RichMedia|XFA)(?![A-Za-z])")


def _pdf_is_active(upload) -> bool:
    upload.seek(0)
    tail = b""
    for chunk in upload.chunks():
        # Keep a little of the previous chunk so a name split across two chunks is still seen.
        data = tail + chunk
        if _PDF_ACTIVE.search(data):
            upload.seek(0)
            return True
        tail = data[-32:]
    upload.seek(0)
    return False


def _sha256(upload) -> str:
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def check_upload(upload) -> CheckedFile:
    """Accept one uploaded file or raise ValidationError with a message the citizen can act on."""
    # Direction controls in a name make "photo\u202egpj.exe" read as "photoexe.jpg": dropped.
    name = _BIDI_CONTROLS.sub("", upload.name or "")[-200:] or "file"
    if upload.size > MAX_FILE_SIZE:
        raise ValidationError(
            _("“%(name)s” is larger than 20 MB."), code="too_large", params={"name": name}
        )
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    content_type = sniff(head, name)
    if content_type is None:
        raise ValidationError(
            _("“%(name)s” is not an accepted file type (%(types)s)."),
            code="bad_type",
            params={"name": name, "types": ALLOWED_DESCRIPTION},
        )
    if content_type in IMAGE_FORMATS:
        data = _strip_image(upload, content_type)
        return CheckedFile(
            name=name,
            content_type=content_type,
            size=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
            content=ContentFile(data),
        )
    if content_type == "application/pdf" and _pdf_is_active(upload):
        raise ValidationError(
            _(
                "“%(name)s” is a PDF with scripts or embedded files: save or print it as a plain PDF."
            ),
            code="active_pdf",
            params={"name": name},
        )
    return CheckedFile(
        name=name,
        content_type=content_type,
        size=upload.size,
        sha256=_sha256(upload),
        content=upload,
    )


def check_uploads(uploads: list) -> list[CheckedFile]:
    if len(uploads) > MAX_FILES:
        raise ValidationError(
            _("Attach at most %(max)d files."), code="too_many", params={"max": MAX_FILES}
        )
    return [check_upload(upload) for upload in uploads]
