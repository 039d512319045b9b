import dataclasses
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from rdec_portal.workflow.models import AuditEntry, Deadline, OutboxMessage
from rdec_portal.workflow.outbox import outbox_process
from service_center.petitions import fast_paths, services, tokens
from service_center.petitions.models import (
    Attachment,
    Channel,
    NotHandledReason,
    Petition,
    PetitionEvent,
    PetitionRequest,
    Status,
)
from service_center.petitions.services import PetitionError
from tests.service_center.conftest import NOW, TAIPEI
from tests.service_center.factories import AssignedPetitionFactory, PetitionFactory
from tests.service_center.images import executable_named_jpg, jpeg_with_gps

FORM = {
    "subject": "路燈不亮",
    "description": "自由一路 100 號前的路燈三晚不亮。",
    "address": "高雄市三民區自由一路 100 號",
    "name": "陳小華",
    "email": "hua@example.com",
    "phone": "0912345678",
    "has_consented": True,
}


def submit(category, **overrides):
    return services.petition_submit(category=category, **{**FORM, **overrides})


def deadline_of(petition):
    return Deadline.objects.get(object_id=str(petition.pk), state=Deadline.State.OPEN)


# --- submission -------------------------------------------------------------------------------


def test_a_web_petition_waits_for_confirmation_and_emails_number_and_secret(
    frozen, category, run_on_commit
):
    result = run_on_commit(submit, category)

    petition = result.petition
    assert result.created and petition.status == Status.RECEIVED
    assert petition.number == "1151126-0001"
    assert petition.channel == Channel.WEB
    assert petition.due_at is None and petition.confirmed_at is None
    assert len(result.secret) == services.SECRET_LENGTH
    assert services.secret_matches(petition, result.secret)
    assert services.secret_matches(petition, result.secret.lower())
    assert not services.secret_matches(petition, "WRONGWRONG")
    assert result.secret not in petition.secret_hash
    assert [e.kind for e in petition.events.all()] == [PetitionEvent.Kind.SUBMITTED]
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    assert mail.outbox[0].to == ["hua@example.com"]
    assert petition.number in body and result.secret in body
    assert tokens.confirmation_token(petition) in body


def test_numbers_run_per_day(frozen, category):
    assert submit(category).petition.number == "1151126-0001"
    assert submit(category).petition.number == "1151126-0002"
    frozen.shift(timedelta(days=1))
    assert submit(category).petition.number == "1151127-0001"


def test_the_ten_thousandth_number_of_a_day_gets_a_fifth_digit(frozen, category):
    from datetime import date

    from service_center.petitions.models import PetitionNumberSequence

    PetitionNumberSequence.objects.create(day=date(2026, 11, 26), last=9998)
    assert submit(category).petition.number == "1151126-9999"
    petition = submit(category).petition
    assert petition.number == "1151126-10000"
    petition.refresh_from_db()  # what was stored, not only what came back
    assert petition.number == "1151126-10000"
    assert [e.kind for e in petition.events.all()] == [PetitionEvent.Kind.SUBMITTED]


def test_a_staff_entered_petition_is_confirmed_at_once_and_keeps_its_channel(
    frozen, category, desk_user, run_on_commit
):
    result = run_on_commit(submit, category, channel=Channel.PHONE_1999, by=desk_user)

    petition = result.petition
    assert petition.status == Status.VERIFIED
    assert petition.channel == Channel.PHONE_1999
    assert petition.confirmed_at == NOW
    assert timezone.localtime(petition.due_at, TAIPEI).date() == date(2026, 12, 4)
    assert petition.created_by == desk_user
    assert AuditEntry.objects.filter(action="create", object_id=str(petition.pk)).exists()
    assert len(mail.outbox) == 1 and result.secret in mail.outbox[0].body


def test_a_dispatch_hazard_runs_on_24_calendar_hours(frozen, dispatch_category, desk_user):
    petition = submit(dispatch_category, channel=Channel.PHONE_1999, by=desk_user).petition
    assert petition.due_at == NOW + timedelta(hours=24)


