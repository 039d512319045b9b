"""Hostile text: markup, SQL fragments, direction overrides, zero-width characters, a 4,000-character
word and NUL bytes, typed into the public form and a staff note, then shown everywhere it goes:
the tracking page, the staff case page, the queue, its CSV/XLSX/ODS exports and the API.

Decisions this checks:
- Every page escapes (Django's autoescape; no |safe on user text).
- A spreadsheet cell starting with = + - @ is text, never a formula (CSV gets a leading
  apostrophe, XLSX a string cell, ODS a string cell).
- A long word wraps: `main { overflow-wrap: anywhere }` in portal.css.
- Direction controls: user text sits in its own block element (a table cell, a <dd>, a heading),
  where an override ends; file names lose their direction controls on upload.
- A NUL byte is a form error (PostgreSQL text cannot hold it), never a 500.
"""

import csv
import io
import zipfile
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.staticfiles import finders
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from openpyxl import load_workbook

from rdec_portal.accounts.models import ApiToken
from rdec_portal.accounts.roles import Line
from service_center.petitions import services, tokens
from service_center.petitions.files import check_upload
from service_center.petitions.models import DESCRIPTION_MAX_LENGTH, Petition, PetitionEvent
from tests.service_center.factories import CategoryFactory

NEW = reverse("service_center:petition_new")
TRACK = reverse("service_center:track")
NOW = datetime(2026, 11, 26, 10, 0, tzinfo=ZoneInfo("Asia/Taipei"))

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
SQL = "'; DROP TABLE service_center_petition; --"
SQL_OR = "' OR 1=1 --"
RLO = "\u202eexe.gpj"
ZERO_WIDTH = "路\u200b燈\u200c不\u200d亮\ufeff"
FORMULA = '=HYPERLINK("http://evil.example/","click")'


@pytest.fixture(autouse=True)
def _setup():
    cache.clear()
    with time_machine.travel(NOW, tick=False):
        yield
    cache.clear()


@pytest.fixture
def category(agency_a):
    return CategoryFactory(code="street-light", agency=agency_a)


def form_data(category, **overrides):
    data = {
        "idempotency_key": "d" * 32,
        "category": str(category.pk),
        "subject": "路燈不亮",
        "description": "自由一路 100 號前的路燈三晚不亮。",
        "name": "陳小華",
        "email": "hua@example.com",
        "has_consented": "on",
    }
    data.update(overrides)
    return data


@pytest.fixture
def hostile_case(client, category, rdec_user, agency_a, staff_a):
    """A petition whose subject and description carry every hostile string, filed through the
    public form, assigned to agency A, with a staff note of the same kind."""
    subject = f"{FORMULA}{SCRIPT}{RLO}"[:200]
    description = "\n".join([SCRIPT, IMG, SQL, SQL_OR, RLO, ZERO_WIDTH])
    response = client.post(NEW, form_data(category, subject=subject, description=description))
    assert response.status_code == 200, response.content.decode()[:2000]
    petition = Petition.objects.get()
    assert petition.subject == subject and petition.description == description
    secret = client.get(reverse("service_center:petition_thanks")).context["secret"]
    desk = rdec_user(Line.SERVICE_CENTER)
    confirm_and_assign(petition, agency_a, desk)
    client.force_login(staff_a)
    noted = client.post(
        reverse("service_center:case_action", args=[petition.pk, "note"]),
        {"text": f"{IMG}\n{SQL}"},
    )
    assert noted.status_code == 302
    assert PetitionEvent.objects.filter(kind=PetitionEvent.Kind.NOTE, text__contains=SQL).exists()
    client.logout()
    petition.refresh_from_db()
    return petition, secret


def confirm_and_assign(petition, agency, desk):
    """The citizen clicks the emailed link; the service centre gives the case to the agency."""
    services.petition_confirm(token=tokens.confirmation_token(petition))
    petition.refresh_from_db()
    services.petition_assign(petition=petition, agency=agency, by=desk)


def assert_escaped(html: str) -> None:
    assert "<script>alert(1)" not in html
    assert "<img src=x onerror" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_the_tracking_page_shows_it_as_text(client, hostile_case):
    petition, secret = hostile_case

    response = client.post(TRACK, {"number": petition.number, "secret": secret}, follow=True)

    assert response.status_code == 200
    html = response.content.decode()
    assert_escaped(html)
    # The override stays inside the subject's own element.
    assert (
        "<dd>" + escape(FORMULA) + "&lt;script&gt;alert(1)&lt;/script&gt;" + RLO + "</dd>" in html
    )


