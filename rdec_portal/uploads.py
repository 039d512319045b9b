"""Checking an uploaded file: the type comes from its content, never from its name.

`check_upload()` accepts a file only if its bytes prove one of the accepted types:

- images (JPEG, PNG) are decoded and saved again without their metadata, so a photo taken on a
  phone does not publish where the citizen lives (GPS) or which phone they own (EXIF);
- PDFs are parsed (pypdf) and refused if they carry active content anywhere, however written
  (an escaped name such as `/J#61vaScript`, inside a compressed object stream): scripts, launch
  actions, embedded files, XFA forms, rich media;
- audio and video must show their container's structure (MP4 boxes, RIFF chunks, the ASF
  header, two consecutive MPEG audio frames), not just a few magic bytes.

`download_name()` gives the name a stored file is downloaded under: the citizen's name with the
extension of the detected type, so bytes that are an MP3 never open as `invoice.html`.
"""

import hashlib
import io
import logging
import re
import struct
import warnings
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile, File
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError
from pypdf import PdfReader
from pypdf.errors import PyPdfError
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

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
# How much of a file the container checks read: the structure they look for is at the start.
_AV_HEAD = 64 * 1024


@dataclass
class CheckedFile:
    name: str
    content_type: str
    size: int
    sha256: str
    content: File


def sniff(head: bytes, name: str = "") -> str | None:
    """The MIME type the first bytes claim, or None for anything not on the list."""
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


def download_name(name: str, content_type: str) -> str:
    """`name` with the extension of the type its content proved (invoice.html → invoice.mp3)."""
    extension = EXTENSIONS.get(content_type, "")
    stem = name.rsplit(".", 1)[0] if "." in name.lstrip(".") else name
    return f"{stem or 'file'}{extension}"


# --- images ---------------------------------------------------------------------------------------


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


# --- PDF ------------------------------------------------------------------------------------------

# Names that run code or carry files when a PDF is opened. Staff open citizens' PDFs, so a PDF
# with any of them, as a key or a value anywhere, is refused: a scanned letter or form has none.
_PDF_ACTIVE_NAMES = frozenset(
    {
        "/JavaScript",
        "/JS",
        "/Launch",
        "/EmbeddedFiles",
        "/EmbeddedFile",
        "/FileAttachment",
        "/XFA",
        "/RichMedia",
        "/RichMediaExecute",
        "/RichMediaContent",
        "/ImportData",
        "/GoToE",
    }
)


# pypdf logs a warning for every detail of a sloppy PDF it repairs: not the operators' concern.
logging.getLogger("pypdf").setLevel(logging.ERROR)


class _Unreadable(Exception):
    pass


def _pdf_values(reader):
    """Every object of the PDF: the trailer and each numbered object, also in object streams."""
    yield reader.trailer
    for generation, numbers in reader.xref.items():
        for number in numbers:
            yield IndirectObject(number, generation, reader).get_object()
    for number in reader.xref_objStm:
        yield IndirectObject(number, 0, reader).get_object()