def test_a_petition_without_name_or_contact_is_accepted_and_flagged(frozen, category):
    petition = submit(category, name="", email="", phone="", has_consented=False).petition
    assert petition.is_anonymous
    assert petition.status == Status.VERIFIED
    named_no_contact = submit(category, email="", phone="").petition
    assert named_no_contact.is_anonymous


def test_the_same_form_twice_files_one_petition(frozen, category):
    first = submit(category, idempotency_key="form-123")
    second = submit(category, idempotency_key="form-123")
    assert second.petition == first.petition
    assert not second.created and second.secret is None
    assert Petition.objects.count() == 1


def test_a_repeated_form_takes_no_number(frozen, category):
    submit(category, idempotency_key="form-1")
    submit(category, idempotency_key="form-1")
    assert submit(category, idempotency_key="form-2").petition.number == "1151126-0002"


def _stored(petition) -> tuple:
    """What a submission wrote, without what differs from one petition to the next."""
    row = Petition.objects.filter(pk=petition.pk).values().get()
    for differs in ("id", "number", "secret_hash", "idempotency_key"):
        row.pop(differs)
    events = list(
        petition.events.values("kind", "is_public", "actor_id", "agency_id", "text", "created_at")
    )
    audit = list(
        AuditEntry.objects.filter(object_id=str(petition.pk), object_repr=petition.number).values(
            "at", "actor_id", "actor_repr", "action", "content_type_id", "changes", "ip_address"
        )
    )
    messages = list(
        OutboxMessage.objects.filter(key__startswith=f"petition:{petition.pk}:").values(
            "handler", "payload", "key", "created_at", "next_attempt_at", "attempts"
        )
    )
    for message in messages:
        assert message["payload"].pop("petition") == petition.pk
        assert message["payload"].pop("key") == message["key"]
        assert message["payload"]["context"].pop("secret")
        message["key"] = message["key"].replace(str(petition.pk), "{pk}")
    return row, events, audit, messages


@pytest.mark.parametrize("email", ["hua@example.com", ""])
@pytest.mark.parametrize("staff", [False, True])
def test_the_one_statement_submission_stores_what_the_step_by_step_one_does(
    frozen, category, desk_user, monkeypatch, email, staff
):
    # On PostgreSQL a petition without files is written by one statement; with files (or on
    # SQLite), step by step. Both must store the same.
    one_statement = connection.vendor == "postgresql"
    request = RequestFactory().post("/", REMOTE_ADDR="203.0.113.9")
    by = {"by": desk_user, "channel": Channel.PHONE_1999, "request": request} if staff else {}
    with CaptureQueriesContext(connection) as queries:
        at_once = submit(category, email=email, idempotency_key="a", **by).petition
    if one_statement:
        # (Reads aside: the working-day calendar, read once and kept.)
        writes = [q["sql"][:9] for q in queries if not q["sql"].startswith("SELECT")]
        assert writes == ["WITH n AS"]
    monkeypatch.setattr(fast_paths, "can_insert_at_once", lambda **kwargs: False)
    in_steps = submit(category, email=email, idempotency_key="b", **by).petition

    assert (at_once.number, in_steps.number) == ("1151126-0001", "1151126-0002")
    stored = _stored(at_once)
    assert stored == _stored(in_steps)
    assert (len(stored[2]), len(stored[3])) == (int(staff), int(bool(email)))
    if staff:
        assert stored[2][0]["ip_address"] == "203.0.113.9"


def test_a_photo_is_stored_without_its_metadata(frozen, category):
    petition = submit(category, files=[jpeg_with_gps()]).petition
    attachment = petition.attachments.get()
    assert attachment.content_type == "image/jpeg"
    assert attachment.file.name.endswith(".jpg")
    assert b"PhoneModel" not in attachment.file.read()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"category": None}, "category"),
        ({"description": "字" * 4001}, "description"),
        ({"subject": "  "}, "subject"),
        ({"has_consented": False}, "has_consented"),
        ({"latitude": Decimal("25.03"), "longitude": Decimal("121.56")}, "latitude"),
        ({"latitude": Decimal("22.6")}, "latitude"),
    ],
    ids=["no-category", "too-long", "no-subject", "no-consent", "outside-kaohsiung", "half-point"],
)
def test_bad_input_saves_nothing(frozen, category, overrides, field):
    kwargs = {"category": category, **FORM, **overrides}
    with pytest.raises(PetitionError) as exc:
        services.petition_submit(**kwargs)
    assert field in exc.value.message_dict
    assert Petition.objects.count() == 0
    assert OutboxMessage.objects.count() == 0


