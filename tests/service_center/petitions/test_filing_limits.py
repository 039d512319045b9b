"""The public form's limits on filing: per client address and per e-mail address (issue 11)."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from service_center.petitions.models import Petition
from service_center.petitions.views_public import FILE_LIMIT_PER_ADDRESS, FILE_LIMIT_PER_EMAIL
from tests.service_center.petitions.test_public_pages import form_data

NEW = reverse("service_center:petition_new")
PROXY = "10.0.0.1"
ALICE, BOB = "203.0.113.5", "198.51.100.7"


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


def _file(client, category, n, *, email=None, **headers):
    data = form_data(
        category,
        idempotency_key=f"{n:032x}",
        subject=f"路燈不亮 {n}",
        email=email if email is not None else f"citizen{n}@example.com",
    )
    return client.post(NEW, data, **headers)


def test_the_eleventh_filing_from_one_address_is_refused_and_keeps_what_was_typed(
    client, frozen, category
):
    for n in range(FILE_LIMIT_PER_ADDRESS):
        assert _file(client, category, n).status_code == 200

    refused = _file(client, category, 99, email="late@example.com")

    body = refused.content.decode()
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert Petition.objects.count() == FILE_LIMIT_PER_ADDRESS
    assert "1999" in body and 'id="form-errors"' in body
    assert "陳小華" in body and "late@example.com" in body and "路燈不亮 99" in body
    assert "自由一路 100 號前的路燈三晚不亮。" in body and "0912345678" in body
    assert "高雄市三民區自由一路 100 號" in body


def test_another_address_is_not_affected(client, frozen, category):
    for n in range(FILE_LIMIT_PER_ADDRESS):
        _file(client, category, n, REMOTE_ADDR=ALICE)
    assert _file(client, category, 50, REMOTE_ADDR=ALICE).status_code == 429

    assert _file(client, category, 51, REMOTE_ADDR=BOB).status_code == 200


def test_two_clients_behind_one_proxy_are_counted_separately(client, frozen, category, settings):
    settings.PROXY_COUNT = 1
    for n in range(FILE_LIMIT_PER_ADDRESS):
        _file(client, category, n, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=ALICE)
    alice = _file(client, category, 50, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=ALICE)
    bob = _file(client, category, 51, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=BOB)

    assert alice.status_code == 429
    assert bob.status_code == 200


def test_one_email_address_gets_at_most_five_filings_a_day_from_any_address(
    client, frozen, category, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(FILE_LIMIT_PER_EMAIL):
            address = f"192.0.2.{n}"
            response = _file(client, category, n, email="Victim@Example.com", REMOTE_ADDR=address)
            assert response.status_code == 200
        refused = _file(client, category, 9, email="victim@example.com", REMOTE_ADDR="192.0.2.99")

    assert refused.status_code == 429
    assert Petition.objects.count() == FILE_LIMIT_PER_EMAIL
    assert len(mailoutbox) == FILE_LIMIT_PER_EMAIL
    # Without an e-mail address the same person can still file.
    assert _file(client, category, 10, email="", REMOTE_ADDR="192.0.2.99").status_code == 200


def test_a_surge_multiplier_raises_the_limit(client, frozen, category, settings):
    settings.RATE_LIMIT_MULTIPLIER = 2
    for n in range(FILE_LIMIT_PER_ADDRESS + 1):
        assert _file(client, category, n).status_code == 200


def test_the_same_form_sent_twice_counts_once(client, frozen, category):
    for _ in range(FILE_LIMIT_PER_ADDRESS + 2):
        assert _file(client, category, 1).status_code == 200
    assert Petition.objects.count() == 1


def test_the_1999_desk_is_not_limited(client, frozen, category, desk_user):
    client.force_login(desk_user)
    for n in range(FILE_LIMIT_PER_ADDRESS + 1):
        data = {
            **form_data(category, idempotency_key=f"{n:032x}", subject=f"路樹倒塌 {n}"),
            "channel": "phone_1999",
        }
        assert client.post(reverse("service_center:record"), data).status_code == 200
    assert Petition.objects.count() == FILE_LIMIT_PER_ADDRESS + 1
