"""Dispatch cases: before and after photos, the 24-hour report back, the citizen's confirmation."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone, translation
from PIL import Image

from rdec_portal.workflow.deadlines import open_deadline
from rdec_portal.workflow.models import AuditEntry, Deadline
from service_center.dispatch import selectors as dispatch_selectors
from service_center.dispatch import services as dispatch
from service_center.nearby.models import PetitionFollower
from service_center.petitions import services
from service_center.petitions.models import Attachment, PetitionEvent, Status
from service_center.petitions.services import DISPATCH_KIND, PetitionError
from tests.service_center.factories import AssignedPetitionFactory
from tests.service_center.images import executable_named_jpg, jpeg_with_gps, pdf, png

TRACK = reverse("service_center:track")


@pytest.fixture
def dispatched(frozen, dispatch_category, desk_user, staff_a):
    """A pothole from the 1999 line, assigned to agency A at 10:00 on the frozen day."""
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
    return result


def photos_url(petition):
    return reverse("service_center:case_photos", args=[petition.pk])


def add(petition, role, *files, by):
    return dispatch.dispatch_photos_add(petition=petition, role=role, files=files, by=by)


def track(client, result):
    client.post(TRACK, {"number": result.petition.number, "secret": result.secret})


def report_back(result, staff, text="已派員填補坑洞。"):
    add(result.petition, "after", jpeg_with_gps("after.jpg"), by=staff)
    return services.petition_reply(petition=result.petition, by=staff, text=text)


# --- photos -------------------------------------------------------------------------------------


def test_the_handler_adds_before_photos_stripped_of_location_and_kept_from_the_public(
    client, dispatched, staff_a
):
    client.force_login(staff_a)
    response = client.post(
        photos_url(dispatched.petition), {"role": "before", "files": [jpeg_with_gps()]}
    )

    assert response.status_code == 302
    photo = Attachment.objects.get(petition=dispatched.petition)
    assert (photo.role, photo.is_public, photo.uploaded_by) == ("before", False, staff_a)
    with photo.file.open("rb") as stored, Image.open(stored) as image:
        assert 0x8825 not in image.getexif()  # no GPS
        assert 0x010F not in image.getexif()  # no camera maker
    assert AuditEntry.objects.filter(
        actor=staff_a, object_id=str(dispatched.petition.pk), changes__before_photos=[0, 1]
    ).exists()
    page = client.get(reverse("service_center:case", args=[dispatched.petition.pk]))
    assert 'id="photos-before"' in page.content.decode()


def test_after_photos_are_shown_to_the_citizen(client, dispatched, staff_a):
    photo, *_ = add(dispatched.petition, "after", png("done.png"), by=staff_a)
    assert photo.is_public
    track(client, dispatched)
    page = client.get(reverse("service_center:track_case", args=[dispatched.petition.number]))
    url = reverse("service_center:track_photo", args=[dispatched.petition.number, photo.pk])
    assert f'src="{url}"' in page.content.decode()
    image = client.get(url)
    assert image.status_code == 200 and image["Content-Type"] == "image/png"
    assert b"".join(image.streaming_content).startswith(b"\x89PNG")


@pytest.mark.parametrize(
    ("upload", "name"),
    [(pdf, "letter.pdf"), (executable_named_jpg, "photo.jpg")],
    ids=["a-pdf", "an-executable-named-jpg"],
)
def test_a_file_that_is_not_a_photo_is_refused_and_nothing_is_kept(
    client, dispatched, staff_a, upload, name
):
    client.force_login(staff_a)
    with translation.override("en"):
        response = client.post(
            photos_url(dispatched.petition),
            {"role": "after", "files": [upload(name)]},
            HTTP_ACCEPT_LANGUAGE="en",
        )
    body = response.content.decode()
    assert response.status_code == 400
    assert 'id="photo-errors"' in body and name in body
    assert Attachment.objects.count() == 0


def test_too_many_photos_of_one_kind_are_refused(dispatched, staff_a):
    for _ in range(2):
        add(dispatched.petition, "before", *[png() for _ in range(5)], by=staff_a)
    with pytest.raises(PetitionError) as exc:
        add(dispatched.petition, "before", png(), by=staff_a)
    assert "files" in exc.value.message_dict
    assert dispatched.petition.attachments.filter(role="before").count() == 10


def test_the_database_keeps_before_and_after_to_images(dispatched):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Attachment.objects.create(
            petition=dispatched.petition,
            role="after",
            file="x.pdf",
            original_name="x.pdf",
            content_type="application/pdf",
            size=1,
            sha256="0" * 64,
        )


@pytest.mark.parametrize(
    ("user", "status"),
    [("staff_a", 302), ("colleague_a", 302), ("staff_b", 404), ("mayor_office", 403)],
    ids=["owner", "member", "outsider", "read-only"],
)
def test_who_may_add_photos(client, dispatched, request, user, status):
    client.force_login(request.getfixturevalue(user))
    response = client.post(photos_url(dispatched.petition), {"role": "before", "files": [png()]})
    assert response.status_code == status
    assert Attachment.objects.count() == (1 if status == 302 else 0)


def test_no_photos_on_a_case_that_is_not_a_dispatch_case(client, frozen, staff_a, category):
    petition = AssignedPetitionFactory(category=category)
    client.force_login(staff_a)
    assert (
        client.post(photos_url(petition), {"role": "before", "files": [png()]}).status_code == 404
    )
    with pytest.raises(PetitionError) as exc:
        add(petition, "before", png(), by=staff_a)
    assert exc.value.code == "not_dispatch"


def test_no_before_photos_once_reported_back(dispatched, staff_a):
    report_back(dispatched, staff_a)
    with pytest.raises(PetitionError) as exc:
        add(dispatched.petition, "before", png(), by=staff_a)
    assert exc.value.code == "bad_status"


# --- the 24-hour report back --------------------------------------------------------------------


@pytest.mark.parametrize(("hours", "late"), [(23, "false"), (25, "true")])
def test_the_reply_is_the_report_back_and_meets_the_24_hour_clock(
    client, frozen, dispatched, staff_a, hours, late
):
    petition = dispatched.petition
    deadline = open_deadline(petition, DISPATCH_KIND)
    assert deadline.due_at == petition.confirmed_at + timedelta(hours=24)
    frozen.shift(timedelta(hours=hours))

    report_back(dispatched, staff_a)

    petition.refresh_from_db()
    deadline.refresh_from_db()
    assert petition.replied_at == timezone.now()
    assert (deadline.state, deadline.closed_at) == (Deadline.State.MET, timezone.now())
    client.force_login(staff_a)
    page = client.get(reverse("service_center:case", args=[petition.pk])).content.decode()
    assert f'id="report-back" data-late="{late}"' in page


# --- the citizen's answer -----------------------------------------------------------------------


def test_the_citizen_confirms_the_fix_and_the_case_closes(
    client, dispatched, staff_a, run_on_commit
):
    report_back(dispatched, staff_a)
    PetitionFollower.objects.create(
        petition=dispatched.petition,
        email="n@example.com",
        token_hash="t",
        confirmed_at=timezone.now(),
    )
    track(client, dispatched)
    page = client.get(reverse("service_center:track_case", args=[dispatched.petition.number]))
    body = page.content.decode()
    assert 'id="fix-confirm-form"' in body and 'id="not-fixed-link"' in body
    assert 'id="reopen"' not in body  # "not fixed" is the dispatch case's reopening
    mail.outbox.clear()

    response = run_on_commit(
        client.post, reverse("service_center:track_fixed", args=[dispatched.petition.number])
    )

    assert response.status_code == 302
    petition = dispatched.petition
    petition.refresh_from_db()
    assert petition.status == Status.CLOSED and petition.closed_at == timezone.now()
    closing = petition.events.get(kind=PetitionEvent.Kind.CLOSED)
    assert closing.is_public and closing.actor is None and closing.text
    assert [m.to for m in mail.outbox] == [["n@example.com"]]
    again = client.post(reverse("service_center:track_fixed", args=[petition.number]))
    assert again.status_code == 302
    petition.refresh_from_db()
    assert petition.status == Status.CLOSED


def test_nobody_confirms_a_case_without_its_secret(client, dispatched, staff_a, desk_user):
    report_back(dispatched, staff_a)
    mine = services.petition_submit(
        category=dispatched.petition.category,
        subject="另一個坑洞",
        description="中正路",
        by=desk_user,
        channel="phone_1999",
    )
    track(client, mine)  # this browser holds the secret of another case only

    for name in ("track_fixed", "track_not_fixed"):
        response = client.post(
            reverse(f"service_center:{name}", args=[dispatched.petition.number]),
            {"reason": "沒修好"},
        )
        assert response.status_code == 302 and response["Location"] == TRACK
    photo = dispatched.petition.attachments.get()
    url = reverse("service_center:track_photo", args=[dispatched.petition.number, photo.pk])
    assert client.get(url).status_code == 404
    dispatched.petition.refresh_from_db()
    assert dispatched.petition.status == Status.REPLIED


def test_a_before_photo_or_another_cases_photo_is_never_public(
    client, dispatched, staff_a, desk_user
):
    before, *_ = add(dispatched.petition, "before", png(), by=staff_a)
    other = AssignedPetitionFactory(category=dispatched.petition.category)
    elsewhere, *_ = add(other, "after", png(), by=staff_a)
    track(client, dispatched)
    for photo in (before, elsewhere):
        url = reverse("service_center:track_photo", args=[dispatched.petition.number, photo.pk])
        assert client.get(url).status_code == 404


def test_not_fixed_reopens_once_with_a_new_24_hour_clock(client, frozen, dispatched, staff_a):
    report_back(dispatched, staff_a)
    frozen.shift(timedelta(hours=30))
    track(client, dispatched)
    url = reverse("service_center:track_not_fixed", args=[dispatched.petition.number])
    assert client.get(url).status_code == 200
    assert client.post(url, {"reason": ""}).status_code == 400

    response = client.post(url, {"reason": "坑洞只補了一半，還是很深。"})

    assert response.status_code == 302
    petition = dispatched.petition
    petition.refresh_from_db()
    assert petition.status == Status.IN_PROGRESS and petition.reopen_count == 1
    assert petition.due_at == timezone.now() + timedelta(hours=24)
    assert open_deadline(petition, DISPATCH_KIND).due_at == petition.due_at
    # The new round waits for its own report back.
    assert dispatch_selectors.report_back(petition).reported_at is None

    report_back(dispatched, staff_a, text="已重新鋪設。")
    with translation.override("en"):
        again = client.post(url, {"reason": "還是沒修好"}, HTTP_ACCEPT_LANGUAGE="en")
        assert again.status_code == 400
        assert "already been reopened once" in again.content.decode()
    page = client.get(reverse("service_center:track_case", args=[petition.number]))
    body = page.content.decode()
    assert 'id="not-fixed-link"' not in body and 'id="not-fixed-new"' in body


def test_not_fixed_after_14_days_needs_a_new_petition(frozen, dispatched, staff_a):
    report_back(dispatched, staff_a)
    frozen.shift(timedelta(days=15))
    with pytest.raises(PetitionError) as exc:
        dispatch.dispatch_fix_reject(petition=dispatched.petition, reason="還是壞的")
    assert exc.value.code == "too_late"
    assert not dispatch_selectors.can_say_not_fixed(dispatched.petition, timezone.now())


def test_only_a_reported_back_dispatch_case_is_confirmed(frozen, dispatched, staff_a, category):
    with pytest.raises(PetitionError) as exc:
        dispatch.dispatch_fix_confirm(petition=dispatched.petition)  # not reported back yet
    assert exc.value.code == "bad_status"
    ordinary = AssignedPetitionFactory(category=category)
    services.petition_reply(petition=ordinary, by=staff_a, text="已處理")
    with pytest.raises(PetitionError) as exc:
        dispatch.dispatch_fix_confirm(petition=ordinary)
    assert exc.value.code == "not_dispatch"


def test_the_case_page_query_count_does_not_grow_with_photos(
    client, dispatched, staff_a, django_assert_max_num_queries
):
    client.force_login(staff_a)
    url = reverse("service_center:case", args=[dispatched.petition.pk])
    add(dispatched.petition, "before", png(), by=staff_a)
    client.get(url)
    with django_assert_max_num_queries(60) as one:
        client.get(url)
    add(dispatched.petition, "before", *[png() for _ in range(4)], by=staff_a)
    add(dispatched.petition, "after", *[png() for _ in range(5)], by=staff_a)
    with django_assert_max_num_queries(60) as ten:
        client.get(url)
    assert len(ten.captured_queries) == len(one.captured_queries)
