"""Five failed logins lock the account and the address for 15 minutes (django-axes)."""

import datetime

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse

from tests.accounts.factories import UserFactory

LOGIN = reverse("accounts:login")
START = datetime.datetime(2025, 4, 2, 1, 0, tzinfo=datetime.UTC)  # 09:00 in Taipei
ADDRESS = "203.0.113.5"


def _login(client, username, password, address=ADDRESS, **headers):
    data = {"username": username, "password": password}
    return client.post(LOGIN, data, REMOTE_ADDR=address, **headers)


def _fail(client, times, username="staff_a", address=ADDRESS, **headers):
    return [
        _login(client, username, "wrong-password-123", address, **headers) for _ in range(times)
    ]


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def test_settings_match_the_policy():
    assert settings.AXES_FAILURE_LIMIT == 5
    cool_off = settings.AXES_COOLOFF_TIME
    assert cool_off == datetime.timedelta(minutes=15)


def test_four_failures_still_allow_the_right_password(client, staff_a, password, clock):
    responses = _fail(client, 4)
    assert [r.status_code for r in responses] == [200] * 4
    assert _login(client, "staff_a", password).status_code == 302


def test_fifth_failure_shows_the_lock_page_with_the_time_to_come_back(client, staff_a, clock):
    *_, fifth = _fail(client, 5, headers={"Accept-Language": "en"})
    body = fifth.content.decode()
    assert fifth.status_code == 429
    assert 'id="locked-out"' in body
    # 09:00 Taipei + 15 minutes.
    assert "09:15" in body
    assert 'datetime="2025-04-02T09:15:00+08:00"' in body
    assert "15 minutes" in body


def test_right_password_is_refused_while_locked_then_works_after_15_minutes(
    client, staff_a, password, clock
):
    _fail(client, 5)
    locked = _login(client, "staff_a", password)
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session

    # The refused attempt restarted the lock: 14 minutes after it, still locked.
    clock.shift(datetime.timedelta(minutes=14))
    assert _login(client, "staff_a", password).status_code == 429

    clock.shift(datetime.timedelta(minutes=15, seconds=1))
    response = _login(client, "staff_a", password)
    assert response.status_code == 302
    assert client.get(reverse("staff-home")).status_code == 200


def test_locked_account_is_refused_from_another_address_too(client, staff_a, password, clock):
    _fail(client, 5)
    assert _login(client, "staff_a", password, address="198.51.100.7").status_code == 429


def test_another_account_from_another_address_can_still_log_in(
    client, staff_a, colleague_a, password, clock
):
    _fail(client, 5)
    response = _login(client, "colleague_a", password, address="198.51.100.7")
    assert response.status_code == 302


def test_the_locked_address_is_refused_for_every_account(
    client, staff_a, colleague_a, password, clock
):
    _fail(client, 5)
    assert _login(client, "colleague_a", password).status_code == 429


def test_guessing_many_usernames_from_one_address_locks_the_address(
    client, agency_a, password, clock
):
    UserFactory(username="target", agency=agency_a, roles=["agency_staff"])
    for name in ["a1", "a2", "a3", "a4", "a5"]:
        _login(client, name, "wrong-password-123")
    assert _login(client, "target", password).status_code == 429
    assert _login(client, "target", password, address="198.51.100.7").status_code == 302


def test_success_resets_the_count(client, staff_a, password, clock):
    _fail(client, 4)
    assert _login(client, "staff_a", password).status_code == 302
    client.logout()
    responses = _fail(client, 4)
    assert [r.status_code for r in responses] == [200] * 4


def test_lock_page_is_a_page_for_the_admin_login_too(client, staff_a, clock):
    admin_login = reverse("admin:login")
    for _ in range(5):
        response = client.post(
            admin_login,
            {"username": "staff_a", "password": "wrong-password-123"},
            REMOTE_ADDR=ADDRESS,
        )
    assert response.status_code == 429
    assert 'id="locked-out"' in response.content.decode()
