"""Hostile uploads: every file of the corpus is posted through the real public petition form and
the staff dispatch photo upload. Each is refused with a message on the files field, the typed
fields stay, and nothing is saved: no Petition, no Attachment, no file under MEDIA_ROOT.

The corpus is made here from bytes; nothing binary is committed.
"""

import io
import struct
import zipfile
import zlib
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from PIL import Image

from service_center.petitions import services
from service_center.petitions.models import Attachment, Petition
from tests.service_center.factories import CategoryFactory

NEW = reverse("service_center:petition_new")
# A Thursday morning in Kaohsiung.
NOW = datetime(2026, 11, 26, 10, 0, tzinfo=ZoneInfo("Asia/Taipei"))


def _jpeg(size=(32, 24)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (120, 160, 200)).save(out, format="JPEG")
    return out.getvalue()


def _zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("META-INF/MANIFEST.MF", "Main-Class: Evil\n")
        archive.writestr("Evil.class", b"\xca\xfe\xba\xbe" + b"\x00" * 32)
    return out.getvalue()


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return (
        struct.pack(">I", len(data))
        + kind
        + data
        + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    )


def _png_bomb(width=30_000, height=30_000) -> bytes:
    """A valid PNG header declaring 900 million pixels, with almost no data behind it."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 1024)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", idat)
        + _png_chunk(b"IEND", b"")
    )


ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8 + b"\x02\x00\x3e\x00" + b"\x00" * 100
PE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 52 + b"This program cannot be run in DOS mode." * 2
GIFAR = b"GIF89a\x01\x00\x01\x00\x00\x00\x00;" + _zip()
PDF_JS = (
    b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog /OpenAction 2 0 R >>\nendobj\n"
    b"2 0 obj\n<< /S /JavaScript /JS (app.alert(1)) >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
)
PDF_LAUNCH = (
    b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /OpenAction << /S /Launch /F (cmd.exe) >> >>\nendobj\n"
    b"%%EOF\n"
)
SVG = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg">'
    b"<script>alert(document.cookie)</script></svg>"
)
HTML_JPEG = b"<html><script>alert(1)</script></html>" + _jpeg()

# (name, bytes, what the files field must say, in English)
CORPUS = [
    pytest.param("photo.jpg", ELF, "is not an accepted file type", id="elf-as-jpg"),
    pytest.param("photo.png", ELF, "is not an accepted file type", id="elf-as-png"),
    pytest.param("letter.pdf", ELF, "is not an accepted file type", id="elf-as-pdf"),
    pytest.param("photo.jpg", PE, "is not an accepted file type", id="pe-as-jpg"),
    pytest.param("photo.png", PE, "is not an accepted file type", id="pe-as-png"),
    pytest.param("letter.pdf", PE, "is not an accepted file type", id="pe-as-pdf"),
    pytest.param("photo.jpg", GIFAR, "is not an accepted file type", id="gifar"),
    pytest.param("photo.jpg", HTML_JPEG, "is not an accepted file type", id="html-jpeg"),
    pytest.param("letter.pdf", PDF_JS, "is a PDF with scripts", id="pdf-javascript"),
    pytest.param("letter.pdf", PDF_LAUNCH, "is a PDF with scripts", id="pdf-launch"),
    pytest.param("map.png", _png_bomb(), "has too many pixels", id="png-decompression-bomb"),
    pytest.param("drawing.svg", SVG, "is not an accepted file type", id="svg-script"),
    pytest.param("photo.jpg", _jpeg()[:200], "is not a readable image", id="truncated-jpeg"),
    pytest.param("empty.jpg", b"", "is empty (0 bytes)", id="zero-byte"),
]


@pytest.fixture
def category(agency_a):
    return CategoryFactory(code="sidewalk", agency=agency_a)


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


def form_data(category, **files):
    return {
        "idempotency_key": "c" * 32,
        "category": str(category.pk),
        "subject": "人行道破損",
        "description": "建國二路 50 號前的人行道地磚破裂。",
        "address": "高雄市三民區建國二路 50 號",
        "name": "林小美",
        "email": "mei@example.com",
        "phone": "0912000111",
        "has_consented": "on",
        **files,
    }


def _media_files(settings) -> list:
    root = settings.MEDIA_ROOT
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.mark.parametrize(("name", "content", "message"), CORPUS)
def test_the_public_form_refuses_the_file_and_keeps_what_was_typed(
    client, settings, frozen, category, name, content, message
):
    upload = SimpleUploadedFile(name, content, content_type="image/jpeg")
    with translation.override("en"):
        response = client.post(NEW, form_data(category, files=[upload]), HTTP_ACCEPT_LANGUAGE="en")
        # Read while English is active: a lazily translated message speaks the active language.
        errors = {
            field: [str(m) for m in messages]
            for field, messages in response.context["form"].errors.items()
        }

    assert response.status_code == 400
    assert list(errors) == ["files"], errors
    assert message in errors["files"][0]
    body = response.content.decode()
    assert "建國二路 50 號前的人行道地磚破裂。" in body and "林小美" in body
    assert Petition.objects.count() == 0 and Attachment.objects.count() == 0
    assert _media_files(settings) == []


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("photo.jpg", ELF, "不是可接受的檔案類型"),
        ("photo.jpg", _jpeg()[:200], "不是可讀取的圖片"),
        ("empty.jpg", b"", "是空的檔案（0 位元組）"),
        ("map.png", _png_bomb(), "的像素過多"),
        ("letter.pdf", PDF_JS, "是含有程式碼或內嵌檔案的 PDF"),
    ],
)
def test_the_message_is_in_traditional_chinese_by_default(
    client, frozen, category, name, content, message
):
    upload = SimpleUploadedFile(name, content, content_type="image/jpeg")

    response = client.post(NEW, form_data(category, files=[upload]))

    assert response.status_code == 400
    assert message in response.context["form"].errors["files"][0]
    assert message in response.content.decode()


def test_a_jpeg_with_a_zip_behind_it_is_stored_as_pixels_only(client, settings, frozen, category):
    """A JPEG+ZIP polyglot decodes as a photo: it is kept, but re-encoded, so the archive (and
    any metadata) is gone from the stored file."""
    polyglot = _jpeg() + _zip()
    upload = SimpleUploadedFile("photo.jpg", polyglot, content_type="image/jpeg")

    response = client.post(NEW, form_data(category, files=[upload]))

    assert response.status_code == 200
    attachment = Attachment.objects.get()
    stored = attachment.file.read()
    assert stored.startswith(b"\xff\xd8\xff")
    assert b"PK\x03\x04" not in stored and b"Main-Class" not in stored


def test_a_jpeg_with_html_in_a_comment_is_stored_without_it(client, frozen, category):
    out = io.BytesIO()
    Image.new("RGB", (16, 16)).save(out, format="JPEG", comment=b"<script>alert(1)</script>")
    assert b"<script>" in out.getvalue()
    upload = SimpleUploadedFile("photo.jpg", out.getvalue(), content_type="image/jpeg")

    response = client.post(NEW, form_data(category, files=[upload]))

    assert response.status_code == 200
    assert b"<script>" not in Attachment.objects.get().file.read()


# --- the staff dispatch photo upload --------------------------------------------------------------


@pytest.fixture
def dispatched(frozen, dispatch_category, desk_user, staff_a):
    result = services.petition_submit(
        category=dispatch_category,
        subject="路面坑洞",
        description="建國二路上有一個大坑洞。",
        email="citizen@example.com",
        has_consented=True,
        by=desk_user,
        channel="phone_1999",
    )
    services.petition_assign(petition=result.petition, agency=staff_a.agency, by=desk_user)
    return result.petition


@pytest.mark.parametrize(("name", "content", "message"), CORPUS)
def test_the_dispatch_photo_upload_refuses_the_file(
    client, settings, dispatched, staff_a, name, content, message
):
    client.force_login(staff_a)
    upload = SimpleUploadedFile(name, content, content_type="image/jpeg")
    with translation.override("en"):
        response = client.post(
            reverse("service_center:case_photos", args=[dispatched.pk]),
            {"role": "after", "files": [upload]},
            HTTP_ACCEPT_LANGUAGE="en",
        )

    assert response.status_code == 400
    body = response.content.decode()
    assert 'id="photo-errors"' in body
    # A PDF that is otherwise fine is refused as "not a photo"; everything else as above.
    assert message in body or "is not a photo" in body
    assert Attachment.objects.count() == 0
    assert _media_files(settings) == []