def test_the_staff_case_page_and_queue_show_it_as_text(client, hostile_case, staff_a):
    petition, _secret = hostile_case
    client.force_login(staff_a)

    case = client.get(reverse("service_center:case", args=[petition.pk])).content.decode()
    queue = client.get(reverse("service_center:queue"), {"status": "all"}).content.decode()

    assert_escaped(case)
    assert "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;" in case  # the note
    assert "&#x27;; DROP TABLE service_center_petition; --" in case
    assert ZERO_WIDTH in case
    assert_escaped(queue)
    assert petition.number in queue


def test_the_api_returns_the_text_as_json_strings(client, hostile_case, staff_a):
    petition, _secret = hostile_case
    key = ApiToken.generate_key()
    ApiToken.objects.create(
        user=staff_a,
        name="t",
        prefix=key[: ApiToken.PREFIX_LENGTH],
        key_hash=ApiToken.hash_key(key),
    )

    response = client.get(
        f"/api/v1/service-center/petitions/{petition.pk}/", HTTP_AUTHORIZATION=f"Bearer {key}"
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json()["subject"] == petition.subject
    assert response.json()["description"] == petition.description


def _export(client, fmt) -> bytes:
    response = client.get(reverse("service_center:queue_export", args=[fmt]), {"status": "all"})
    assert response.status_code == 200
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.mark.parametrize("start", ["=", "+", "-", "@"])
def test_exports_keep_a_formula_as_text(client, category, agency_a, rdec_user, staff_a, start):
    subject = f"{start}1+1 {FORMULA}"
    client.post(NEW, form_data(category, subject=subject))
    petition = Petition.objects.get()
    confirm_and_assign(petition, agency_a, rdec_user(Line.SERVICE_CENTER))
    client.force_login(staff_a)

    rows = list(csv.reader(io.StringIO(_export(client, "csv").decode("utf-8-sig"))))
    assert [row for row in rows if petition.number in row][0][6] == "'" + subject

    sheet = load_workbook(io.BytesIO(_export(client, "xlsx"))).active
    cells = [c for row in sheet.iter_rows() for c in row if c.value == subject]
    assert cells and all(c.data_type == "s" for c in cells)

    with zipfile.ZipFile(io.BytesIO(_export(client, "ods"))) as ods:
        content = ods.read("content.xml").decode()
    assert "table:formula" not in content
    assert 'office:value-type="string"' in content


def test_a_4000_character_word_is_kept_and_the_css_wraps_it(
    client, category, agency_a, rdec_user, staff_a
):
    word = "緊" * 10 + "a" * (DESCRIPTION_MAX_LENGTH - 10)
    assert len(word) == DESCRIPTION_MAX_LENGTH

    response = client.post(NEW, form_data(category, description=word))

    assert response.status_code == 200
    petition = Petition.objects.get()
    assert petition.description == word
    confirm_and_assign(petition, agency_a, rdec_user(Line.SERVICE_CENTER))
    client.force_login(staff_a)
    assert word in client.get(reverse("service_center:case", args=[petition.pk])).content.decode()
    css = Path(finders.find("css/portal.css")).read_text(encoding="utf-8")
    assert "main { overflow-wrap: anywhere; }" in css


def test_a_word_over_the_limit_is_a_clear_error(client, category):
    with translation.override("en"):
        response = client.post(
            NEW,
            form_data(category, description="a" * 10_000),
            HTTP_ACCEPT_LANGUAGE="en",
        )
        errors = [str(m) for m in response.context["form"].errors["description"]]

    assert response.status_code == 400
    assert "at most 4000 characters" in errors[0]
    assert Petition.objects.count() == 0


@pytest.mark.parametrize("field", ["subject", "description", "name", "address"])
def test_a_nul_byte_is_a_form_error_not_a_500(client, category, field):
    response = client.post(NEW, form_data(category, **{field: "路燈\x00不亮"}))

    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert Petition.objects.count() == 0


def test_a_nul_byte_in_a_staff_note_is_a_form_error(client, hostile_case, staff_a):
    petition, _secret = hostile_case
    client.force_login(staff_a)

    response = client.post(
        reverse("service_center:case_action", args=[petition.pk, "note"]), {"text": "a\x00b"}
    )

    assert response.status_code == 400


def test_file_names_lose_their_direction_controls():
    photo = SimpleUploadedFile("invoice\u202egpj.exe", b"%PDF-1.4\n%%EOF\n")

    assert check_upload(photo).name == "invoicegpj.exe"
