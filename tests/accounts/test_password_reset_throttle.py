"""Password-reset requests are limited per e-mail address and per client, without telling
anyone which accounts exist."""

import datetime

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

RESET = reverse("accounts:password_reset")


@pytest.fixture
def limits(settings):
    settings.PASSWORD_RESET_LIMIT_PER_EMAIL = 3
    settings.PASSWORD_RESET_LIMIT_PER_CLIENT = 8
    settings.PASSWORD_RESET_LIMIT_WINDOW_SECONDS = 3600
    return settings


START = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)
_sent = {"n": 0}


def _request(client, email, capture, address="198.51.100.7"):
    # A few seconds apart: a reset link repeated within the same second is one message anyway.
    _sent["n"] += 1
    when = START + datetime.timedelta(seconds=5 * _sent["n"])
    with time_machine.travel(when, tick=False), capture(execute=True):
        return client.post(RESET, {"email": email}, REMOTE_ADDR=address)


def test_one_mailbox_gets_at_most_the_limit_of_links(
    client, staff_a, limits, django_capture_on_commit_callbacks
):
    answers = [
        _request(client, staff_a.email, django_capture_on_commit_callbacks, f"203.0.113.{n}")
        for n in range(6)
    ]
    assert len(mail.outbox) == 3
    # The page answers the same before and after the limit.
    assert {(a.status_code, a["Location"]) for a in answers} == {
        (302, reverse("accounts:password_reset_done"))
    }


def test_the_mailbox_limit_ignores_the_addresss_case(
    client, staff_a, limits, django_capture_on_commit_callbacks
):
    for n, email in enumerate([staff_a.email, staff_a.email.upper(), staff_a.email.title()] * 2):
        _request(client, email, django_capture_on_commit_callbacks, f"203.0.113.{n}")
    assert len(mail.outbox) == 3


def test_an_unknown_address_over_the_limit_answers_like_a_known_one(
    client, staff_a, limits, django_capture_on_commit_callbacks
):
    known = [
        _request(client, staff_a.email, django_capture_on_commit_callbacks, f"203.0.113.{n}")
        for n in range(5)
    ]
    unknown = [
        _request(client, "nobody@example.org", django_capture_on_commit_callbacks, f"192.0.2.{n}")
        for n in range(5)
    ]
    assert [(a.status_code, a["Location"]) for a in known] == [
        (a.status_code, a["Location"]) for a in unknown
    ]


def test_one_client_is_limited_across_mailboxes(
    client, agency_a, limits, django_capture_on_commit_callbacks
):
    from tests.accounts.factories import UserFactory

    users = [UserFactory(username=f"reset{n}", agency=agency_a) for n in range(10)]
    answers = [_request(client, u.email, django_capture_on_commit_callbacks) for u in users]
    assert [a.status_code for a in answers] == [302] * 8 + [429] * 2
    assert len(mail.outbox) == 8
    assert "請於 60 分鐘後再試" in answers[-1].content.decode()
    # Another client is not affected.
    other = _request(client, users[-1].email, django_capture_on_commit_callbacks, "192.0.2.99")
    assert other.status_code == 302
    assert len(mail.outbox) == 9
