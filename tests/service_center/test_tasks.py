"""The periodic tasks: closing replied cases after the reopen window, expiring unconfirmed web
petitions. Time is frozen and moved by hand; each task is run twice to prove it is idempotent."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import translation

from rdec_portal.workflow.models import AuditEntry
from service_center import tasks
from service_center.petitions import lifecycle, services, tokens
from service_center.petitions.models import Petition, PetitionEvent, Status
from service_center.petitions.services import PetitionError
from tests.service_center.conftest import NOW
from tests.service_center.factories import AssignedPetitionFactory

WINDOW = timedelta(days=14)
LINK_LIFE = timedelta(days=3)


@pytest.fixture
def replied(frozen, staff_a, category):
    """A case of agency A replied to at NOW."""
    petition = AssignedPetitionFactory(category=category)
    return services.petition_reply(petition=petition, by=staff_a, text="已修復。")


def submit(category, *, language="zh-hant", email="citizen@example.com"):
    return services.petition_submit(
        category=category,
        subject="路燈不亮",
        description="巷口路燈不亮。",
        name="陳小華",
        email=email,
        has_consented=True,
        language=language,
    ).petition


# --- closing after the reopen window -----------------------------------------------------------


def test_a_replied_case_closes_once_the_reopen_window_is_over(frozen, replied):
    frozen.move_to(NOW + WINDOW)
    assert tasks.close_replied() == 0
    assert Petition.objects.get(pk=replied.pk).status == Status.REPLIED

    frozen.move_to(NOW + WINDOW + timedelta(seconds=1))
    assert tasks.close_replied() == 1
    petition = Petition.objects.get(pk=replied.pk)
    assert petition.status == Status.CLOSED
    assert petition.closed_at == NOW + WINDOW + timedelta(seconds=1)
    event = petition.events.get(kind=PetitionEvent.Kind.CLOSED)
    assert event.is_public and event.actor is None
    with translation.override("zh-hant"):
        assert event.text == str(lifecycle.AUTO_CLOSE_NOTE)
    audit = AuditEntry.objects.get(
        object_id=str(petition.pk), changes__status=["replied", "closed"]
    )
    assert audit.actor is None


def test_closing_twice_closes_once(frozen, replied):
    frozen.move_to(NOW + WINDOW + timedelta(days=1))
    assert tasks.close_replied() == 1
    assert tasks.close_replied() == 0
    assert replied.events.filter(kind=PetitionEvent.Kind.CLOSED).count() == 1


def test_the_note_is_written_in_the_citizens_language(frozen, staff_a, category):
    petition = AssignedPetitionFactory(category=category, language="en")
    services.petition_reply(petition=petition, by=staff_a, text="Fixed.")
    frozen.move_to(NOW + WINDOW + timedelta(hours=1))
    lifecycle.petitions_close_replied()
    event = petition.events.get(kind=PetitionEvent.Kind.CLOSED)
    assert event.text == (
        "Closed automatically: the case was not reopened within 14 days of the reply."
    )


def test_the_window_and_the_reopen_rule_agree(frozen, replied):
    frozen.move_to(NOW + WINDOW)
    with pytest.raises(PetitionError) as caught:
        lifecycle.petition_auto_close(petition=replied)
    assert caught.value.code == "window_open"
    # At the same moment the citizen may still reopen it.
    services.petition_reopen(petition=replied, reason="路燈仍然不亮")
    frozen.move_to(NOW + WINDOW + timedelta(days=2))
    assert tasks.close_replied() == 0
    assert Petition.objects.get(pk=replied.pk).status == Status.IN_PROGRESS


def test_a_case_replied_again_after_a_reopening_gets_a_new_window(frozen, replied, staff_a):
    frozen.move_to(NOW + timedelta(days=5))
    services.petition_reopen(petition=replied, reason="仍未修復")
    services.petition_reply(petition=replied, by=staff_a, text="已再次修復。")
    frozen.move_to(NOW + WINDOW + timedelta(days=1))
    assert tasks.close_replied() == 0
    frozen.move_to(NOW + timedelta(days=5) + WINDOW + timedelta(minutes=1))
    assert tasks.close_replied() == 1


def test_closing_runs_in_batches_and_skips_what_cannot_close(
    frozen, staff_a, category, monkeypatch
):
    cases = AssignedPetitionFactory.create_batch(5, category=category)
    for petition in cases:
        services.petition_reply(petition=petition, by=staff_a, text="ok")
    stuck = cases[1].pk
    real = lifecycle.petition_auto_close

    def close_unless_stuck(*, petition):
        if petition.pk == stuck:
            raise PetitionError("reopened meanwhile", code="bad_status")
        return real(petition=petition)

    monkeypatch.setattr(lifecycle, "petition_auto_close", close_unless_stuck)
    frozen.move_to(NOW + WINDOW + timedelta(days=1))
    assert lifecycle.petitions_close_replied(batch_size=2) == 4
    statuses = dict(Petition.objects.values_list("pk", "status"))
    assert statuses[stuck] == Status.REPLIED
    assert sorted(statuses.values()).count(Status.CLOSED) == 4


def test_only_replied_cases_close(frozen, category, staff_a):
    still_open = AssignedPetitionFactory(category=category)
    frozen.move_to(NOW + timedelta(days=60))
    assert tasks.close_replied() == 0
    assert Petition.objects.get(pk=still_open.pk).status == Status.ASSIGNED


# --- expiring unconfirmed web petitions ---------------------------------------------------------


def test_an_unconfirmed_petition_expires_after_the_links_life_and_the_sender_is_told(
    frozen, category, run_on_commit
):
    petition = submit(category)
    young = submit(category, email="other@example.com")
    frozen.move_to(NOW + timedelta(days=1))
    Petition.objects.filter(pk=young.pk).update(received_at=NOW + timedelta(days=1))
    mail.outbox.clear()

    frozen.move_to(NOW + LINK_LIFE + timedelta(minutes=1))
    assert run_on_commit(tasks.expire_unconfirmed) == 1
    expired = Petition.objects.get(pk=petition.pk)
    assert expired.status == Status.EXPIRED and expired.closed_at is not None
    assert expired.events.get(kind=PetitionEvent.Kind.EXPIRED).is_public
    assert Petition.objects.get(pk=young.pk).status == Status.RECEIVED
    assert [m.to for m in mail.outbox] == [["citizen@example.com"]]
    assert petition.number in mail.outbox[0].subject
    assert "/service-center/petitions/new/" in mail.outbox[0].body
    assert (
        AuditEntry.objects.get(
            object_id=str(petition.pk), changes__status=["received", "expired"]
        ).actor
        is None
    )

    assert run_on_commit(tasks.expire_unconfirmed) == 0
    assert len(mail.outbox) == 1


def test_the_expiry_email_is_in_the_senders_language(frozen, category, run_on_commit):
    submit(category, language="en")
    mail.outbox.clear()
    frozen.move_to(NOW + LINK_LIFE + timedelta(hours=1))
    run_on_commit(tasks.expire_unconfirmed)
    assert mail.outbox[0].subject.endswith("was not confirmed and has expired")


def test_confirmed_and_staff_entered_petitions_never_expire(frozen, category, desk_user):
    confirmed = submit(category)
    services.petition_confirm(token=tokens.confirmation_token(confirmed))
    recorded = services.petition_submit(
        category=category, subject="s", description="d", channel="phone_1999", by=desk_user
    ).petition
    frozen.move_to(NOW + timedelta(days=30))
    assert tasks.expire_unconfirmed() == 0
    statuses = set(Petition.objects.values_list("status", flat=True))
    assert statuses == {Status.VERIFIED}
    assert recorded.status == Status.VERIFIED


def test_an_expired_petition_cannot_be_confirmed_any_more(frozen, category):
    petition = submit(category)
    frozen.move_to(NOW + LINK_LIFE + timedelta(minutes=1))
    lifecycle.petition_expire(petition=petition)
    # Even a link signed later (a valid signature) does not bring it back.
    with pytest.raises(PetitionError) as caught:
        services.petition_confirm(token=tokens.confirmation_token(petition))
    assert caught.value.code == "expired"
    assert Petition.objects.get(pk=petition.pk).status == Status.EXPIRED


def test_a_petition_whose_link_is_still_valid_does_not_expire(frozen, category):
    petition = submit(category)
    frozen.move_to(NOW + LINK_LIFE)
    with pytest.raises(PetitionError) as caught:
        lifecycle.petition_expire(petition=petition)
    assert caught.value.code == "link_valid"
    with translation.override("en"):
        assert caught.value.messages == [
            "The confirmation link is still valid: a petition expires 3 days after it is sent."
        ]


def test_an_expired_case_cannot_be_merged_into(frozen, category, desk_user):
    expired = submit(category)
    frozen.move_to(NOW + LINK_LIFE + timedelta(minutes=1))
    lifecycle.petition_expire(petition=expired)
    duplicate = AssignedPetitionFactory(category=category)
    with pytest.raises(PetitionError):
        services.petition_merge(petition=duplicate, into=expired, by=desk_user)


# --- scheduling -----------------------------------------------------------------------------------


def test_both_tasks_are_registered_and_scheduled():
    from rdec_portal.celery import app

    scheduled = {entry["task"] for entry in app.conf.beat_schedule.values()}
    names = {"service_center.close_replied", "service_center.expire_unconfirmed"}
    assert names <= scheduled
    assert names <= set(app.tasks)