def test_a_bad_file_saves_nothing(frozen, category):
    with pytest.raises(PetitionError) as exc:
        submit(category, files=[jpeg_with_gps(), executable_named_jpg()])
    assert "files" in exc.value.message_dict
    assert Petition.objects.count() == 0
    assert Attachment.objects.count() == 0


def test_a_required_extra_question_is_asked(frozen, category):
    category.questions = [
        {
            "code": "plate",
            "datatype": "string",
            "required": True,
            "order": 1,
            "text_zh": "車牌",
            "text_en": "Plate",
        }
    ]
    category.save()
    with pytest.raises(PetitionError) as exc:
        submit(category)
    assert "q_plate" in exc.value.message_dict
    assert submit(category, answers={"plate": "ABC-1234"}).petition.answers == {"plate": "ABC-1234"}


def test_script_in_the_text_is_stored_as_typed(frozen, category):
    petition = submit(category, subject="<script>alert(1)</script>").petition
    petition.refresh_from_db()
    assert petition.subject == "<script>alert(1)</script>"


# --- confirmation -----------------------------------------------------------------------------


def test_the_link_confirms_once_and_starts_the_clock(frozen, category):
    petition = submit(category).petition
    token = tokens.confirmation_token(petition)
    frozen.shift(timedelta(days=1))

    confirmed = services.petition_confirm(token=token)

    assert confirmed.status == Status.VERIFIED
    assert confirmed.confirmed_at == NOW + timedelta(days=1)
    # Friday 27th + 6 working days = Monday 7 December.
    assert timezone.localtime(confirmed.due_at, TAIPEI).date() == date(2026, 12, 7)
    again = services.petition_confirm(token=token)
    assert again.confirmed_at == confirmed.confirmed_at
    assert petition.events.filter(kind=PetitionEvent.Kind.CONFIRMED).count() == 1


def test_an_expired_link_says_so(frozen, category):
    petition = submit(category).petition
    token = tokens.confirmation_token(petition)
    frozen.shift(timedelta(days=3, seconds=1))
    with pytest.raises(PetitionError) as exc:
        services.petition_confirm(token=token)
    assert exc.value.code == "expired"
    petition.refresh_from_db()
    assert petition.status == Status.RECEIVED


def test_a_link_sent_late_still_expires_three_days_after_the_petition(frozen, category):
    # The link is signed when the email goes out, e.g. a day late after a broker outage.
    petition = submit(category).petition
    frozen.shift(timedelta(days=3, seconds=1))
    with pytest.raises(PetitionError) as exc:
        services.petition_confirm(token=tokens.confirmation_token(petition))
    assert exc.value.code == "expired"


def test_a_tampered_link_is_refused(frozen, category):
    petition = submit(category).petition
    token = tokens.confirmation_token(petition)
    with pytest.raises(PetitionError) as exc:
        services.petition_confirm(token=token[:-2] + "xx")
    assert exc.value.code == "invalid"


# --- triage and handling ----------------------------------------------------------------------


def test_assigning_opens_the_deadline_for_the_lead_agency(
    frozen, category, desk_user, agency_b, staff_a
):
    petition = submit(category, channel=Channel.COUNTER, by=desk_user).petition

    services.petition_assign(
        petition=petition, agency=category.agency, by=desk_user, supporting=[agency_b]
    )

    petition.refresh_from_db()
    assert petition.status == Status.ASSIGNED
    assert petition.lead_agency == category.agency
    assert list(petition.supporting_agencies.all()) == [agency_b]
    deadline = deadline_of(petition)
    assert deadline.kind == services.REPLY_KIND
    assert deadline.due_at == petition.due_at
    assert deadline.responsible_agency == category.agency
    assert AuditEntry.objects.filter(action="transition", object_id=str(petition.pk)).exists()