def _active_name(value) -> str | None:
    """The first active-content name in `value`, walking its dictionaries and arrays (not the
    objects it refers to: each of those is walked on its own)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, NameObject):
            if item in _PDF_ACTIVE_NAMES:
                return str(item)
        elif isinstance(item, DictionaryObject):  # streams too
            for key, child in dict.items(item):
                if key in _PDF_ACTIVE_NAMES:
                    return str(key)
                stack.append(child)
        elif isinstance(item, ArrayObject):
            stack.extend(item)
    return None


# Appended to a PDF, a cross-reference pointer to nowhere: pypdf then rebuilds the table by
# scanning every object in the file, as a viewer repairing a broken PDF does.
_FORCE_REBUILD = b"\nstartxref\n0\n%%EOF\n"
_PDF_ERRORS = (PyPdfError, ValueError, KeyError, TypeError, AttributeError, OSError, RecursionError)


def _pdf_readers(data: bytes):
    """The PDF as its cross-reference table says, then as every object in the file: a viewer
    that repairs a PDF sees objects the table leaves out, so both are checked."""
    read = 0
    for variant in (data, data + _FORCE_REBUILD):
        try:
            reader = PdfReader(io.BytesIO(variant), strict=False)
            if reader.is_encrypted and not reader.decrypt(""):
                raise _Unreadable("encrypted")
            yield reader
            read += 1
        except _PDF_ERRORS:
            continue
    if not read:
        raise _Unreadable


def pdf_active_content(upload) -> str | None:
    """The active-content name found in the PDF, or None. Raises _Unreadable if pypdf cannot
    read it: what cannot be checked is not passed on."""
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    for reader in _pdf_readers(data):
        try:
            for value in _pdf_values(reader):
                found = _active_name(value)
                if found:
                    return found
        except _PDF_ERRORS:
            raise _Unreadable from None
    return None


# --- audio and video --------------------------------------------------------------------------

_PRINTABLE_TAG = re.compile(rb"^[\x20-\x7e]{4}$")
# MPEG audio bitrates (kbit/s) by [version 1?][layer] and index; sampling rates by version.
_BITRATES = {
    (True, 1): (0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448),
    (True, 2): (0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384),
    (True, 3): (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320),
    (False, 1): (0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256),
    (False, 2): (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),
    (False, 3): (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),
}
_SAMPLE_RATES = {3: (44100, 48000, 32000), 2: (22050, 24000, 16000), 0: (11025, 12000, 8000)}


def _mpeg_frame_length(head: bytes) -> int | None:
    """The length of the MPEG audio frame whose header starts `head`, or None if not one."""
    if len(head) < 4 or head[0] != 0xFF or head[1] & 0xE0 != 0xE0:
        return None
    version = (head[1] >> 3) & 0x3  # 3: MPEG-1, 2: MPEG-2, 0: MPEG-2.5, 1: reserved
    layer = 4 - ((head[1] >> 1) & 0x3)  # 4 means reserved
    bitrate_index = head[2] >> 4
    rate_index = (head[2] >> 2) & 0x3
    if version == 1 or layer == 4 or bitrate_index in (0, 15) or rate_index == 3:
        return None
    bitrate = _BITRATES[(version == 3, layer)][bitrate_index] * 1000
    rate = _SAMPLE_RATES[version][rate_index]
    padding = (head[2] >> 1) & 0x1
    if layer == 1:
        return (12 * bitrate // rate + padding) * 4
    per_frame = 144 if layer == 2 or version == 3 else 72
    return per_frame * bitrate // rate + padding


def _mp3_ok(data: bytes, size: int) -> bool:
    start = 0
    if data.startswith(b"ID3"):
        if len(data) < 10 or data[3] not in (2, 3, 4) or any(b & 0x80 for b in data[6:10]):
            return False
        start = 10 + ((data[6] << 21) | (data[7] << 14) | (data[8] << 7) | data[9])
        if data[5] & 0x10:  # a footer follows the tag
            start += 10
    first = _mpeg_frame_length(data[start : start + 4])
    if first is None:
        return False
    following = start + first
    if following >= size:  # a single frame is the whole file
        return following == size
    if following + 4 > len(data):  # a tag longer than what was read: trust the first frame
        return True
    return _mpeg_frame_length(data[following : following + 4]) is not None


def _mp4_ok(data: bytes, size: int) -> bool:
    """Top-level ISO boxes, starting with `ftyp`, each with a printable type and a size that fits
    the file; a media box (moov/mdat) among them."""
    offset, kinds = 0, []
    while offset + 8 <= len(data) and offset < size:
        length, kind = struct.unpack(">I4s", data[offset : offset + 8])
        if not _PRINTABLE_TAG.match(kind):
            return False
        if length == 1:
            if offset + 16 > len(data):
                break
            length = struct.unpack(">Q", data[offset + 8 : offset + 16])[0]
        elif length == 0:  # to the end of the file
            length = size - offset
        if length < 8 or offset + length > size:
            return False
        kinds.append(kind)
        offset += length
    return bool(kinds) and kinds[0] == b"ftyp" and bool({b"moov", b"mdat", b"moof"} & set(kinds))


def _riff_ok(data: bytes, size: int, needed: set[bytes]) -> bool:
    """A RIFF file: its declared size fits the file, its chunks are well formed, and the chunks
    the format cannot do without (`needed`) are there."""
    declared = struct.unpack("<I", data[4:8])[0] + 8
    if declared < 12 or declared > size + 1:
        return False
    offset, kinds = 12, set()
    while offset + 8 <= min(len(data), declared):
        kind, length = struct.unpack("<4sI", data[offset : offset + 8])
        if not _PRINTABLE_TAG.match(kind) or offset + 8 + length > declared + 1:
            return False
        kinds.add(kind)
        if kind == b"LIST" and offset + 12 <= len(data):
            kinds.add(b"LIST:" + data[offset + 8 : offset + 12])
        if kind == b"fmt " and length < 16:
            return False
        offset += 8 + length + (length & 1)
    return needed <= kinds


def _asf_ok(data: bytes, size: int) -> bool:
    """The ASF header object: its size fits the file, and its two reserved bytes are 1 and 2."""
    if len(data) < 30:
        return False
    header_size = struct.unpack("<Q", data[16:24])[0]
    return 30 <= header_size <= size and data[28:30] == b"\x01\x02"


def _av_structure_ok(upload, content_type: str) -> bool:
    upload.seek(0)
    data = upload.read(_AV_HEAD)
    upload.seek(0)
    size = upload.size
    if content_type == "audio/mpeg":
        return _mp3_ok(data, size)
    if content_type == "video/mp4":
        return _mp4_ok(data, size)
    if content_type == "audio/wav":
        return _riff_ok(data, size, {b"fmt ", b"data"})
    if content_type == "video/x-msvideo":
        return _riff_ok(data, size, {b"LIST:hdrl"})
    return _asf_ok(data, size)


# --- the check ----------------------------------------------------------------------------------


def _sha256(upload) -> str:
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def _bad_type(name: str) -> ValidationError:
    return ValidationError(
        _("“%(name)s” is not an accepted file type (%(types)s)."),
        code="bad_type",
        params={"name": name, "types": ALLOWED_DESCRIPTION},
    )


def check_upload(upload, *, max_size: int = MAX_FILE_SIZE) -> CheckedFile:
    """Accept one uploaded file or raise ValidationError with a message the citizen can act on."""
    # Direction controls in a name make "photo\u202egpj.exe" read as "photoexe.jpg": dropped.
    name = _BIDI_CONTROLS.sub("", upload.name or "")[-200:] or "file"
    if upload.size > max_size:
        raise ValidationError(
            _("“%(name)s” is larger than 20 MB."), code="too_large", params={"name": name}
        )
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    content_type = sniff(head, name)
    if content_type is None:
        raise _bad_type(name)
    if content_type in IMAGE_FORMATS:
        data = _strip_image(upload, content_type)
        return CheckedFile(
            name=name,
            content_type=content_type,
            size=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
            content=ContentFile(data),
        )
    if content_type == "application/pdf":
        try:
            active = pdf_active_content(upload)
        except _Unreadable:
            raise ValidationError(
                _("“%(name)s” is not a readable PDF: save or print it as a plain PDF."),
                code="bad_pdf",
                params={"name": name},
            ) from None
        if active:
            raise ValidationError(
                _(
                    "“%(name)s” is a PDF with scripts or embedded files: "
                    "save or print it as a plain PDF."
                ),
                code="active_pdf",
                params={"name": name},
            )
    elif not _av_structure_ok(upload, content_type):
        # Three magic bytes in front of anything else (a page, a script): not a recording.
        raise _bad_type(name)
    return CheckedFile(
        name=name,
        content_type=content_type,
        size=upload.size,
        sha256=_sha256(upload),
        content=upload,
    )
