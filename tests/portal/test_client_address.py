"""Behind the reverse proxy, each client has its own address: lock-out, rate limits, audit rows."""

import datetime

import pytest
import time_machine
from django.test import RequestFactory
from django.urls import reverse

from rdec_portal.client import client_address, client_ip
from rdec_portal.ratelimit import RateLimit
from rdec_portal.workflow.audit import audit_entry
from service_center.petitions.views_public import TRACK_LIMIT_PER_ADDRESS

PROXY = "10.0.0.1"  # the reverse proxy: REMOTE_ADDR of every request behind it
ALICE, BOB = "203.0.113.5", "198.51.100.7"
LOGIN = reverse("accounts:login")
TRACK = reverse("service_center:track")


def _request(xff=None, remote=PROXY):
    headers = {"REMOTE_ADDR": remote}
    if xff is not None:
        headers["HTTP_X_FORWARDED_FOR"] = xff
    return RequestFactory().get("/", **headers)


@pytest.fixture
def behind_one_proxy(settings):
    settings.PROXY_COUNT = 1


@pytest.fixture
def clock():
    start = datetime.datetime(2026, 12, 8, 1, 0, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False) as traveller:
        yield traveller


@pytest.mark.parametrize(
    ("proxies", "xff", "expected"),
    [
        (0, None, PROXY),
        (0, ALICE, PROXY),  # no proxy configured: the header is the client's and ignored
        (1, ALICE, ALICE),
        (1, f"{BOB}, {ALICE}", ALICE),  # the client wrote BOB; the proxy appended ALICE
        (1, f"not-an-address, {ALICE}", ALICE),
        (1, None, PROXY),
        (2, f"{BOB}, {ALICE}, 10.0.0.2", ALICE),
        (1, "2001:db8::7", "2001:db8::7"),
    ],
)
def test_the_client_is_the_configured_entry_from_the_right(settings, proxies, xff, expected):
    settings.PROXY_COUNT = proxies
    assert client_address(_request(xff)) == expected


def test_no_address_at_all_is_unknown_for_limits_and_none_for_columns(settings):
    request = _request(remote="")
    assert client_address(request) == "unknown"
    assert client_ip(request) is None


@pytest.mark.django_db
def test_the_audit_row_names_the_client_not_the_proxy(behind_one_proxy):
    entry = audit_entry(actor=None, action="view", request=_request(f"{BOB}, {ALICE}"))
    assert entry.ip_address == ALICE


def _login(client, address_chain, username="nobody"):
    data = {"username": username, "password": "wrong-password-123"}
    return client.post(LOGIN, data, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=address_chain)


@pytest.mark.django_db
def test_a_lockout_behind_the_proxy_locks_one_client_not_everyone(
    client, staff_a, password, behind_one_proxy, clock
):
    for n in range(5):
        _login(client, ALICE, username=f"guess{n}")
    # Alice is locked out, also when she prepends a made-up address to the header...
    assert _login(client, f"{BOB}, {ALICE}").status_code == 429
    # ...while Bob, behind the same proxy, still logs in.
    data = {"username": "staff_a", "password": password}
    response = client.post(LOGIN, data, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=BOB)
    assert response.status_code == 302


def _track(client, n, address_chain):
    data = {"number": f"1151126-{n:04d}", "secret": "WRONG"}
    return client.post(TRACK, data, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=address_chain)


@pytest.mark.django_db
def test_a_service_centre_limit_behind_the_proxy_is_per_client(client, behind_one_proxy):
    for n in range(TRACK_LIMIT_PER_ADDRESS):
        assert _track(client, n, ALICE).status_code == 400
    assert _track(client, 100, ALICE).status_code == 429
    # A made-up entry in front of the real one does not escape the limit.
    assert _track(client, 101, f"{BOB}, {ALICE}").status_code == 429
    assert _track(client, 102, f"192.0.2.{1}, {ALICE}").status_code == 429
    # Another client behind the same proxy has their own allowance.
    assert _track(client, 103, BOB).status_code == 400


def test_the_rate_limiter_counts_per_key_and_says_when_to_come_back(clock):
    limit = RateLimit("test.example", limit=2, window=60)
    assert [limit.hit("a").allowed for _ in range(3)] == [True, True, False]
    assert limit.hit("b").allowed
    assert not limit.check("a").allowed
    assert 1 <= limit.hit("a").retry_after <= 60
    clock.shift(61)
    assert limit.check("a").allowed


def test_operations_can_raise_a_limit_without_a_deploy(settings, clock):
    limit = RateLimit("test.surge", limit=1, window=60)
    limit.hit("a")
    assert not limit.check("a").allowed
    settings.RATE_LIMIT_MULTIPLIER = 3
    assert limit.check("a").allowed
    settings.RATE_LIMIT_MULTIPLIER = 1
    settings.RATE_LIMITS = "test.surge=5/60, other=1/1"
    assert limit.check("a").allowed
    assert limit.current() == (5, 60)
