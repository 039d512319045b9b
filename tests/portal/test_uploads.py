"""The core upload check: PDFs are parsed for active content, however it is written; audio and
video must show their container's structure; the download name takes the detected type."""

import io
import struct
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfWriter

from rdec_portal.uploads import check_upload, download_name

# --- PDFs built by hand, with a correct cross-reference table -------------------------------------


def _pdf(*objects: bytes, root: int = 1) -> bytes:
    """A PDF of the numbered objects (1, 2, ...), with a classic cross-reference table."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root %d 0 R >>\n" % (len(objects) + 1, root)
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


CATALOG = b"<< /Type /Catalog /Pages 2 0 R >>"
PAGES = b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>"
PAGE = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>"
PLAIN_PDF = _pdf(CATALOG, PAGES, PAGE)


def _pdf_with_object_stream(hidden: bytes) -> bytes:
    """A PDF 1.5 file whose object 4 (`hidden`, the open action) sits compressed in an object
    stream, listed by a cross-reference stream: no byte of it is readable in the file."""
    head = b"4 0 "
    packed = zlib.compress(head + hidden)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R /OpenAction 4 0 R >>",
        PAGES,
        PAGE,
    ]
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    for number, body in enumerate(objects, start=1):
        offsets[number] = len(out)
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    offsets[5] = len(out)
    out += (
        b"5 0 obj\n<< /Type /ObjStm /N 1 /First %d /Filter /FlateDecode /Length %d >>\n"
        b"stream\n%s\nendstream\nendobj\n" % (len(head), len(packed), packed)
    )
    offsets[6] = len(out)
    rows = [struct.pack(">BIH", 0, 0, 65535)]
    rows += [struct.pack(">BIH", 1, offsets[n], 0) for n in (1, 2, 3)]
    rows += [struct.pack(">BIH", 2, 5, 0)]  # object 4: in object stream 5, index 0
    rows += [struct.pack(">BIH", 1, offsets[n], 0) for n in (5, 6)]
    table = b"".join(rows)
    out += (
        b"6 0 obj\n<< /Type /XRef /Size 7 /W [1 4 2] /Root 1 0 R /Length %d >>\n"
        b"stream\n%s\nendstream\nendobj\n" % (len(table), table)
    )
    out += b"startxref\n%d\n%%%%EOF\n" % offsets[6]
    return bytes(out)


ACTIVE_PDFS = {
    "javascript-open-action": _pdf(
        b"<< /Type /Catalog /Pages 2 0 R /OpenAction 4 0 R >>",
        PAGES,
        PAGE,
        b"<< /S /JavaScript /JS (app.alert(1)) >>",
    ),
    # Every letter of a name may be written #xx: a byte search for /JavaScript misses it.
    "escaped-names": _pdf(
        b"<< /Type /Catalog /Pages 2 0 R /OpenAction 4 0 R >>",
        PAGES,
        PAGE,
        b"<< /S /J#61vaScript /#4AS (app.alert(1)) >>",
    ),
    "javascript-in-object-stream": _pdf_with_object_stream(
        b"<< /S /JavaScript /JS (app.alert(1)) >>"
    ),
    "launch-in-page-action": _pdf(
        CATALOG,
        PAGES,
        b"<< /Type /Page /Parent 2 0 R /AA << /O << /S /L#61unch /F (cmd.exe) >> >> >>",
    ),
    "embedded-file": _pdf(
        b"<< /Type /Catalog /Pages 2 0 R /Names << /EmbeddedFiles 4 0 R >> >>",
        PAGES,
        PAGE,
        b"<< /Names [(x.exe) 5 0 R] >>",
        b"<< /Type /Filespec /F (x.exe) >>",
    ),
    "xfa-form": _pdf(
        b"<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [] /XFA 4 0 R >> >>",
        PAGES,
        PAGE,
        b"<< /Length 0 >>\nstream\n\nendstream",
    ),
    "rich-media": _pdf(
        CATALOG,
        PAGES,
        b"<< /Type /Page /Parent 2 0 R /Annots [<< /Subtype /RichMedia >>] >>",
    ),
    # An action object the cross-reference table leaves out: a repairing viewer still finds it.
    "javascript-outside-the-table": _pdf(CATALOG, PAGES, PAGE)
    + b"9 0 obj\n<< /S /JavaScript /JS (app.alert(1)) >>\nendobj\n",
}


def _upload(data: bytes, name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


def test_a_plain_pdf_is_accepted():
    checked = check_upload(_upload(PLAIN_PDF, "letter.pdf"))
    assert checked.content_type == "application/pdf"
    assert checked.size == len(PLAIN_PDF)


def test_a_plain_pdf_in_object_streams_is_accepted():
    data = _pdf_with_object_stream(b"<< /S /GoTo /D [3 0 R /Fit] >>")
    assert check_upload(_upload(data, "letter.pdf")).content_type == "application/pdf"


@pytest.mark.parametrize("data", list(ACTIVE_PDFS.values()), ids=list(ACTIVE_PDFS))
def test_a_pdf_with_active_content_is_refused(data):
    with pytest.raises(ValidationError) as exc:
        check_upload(_upload(data, "letter.pdf"))
    assert exc.value.code == "active_pdf"


def _encrypted_pdf(user_password: str) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(100, 100)
    writer.encrypt(user_password=user_password, owner_password="owner", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_a_pdf_that_cannot_be_read_is_refused():
    # Locked with a password: nothing in it can be checked.
    with pytest.raises(ValidationError) as exc:
        check_upload(_upload(_encrypted_pdf("secret"), "letter.pdf"))
    assert exc.value.code == "bad_pdf"


def test_a_pdf_that_only_restricts_printing_or_editing_is_checked_and_accepted():
    checked = check_upload(_upload(_encrypted_pdf(""), "form.pdf"))
    assert checked.content_type == "application/pdf"


# --- audio and video ------------------------------------------------------------------------------

# MPEG-1 layer III, 128 kbit/s, 44.1 kHz: frames of 417 bytes.
MP3_FRAME = b"\xff\xfb\x90\x00" + b"\x00" * 413
MP3 = MP3_FRAME * 3
ID3_MP3 = b"ID3\x03\x00\x00\x00\x00\x00\x0a" + b"\x00" * 10 + MP3
MP4 = (
    struct.pack(">I4s4sI4s", 20, b"ftyp", b"isom", 512, b"isom")
    + struct.pack(">I4s", 108, b"mdat")
    + b"\x00" * 100
)
WAV_FMT = struct.pack("<HHIIHH", 1, 1, 8000, 16000, 2, 16)
WAV = (
    b"RIFF"
    + struct.pack("<I", 4 + 8 + 16 + 8 + 100)
    + b"WAVE"
    + b"fmt "
    + struct.pack("<I", 16)
    + WAV_FMT
    + b"data"
    + struct.pack("<I", 100)
    + b"\x00" * 100
)
HDRL = b"hdrl" + b"avih" + struct.pack("<I", 56) + b"\x00" * 56
AVI = (
    b"RIFF"
    + struct.pack("<I", 4 + 8 + len(HDRL))
    + b"AVI "
    + b"LIST"
    + struct.pack("<I", len(HDRL))
    + HDRL
)
ASF = (
    bytes.fromhex("3026b2758e66cf11a6d900aa0062ce6c")
    + struct.pack("<QI", 30, 0)
    + b"\x01\x02"
    + b"\x00" * 50
)
PAGE_HTML = b"<html><script>alert(document.cookie)</script></html>" * 3


@pytest.mark.parametrize(
    ("data", "name", "content_type"),
    [
        (MP3, "a.mp3", "audio/mpeg"),
        (ID3_MP3, "a.mp3", "audio/mpeg"),
        (MP4, "v.mp4", "video/mp4"),
        (WAV, "a.wav", "audio/wav"),
        (AVI, "v.avi", "video/x-msvideo"),
        (ASF, "v.wmv", "video/x-ms-wmv"),
        (ASF, "a.wma", "audio/x-ms-wma"),
    ],
)
def test_real_recordings_are_accepted(data, name, content_type):
    assert check_upload(_upload(data, name)).content_type == content_type


@pytest.mark.parametrize(
    "data",
    [
        b"\xff\xfb\x90\x00" + PAGE_HTML,
        b"\xff\xfb" + PAGE_HTML,
        b"ID3" + PAGE_HTML,
        b"ID3\x03\x00\x00\x00\x00\x00\x00" + PAGE_HTML,
        b"\x00\x00\x00\x18ftypmp42" + PAGE_HTML,
        b"RIFF\x00\x00\x00\x00WAVEfmt " + PAGE_HTML,
        b"RIFF\x00\x00\x00\x00AVI LIST" + PAGE_HTML,
        bytes.fromhex("3026b2758e66cf11a6d900aa0062ce6c") + PAGE_HTML,
        MP3_FRAME[:4] + MP3_FRAME[4:200],  # a frame cut short
    ],
    ids=["mp3-frame", "mp3-sync", "id3", "id3-header", "mp4", "wav", "avi", "asf", "short-mp3"],
)
def test_magic_bytes_in_front_of_something_else_are_refused(data):
    with pytest.raises(ValidationError) as exc:
        check_upload(_upload(data, "recording.mp3"))
    assert exc.value.code == "bad_type"


# --- the download name ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content_type", "expected"),
    [
        ("invoice.html", "audio/mpeg", "invoice.mp3"),
        ("invoice.bat", "application/pdf", "invoice.pdf"),
        ("report.final.exe", "video/mp4", "report.final.mp4"),
        ("photo", "image/jpeg", "photo.jpg"),
        (".htaccess", "image/png", ".htaccess.png"),
        ("letter.PDF", "application/pdf", "letter.pdf"),
    ],
)
def test_the_download_name_takes_the_detected_type(name, content_type, expected):
    assert download_name(name, content_type) == expected