def test_a_step_from_the_wrong_status_says_why(frozen, category, desk_user):
    petition = submit(category).petition  # still awaiting confirmation
    with pytest.raises(PetitionError) as exc:
        services.petition_assign(petition=petition, agency=category.agency, by=desk_user)
    assert exc.value.code == "bad_status"
    with pytest.raises(PetitionError):
        services.petition_reply(petition=petition, by=desk_user, text="答復")


def test_accept_reply_close_and_the_deadline_is_met(frozen, staff_a, run_on_commit):
    petition = AssignedPetitionFactory(category__agency=staff_a.agency)
    services._deadline_open(petition)

    services.petition_accept(petition=petition, by=staff_a)
    assert deadline_of(petition).assignee == staff_a
    deadline_pk = deadline_of(petition).pk
    run_on_commit(services.petition_reply, petition=petition, by=staff_a, text="已派員修復。")

    petition.refresh_from_db()
    assert petition.status == Status.REPLIED and petition.reply == "已派員修復。"
    assert Deadline.objects.get(pk=deadline_pk).state == Deadline.State.MET
    assert any("已派員修復。" in m.body for m in mail.outbox if m.to == [petition.petitioner_email])
    services.petition_close(petition=petition, by=staff_a)
    petition.refresh_from_db()
    assert petition.status == Status.CLOSED and petition.closed_at == NOW


def test_a_handler_from_another_agency_cannot_take_the_case(frozen, staff_a, staff_b):
    petition = AssignedPetitionFactory(category__agency=staff_a.agency)
    with pytest.raises(PetitionError):
        services.petition_accept(petition=petition, by=staff_a, assignee=staff_b)


def test_reopen_once_within_14_days(frozen, staff_a):
    petition = AssignedPetitionFactory(category__agency=staff_a.agency)
    services.petition_reply(petition=petition, by=staff_a, text="答復")
    frozen.shift(timedelta(days=13))

    services.petition_reopen(petition=petition, reason="路燈仍然不亮")

    petition.refresh_from_db()
    assert petition.status == Status.IN_PROGRESS and petition.reopen_count == 1
    assert deadline_of(petition).due_at == petition.due_at
    services.petition_reply(petition=petition, by=staff_a, text="已更換燈具")
    with pytest.raises(PetitionError) as exc:
        services.petition_reopen(petition=petition, reason="again")
    assert exc.value.code == "reopened_before"


def test_a_case_the_service_centre_answered_can_still_be_reopened(frozen, staff_a, desk_user):
    petition = AssignedPetitionFactory(category__agency=staff_a.agency)
    services.petition_reply(petition=petition, by=desk_user, text="答復")

    services.petition_reopen(petition=petition, reason="路燈仍然不亮")

    petition.refresh_from_db()
    deadline = deadline_of(petition)
    assert petition.reopen_count == 1
    assert deadline.responsible_agency_id == staff_a.agency_id
    assert deadline.assignee_id is None  # the agency's staff are reminded, not the desk


def test_reopen_after_14_days_is_refused(frozen, staff_a):
    petition = AssignedPetitionFactory(category__agency=staff_a.agency)
    services.petition_reply(petition=petition, by=staff_a, text="答復")
    frozen.shift(timedelta(days=14, seconds=1))
    with pytest.raises(PetitionError) as exc:
        services.petition_reopen(petition=petition, reason="仍未改善")
    assert exc.value.code == "too_late"


def test_an_approved_extension_moves_the_date_and_tells_the_petitioner(
    frozen, staff_a, supervisor_a, run_on_commit
):
    petition = AssignedPetitionFactory(category__agency=staff_a.agency)
    services._deadline_open(petition)
    new_due = petition.due_at + timedelta(days=10)

    request = services.petition_extension_request(
        petition=petition, by=staff_a, reason="需會勘現場", new_due_at=new_due
    )
    with pytest.raises(PetitionError):
        services.petition_extension_request(
            petition=petition, by=staff_a, reason="again", new_due_at=new_due
        )
    run_on_commit(
        services.petition_extension_decide, extension=request, by=supervisor_a, approve=True
    )

    petition.refresh_from_db()
    assert petition.due_at == new_due
    assert deadline_of(petition).due_at == new_due
    public = petition.events.filter(kind=PetitionEvent.Kind.EXTENSION_APPROVED, is_public=True)
    assert public.exists()
    assert any("需會勘現場" in m.body for m in mail.outbox)
    with pytest.raises(PetitionError) as exc:
        services.petition_extension_decide(extension=request, by=supervisor_a, approve=False)
    assert exc.value.code == "decided"


