"""The citizens' pages, with every bad input the issue names."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from service_center.petitions import services, tokens
from service_center.petitions.models import Attachment, Petition, Status
from service_center.petitions.views_public import TRACK_LIMIT_PER_ADDRESS
from tests.service_center.factories import AssignedPetitionFactory
from tests.service_center.images import executable_named_jpg, jpeg_with_gps

NEW = reverse("service_center:petition_new")
TRACK = reverse("service_center:track")


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


def form_data(cat, **overrides):
    data = {
        "idempotency_key": "a" * 32,
        "category": str(cat.pk),
        "subject": "路燈不亮",
        "description": "自由一路 100 號前的路燈三晚不亮。",
        "address": "高雄市三民區自由一路 100 號",
        "name": "陳小華",
        "email": "hua@example.com",
        "phone": "0912345678",
        "has_consented": "on",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_the_form_groups_categories_by_topic_and_carries_a_token(client, category):
    response = client.get(NEW)
    body = response.content.decode()
    assert response.status_code == 200
    assert "<optgroup" in body and category.name_zh in body
    assert 'name="idempotency_key"' in body
    assert "<script>" not in body.split("</head>")[1]


def test_a_citizen_files_a_petition_with_a_photo_and_sees_number_and_secret(
    client, frozen, category, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(NEW, {**form_data(category), "files": [jpeg_with_gps()]})

    assert response.status_code == 200
    petition = Petition.objects.get()
    body = response.content.decode()
    assert petition.number in body
    assert 'id="case-secret"' in body and 'id="confirm-needed"' in body
    assert petition.status == Status.RECEIVED
    assert petition.attachments.count() == 1
    assert len(mail.outbox) == 1 and petition.number in mail.outbox[0].body


def test_the_same_form_twice_files_one_petition_and_shows_the_same_number(client, frozen, category):
    first = client.post(NEW, form_data(category))
    second = client.post(NEW, form_data(category))
    petition = Petition.objects.get()
    assert petition.number in first.content.decode()
    assert petition.number in second.content.decode()
    # The same browser still sees its secret.
    assert 'id="case-secret"' in second.content.decode()


@pytest.mark.parametrize(
    ("overrides", "field_id"),
    [
        ({"category": ""}, "id_category"),
        ({"description": "字" * 4001}, "id_description"),
        ({"latitude": "25.03", "longitude": "121.56"}, "id_latitude"),
    ],
    ids=["no-category", "description-too-long", "outside-kaohsiung"],
)
def test_bad_input_is_explained_and_what_was_typed_is_kept(
    client, frozen, category, overrides, field_id
):
    response = client.post(NEW, form_data(category, **overrides))

    body = response.content.decode()
    assert response.status_code == 400
    assert Petition.objects.count() == 0
    assert 'id="form-errors"' in body
    assert 'aria-invalid="true"' in body and field_id in body
    assert "陳小華" in body and "hua@example.com" in body and "路燈不亮" in body


def test_an_executable_renamed_jpg_is_refused_and_files_must_be_chosen_again(
    client, frozen, category
):
    response = client.post(NEW, {**form_data(category), "files": [executable_named_jpg()]})

    body = response.content.decode()
    assert response.status_code == 400
    assert 'id="files-dropped"' in body
    assert "photo.jpg" in body
    assert Petition.objects.count() == 0 and Attachment.objects.count() == 0
    assert "自由一路 100 號前的路燈三晚不亮。" in body


def test_a_file_over_20_mb_is_refused(client, frozen, category, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    big = SimpleUploadedFile("scan.pdf", b"%PDF-1.4\n" + b"0" * (20 * 1024 * 1024))
    with translation.override("en"):
        response = client.post(
            NEW, {**form_data(category), "files": [big]}, HTTP_ACCEPT_LANGUAGE="en"
        )
    assert response.status_code == 400
    assert Petition.objects.count() == 0


def test_html_and_script_are_shown_as_text(client, frozen, category):
    script = "<script>alert('x')</script><b>bold</b>"
    client.post(NEW, form_data(category, subject=script, email=""))
    petition = Petition.objects.get()
    assert petition.subject == script
    secret = client.get(reverse("service_center:petition_thanks")).context["secret"]
    response = client.post(TRACK, {"number": petition.number, "secret": secret}, follow=True)
    body = response.content.decode()
    assert "<script>alert" not in body and "<b>bold" not in body
    assert "&lt;script&gt;alert" in body


def test_a_dispatch_hazard_needs_a_place(client, frozen, dispatch_category):
    response = client.post(NEW, form_data(dispatch_category, address=""))
    assert response.status_code == 400
    assert Petition.objects.count() == 0


def test_extra_questions_appear_for_the_chosen_category(client, frozen, category):
    category.questions = [
        {
            "code": "lamp_id",
            "datatype": "string",
            "required": True,
            "order": 1,
            "text_zh": "路燈編號",
            "text_en": "Lamp number",
        },
    ]
    category.save()
    response = client.post(NEW, form_data(category))
    assert response.status_code == 400
    assert 'name="q_lamp_id"' in response.content.decode()
    response = client.post(NEW, form_data(category, q_lamp_id="A-123"))
    assert response.status_code == 200
    assert Petition.objects.get().answers == {"lamp_id": "A-123"}


# --- confirmation -----------------------------------------------------------------------------


def _submitted(category):
    return services.petition_submit(
        category=category,
        subject="s",
        description="d",
        email="hua@example.com",
        name="陳小華",
        has_consented=True,
    )


def test_the_link_shows_a_button_and_the_post_confirms(client, frozen, category):
    petition = _submitted(category).petition
    url = reverse("service_center:confirm", args=[tokens.confirmation_token(petition)])

    assert client.get(url).status_code == 200
    petition.refresh_from_db()
    assert petition.status == Status.RECEIVED  # a mail scanner's GET confirms nothing
    response = client.post(url)
    assert response.status_code == 200 and 'id="confirmed"' in response.content.decode()
    petition.refresh_from_db()
    assert petition.status == Status.VERIFIED


def test_an_expired_link_says_it_expired(client, frozen, category):
    petition = _submitted(category).petition
    url = reverse("service_center:confirm", args=[tokens.confirmation_token(petition)])
    frozen.shift(timedelta(days=4))
    with translation.override("en"):
        response = client.post(url, HTTP_ACCEPT_LANGUAGE="en")
    body = response.content.decode()
    assert response.status_code == 400
    assert 'data-code="expired"' in body
    petition.refresh_from_db()
    assert petition.status == Status.RECEIVED


# --- tracking ---------------------------------------------------------------------------------


def test_track_with_number_and_secret_shows_history_due_date_and_reply(
    client, frozen, category, staff_a
):
    result = _submitted(category)
    services.petition_confirm(token=tokens.confirmation_token(result.petition))
    petition = Petition.objects.get()
    services.petition_assign(petition=petition, agency=category.agency, by=staff_a)
    services.petition_add_note(petition=petition, by=staff_a, text="內部備註：請養工處查明")

    response = client.post(TRACK, {"number": petition.number, "secret": result.secret.lower()})
    assert response.status_code == 302
    body = client.get(response["Location"]).content.decode()
    assert 'id="case-due"' in body
    assert "內部備註" not in body
    assert "hua@example.com" not in body and "陳小華" not in body

    services.petition_reply(petition=petition, by=staff_a, text="已修復完成。")
    body = client.get(response["Location"]).content.decode()
    assert 'id="case-reply"' in body and "已修復完成。" in body
    assert 'id="reopen"' in body


def test_a_wrong_secret_and_an_unknown_number_get_the_same_answer(client, frozen, category):
    petition = _submitted(category).petition
    wrong = client.post(TRACK, {"number": petition.number, "secret": "WRONGSECRET"})
    unknown = client.post(TRACK, {"number": "1151126-9999", "secret": "WRONGSECRET"})

    assert wrong.status_code == unknown.status_code == 400
    assert wrong.context["form"].non_field_errors() == unknown.context["form"].non_field_errors()
    assert 'id="track-error"' in wrong.content.decode()


def test_tracking_is_rate_limited(client, frozen, category):
    result = _submitted(category)
    for n in range(TRACK_LIMIT_PER_ADDRESS):
        client.post(TRACK, {"number": f"1151126-{n + 100:04d}", "secret": "WRONG"})
    # Even the right secret is refused while the address is locked out.
    response = client.post(TRACK, {"number": result.petition.number, "secret": result.secret})
    assert response.status_code == 429
    assert 'id="track-error"' in response.content.decode()


def test_guessing_one_number_from_many_addresses_is_limited(client, frozen, category):
    result = _submitted(category)
    for n in range(5):
        client.post(
            TRACK, {"number": result.petition.number, "secret": "WRONG"}, REMOTE_ADDR=f"10.0.0.{n}"
        )
    response = client.post(
        TRACK, {"number": result.petition.number, "secret": result.secret}, REMOTE_ADDR="10.0.0.99"
    )
    assert response.status_code == 429


def test_a_case_page_needs_the_secret_first(client, db, frozen):
    petition = AssignedPetitionFactory()
    response = client.get(reverse("service_center:track_case", args=[petition.number]))
    assert response.status_code == 302 and response["Location"] == TRACK


def test_the_citizen_reopens_once_from_the_tracking_page(client, frozen, category, staff_a):
    result = services.petition_submit(
        category=category, subject="s", description="d", by=staff_a, channel="counter"
    )
    petition = result.petition
    services.petition_assign(petition=petition, agency=category.agency, by=staff_a)
    services.petition_reply(petition=petition, by=staff_a, text="答復")
    client.post(TRACK, {"number": petition.number, "secret": result.secret})
    url = reverse("service_center:track_reopen", args=[petition.number])

    assert client.post(url, {"reason": ""}).status_code == 400
    response = client.post(url, {"reason": "仍未改善"})

    assert response.status_code == 302
    petition.refresh_from_db()
    assert petition.status == Status.IN_PROGRESS and petition.reopen_count == 1
    body = client.get(response["Location"]).content.decode()
    assert 'id="reopen"' not in body


def test_a_submission_reads_the_catalogue_once_and_writes_in_single_statements(
    client, frozen, category
):
    # The submission is the citizen's hot path: each round trip counts (bench/ measures it).
    client.get(NEW)
    with CaptureQueriesContext(connection) as queries:
        response = client.post(NEW, form_data(category))
    assert response.status_code == 200 and Petition.objects.count() == 1
    sql = [q["sql"] for q in queries.captured_queries]

    def count(start, table):
        return sum(1 for s in sql if s.startswith(start) and f'"{table}"' in s.split("WHERE")[0])

    assert count("SELECT", "service_center_category") == 1
    assert count("SELECT", "service_center_petition") == 0  # the repeat check is the unique key
    assert count("SELECT", "workflow_outboxmessage") == 0  # ON CONFLICT DO NOTHING
    assert count("", "service_center_petitionnumbersequence") == 1  # upsert ... RETURNING
    # The next citizen's category comes from this process's copy of the catalogue.
    with CaptureQueriesContext(connection) as queries:
        client.post(NEW, form_data(category, idempotency_key="b" * 32))
    sql = [q["sql"] for q in queries.captured_queries]
    assert Petition.objects.count() == 2
    assert count("SELECT", "service_center_category") == 0


def test_the_catalogue_version_moves_only_when_the_change_commits(
    category, django_capture_on_commit_callbacks
):
    from service_center.petitions import catalogue_cache

    before = catalogue_cache.catalogue_version()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        category.limit_working_days = 2
        category.save()
        # Other processes must not reread (and keep) the old row under a new version...
        assert catalogue_cache.catalogue_version() == before
        # ... while this one already sees its own change.
        assert catalogue_cache.active_category(category.pk).limit_working_days == 2
    for callback in callbacks:
        callback()
    assert catalogue_cache.catalogue_version() != before


def test_a_category_changed_in_the_admin_applies_to_the_next_submission(client, frozen, category):
    client.post(NEW, form_data(category))  # the catalogue is now in memory
    category.limit_working_days = 1
    category.save()
    client.post(NEW, form_data(category, idempotency_key="b" * 32))
    assert Petition.objects.get(idempotency_key="b" * 32).category.limit_working_days == 1
    category.is_active = False
    category.save()
    response = client.post(NEW, form_data(category, idempotency_key="c" * 32, subject="留著"))
    assert response.status_code == 400
    assert "留著" in response.content.decode()  # what was typed is kept
    assert not Petition.objects.filter(idempotency_key="c" * 32).exists()


def test_a_repeated_submission_after_the_first_committed_gives_the_first_number(client, category):
    first = client.post(NEW, form_data(category))
    second = client.post(NEW, form_data(category, subject="改過的主旨"))
    petition = Petition.objects.get()
    assert petition.subject == "路燈不亮"
    assert petition.number in first.content.decode() and petition.number in second.content.decode()


def test_a_citizen_gets_no_server_side_session_and_the_receipt_survives_a_reload(
    client, frozen, category
):
    from django.conf import settings
    from django.contrib.sessions.models import Session

    response = client.post(NEW, form_data(category))
    assert response.status_code == 200
    assert settings.SESSION_COOKIE_NAME not in response.cookies
    assert Session.objects.count() == 0
    cookie = response.cookies["sc_submitted"]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    assert cookie["path"] == "/service-center/petitions/"
    receipt = client.get(reverse("service_center:petition_thanks"))
    petition = Petition.objects.get()
    assert receipt.context["petition"] == petition and receipt.context["secret"]


def test_a_tampered_receipt_cookie_shows_nothing(client, frozen, category):
    client.post(NEW, form_data(category))
    signed = client.cookies["sc_submitted"].value
    client.cookies["sc_submitted"] = signed.replace(signed[-5:], "AAAAA")
    response = client.get(reverse("service_center:petition_thanks"))
    assert response.status_code == 302 and response["Location"] == NEW