def test_an_extension_must_move_the_date_later(frozen, staff_a):
    petition = AssignedPetitionFactory(category__agency=staff_a.agency)
    with pytest.raises(PetitionError):
        services.petition_extension_request(
            petition=petition, by=staff_a, reason="x", new_due_at=petition.due_at
        )


def test_a_declined_extension_changes_nothing_for_the_citizen(frozen, staff_a, supervisor_a):
    petition = AssignedPetitionFactory(category__agency=staff_a.agency)
    due = petition.due_at
    request = services.petition_extension_request(
        petition=petition, by=staff_a, reason="x", new_due_at=due + timedelta(days=3)
    )
    services.petition_extension_decide(extension=request, by=supervisor_a, approve=False)
    petition.refresh_from_db()
    assert petition.due_at == due
    assert not petition.events.filter(is_public=True, kind__startswith="extension").exists()


def test_a_transfer_moves_case_and_deadline_and_tells_the_petitioner(
    frozen, staff_a, agency_b, desk_user, run_on_commit
):
    petition = AssignedPetitionFactory(category__agency=staff_a.agency)
    services._deadline_open(petition)
    request = services.petition_transfer_request(
        petition=petition, by=staff_a, reason="屬水利局權責", agency=agency_b
    )

    run_on_commit(
        services.petition_transfer, petition=petition, agency=agency_b, by=desk_user, reason="權責"
    )

    petition.refresh_from_db()
    request.refresh_from_db()
    assert petition.lead_agency == agency_b and petition.status == Status.ASSIGNED
    assert request.state == PetitionRequest.State.APPROVED
    assert deadline_of(petition).responsible_agency == agency_b
    assert any(agency_b.name_zh in m.body for m in mail.outbox)


def test_not_handled_records_the_legal_reason(frozen, category, desk_user):
    petition = submit(category, name="", email="", phone="", has_consented=False).petition
    services.petition_mark_not_handled(
        petition=petition, reason=NotHandledReason.NO_IDENTITY, by=desk_user
    )
    petition.refresh_from_db()
    assert petition.status == Status.NOT_HANDLED
    assert petition.not_handled_reason == NotHandledReason.NO_IDENTITY
    with pytest.raises(PetitionError):
        services.petition_mark_not_handled(petition=petition, reason="bored", by=desk_user)


def test_merge_a_duplicate_into_the_case_that_answers(frozen, desk_user):
    original = AssignedPetitionFactory()
    duplicate = PetitionFactory()
    services.petition_merge(petition=duplicate, into=original, by=desk_user)
    duplicate.refresh_from_db()
    assert duplicate.status == Status.MERGED and duplicate.merged_into == original
    assert original.events.filter(kind=PetitionEvent.Kind.NOTE).exists()
    with pytest.raises(PetitionError):
        services.petition_merge(petition=original, into=original, by=desk_user)
    with pytest.raises(PetitionError):
        services.petition_merge(petition=PetitionFactory(), into=duplicate, by=desk_user)


# --- reliability ------------------------------------------------------------------------------


def test_the_email_goes_out_once_and_the_secret_leaves_the_outbox(frozen, category, run_on_commit):
    result = run_on_commit(submit, category)
    message = OutboxMessage.objects.get(key=f"petition:{result.petition.pk}:confirmation")

    assert message.processed_at is not None
    assert result.secret not in str(message.payload)
    assert FORM["email"] not in str(message.payload)
    assert outbox_process(message.pk) is False
    assert len(mail.outbox) == 1


def test_with_no_relay_the_citizen_still_gets_a_number_and_the_email_waits(frozen, category):
    # Without after-commit callbacks the relay never runs: as with the broker down.
    result = submit(category)

    assert result.petition.number and result.secret
    message = OutboxMessage.objects.get(key=f"petition:{result.petition.pk}:confirmation")
    assert message.processed_at is None and mail.outbox == []
    # The broker is back: the message is processed once, however often it is handed over.
    outbox_process(message.pk)
    outbox_process(message.pk)
    assert len(mail.outbox) == 1


def test_the_email_is_written_when_sent_in_the_petitions_language(frozen, category):
    # Queued with the step's values only; rendered by the worker, e.g. after a broker outage.
    result = submit(category, language="en")
    message = OutboxMessage.objects.get(key=f"petition:{result.petition.pk}:confirmation")
    assert "body" not in message.payload and result.petition.number not in str(message.payload)
    frozen.shift(timedelta(hours=5))

    outbox_process(message.pk)

    (email,) = mail.outbox
    assert email.to == [FORM["email"]]
    assert email.subject == f"Please confirm your petition {result.petition.number}"
    assert result.secret in email.body
    assert services.petition_confirm(token=_link_token(email.body)) == result.petition


def _link_token(body: str) -> str:
    link = next(line for line in body.splitlines() if "/petitions/confirm/" in line)
    return link.rstrip("/").rsplit("/", 1)[1]


def test_late_emails_tell_what_their_own_step_did(
    frozen, category, desk_user, agency_b, rdec_agency
):
    # Two transfers before the worker runs (a broker outage): each email names its own agency.
    petition = AssignedPetitionFactory(category=category, language="en")
    services.petition_transfer(petition=petition, agency=agency_b, by=desk_user, reason="權責")
    services.petition_transfer(petition=petition, agency=rdec_agency, by=desk_user, reason="權責")

    for message in OutboxMessage.objects.filter(key__contains=":transfer:").order_by("key"):
        outbox_process(message.pk)

    assert ["Water Resources Bureau" in m.body for m in mail.outbox] == [True, False]
    assert ["Research, Development" in m.body for m in mail.outbox] == [False, True]


def test_a_confirmation_held_past_the_links_life_is_not_sent(frozen, category):
    result = submit(category)
    frozen.shift(timedelta(days=4))
    from service_center.petitions.lifecycle import petitions_expire_unconfirmed

    petitions_expire_unconfirmed()
    message = OutboxMessage.objects.get(key=f"petition:{result.petition.pk}:confirmation")

    outbox_process(message.pk)

    # The "expired" email may go; the dead confirmation link does not.
    assert not any("/petitions/confirm/" in m.body for m in mail.outbox)
    message.refresh_from_db()
    assert message.payload == {"key": message.key, "sent": False}


def test_an_email_whose_address_was_removed_before_sending_is_not_sent(frozen, category):
    result = submit(category)
    Petition.objects.filter(pk=result.petition.pk).update(petitioner_email="")
    message = OutboxMessage.objects.get(key=f"petition:{result.petition.pk}:confirmation")

    assert outbox_process(message.pk) is True

    assert mail.outbox == []
    message.refresh_from_db()
    assert message.processed_at is not None
    assert message.payload == {"key": message.key, "sent": False}


def test_an_email_queued_as_text_by_an_earlier_release_still_goes_out(frozen, category):
    from rdec_portal.workflow.outbox import outbox_enqueue
    from service_center.petitions.emails import HANDLER

    payload = {
        "to": ["hua@example.com"],
        "subject": "案件編號",
        "body": "您的案件已受理",
        "key": "old:1",
    }
    message = outbox_enqueue(handler=HANDLER, payload=payload, key="old:1")

    outbox_process(message.pk)

    assert [(m.to, m.subject, m.body) for m in mail.outbox] == [
        (["hua@example.com"], "案件編號", "您的案件已受理")
    ]
    message.refresh_from_db()
    assert message.payload == {"key": "old:1", "sent": True}


def test_due_dates_are_aware_datetimes(frozen, category):
    due = services.due_after(category, NOW)
    assert isinstance(due, datetime) and timezone.is_aware(due)


def test_a_draft_is_one_typed_object_the_service_files(category):
    draft = services.PetitionDraft(category=category, idempotency_key="draft-1", **FORM)
    result = services.petition_submit(draft)
    assert result.created
    assert result.petition.subject == FORM["subject"]
    assert services.petition_submit(draft).petition == result.petition  # the same key
    with pytest.raises(dataclasses.FrozenInstanceError):
        draft.subject = "changed"
    with pytest.raises(TypeError):
        services.petition_submit(draft, subject="both")
