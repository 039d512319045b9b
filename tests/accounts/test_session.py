"""A staff session ends after 30 minutes without a request."""

import datetime

import time_machine
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

START = datetime.datetime(2025, 4, 2, 1, 0, tzinfo=datetime.UTC)
HOME = reverse("staff-home")


def test_session_settings_are_thirty_minutes_idle():
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST is False  # kept alive by the middleware instead
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True


def _login(client, password):
    response = client.post(reverse("accounts:login"), {"username": "staff_a", "password": password})
    assert response.status_code == 302


def test_each_request_keeps_the_session_alive(client, staff_a, password):
    with time_machine.travel(START, tick=False) as clock:
        _login(client, password)
        # Three requests 29 minutes apart: 87 minutes in all, never 30 minutes idle.
        for _ in range(3):
            clock.shift(datetime.timedelta(minutes=29))
            assert client.get(HOME).status_code == 200


def test_thirty_minutes_idle_ends_the_session(client, staff_a, password):
    with time_machine.travel(START, tick=False) as clock:
        _login(client, password)
        clock.shift(datetime.timedelta(minutes=10))
        assert client.get(HOME).status_code == 200
        clock.shift(datetime.timedelta(minutes=30, seconds=1))
        response = client.get(HOME)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_the_session_cookie_is_not_kept_after_the_browser_closes(client, staff_a, password):
    _login(client, password)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["expires"] == ""
    assert cookie["max-age"] == ""
    assert cookie["httponly"]


def test_requests_within_a_minute_do_not_write_the_session(client, staff_a, password):
    with time_machine.travel(START, tick=False) as clock:
        _login(client, password)
        client.get(HOME)
        clock.shift(datetime.timedelta(seconds=30))
        with CaptureQueriesContext(connection) as queries:
            assert client.get(HOME).status_code == 200
        assert not any("UPDATE" in q["sql"] and "django_session" in q["sql"] for q in queries)
        clock.shift(datetime.timedelta(seconds=31))
        with CaptureQueriesContext(connection) as queries:
            assert client.get(HOME).status_code == 200
        assert any("UPDATE" in q["sql"] and "django_session" in q["sql"] for q in queries)


def test_a_visitor_without_a_session_is_not_given_one(client):
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert settings.SESSION_COOKIE_NAME not in response.cookies


def test_the_signed_in_user_comes_with_their_agency_in_one_query(client, staff_a):
    client.force_login(staff_a)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(HOME)
    assert response.status_code == 200
    assert response.wsgi_request.user.agency == staff_a.agency
    user_reads = [q["sql"] for q in queries if 'FROM "accounts_user"' in q["sql"]]
    assert user_reads and 'JOIN "accounts_agency"' in user_reads[0]
    assert not any(
        q["sql"].split("FROM")[1].startswith(' "accounts_agency" WHERE') for q in queries
    )


# However busy, a session ends SESSION_ABSOLUTE_SECONDS after its login -----------------------


def test_a_busy_session_ends_twelve_hours_after_login(client, staff_a, password):
    assert settings.SESSION_ABSOLUTE_SECONDS == 12 * 60 * 60
    with time_machine.travel(START, tick=False) as clock:
        _login(client, password)
        # A request every 20 minutes: never idle, 11 h 40 min in all.
        for _ in range(35):
            clock.shift(datetime.timedelta(minutes=20))
            assert client.get(HOME).status_code == 200
        clock.shift(datetime.timedelta(minutes=20))
        response = client.get(HOME)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    page = client.get(response["Location"]).content.decode()
    assert "每次登入最長維持 12 小時" in page


def test_the_absolute_lifetime_counts_from_the_login_not_the_last_request(
    client, staff_a, password, settings
):
    settings.SESSION_ABSOLUTE_SECONDS = 60 * 60
    with time_machine.travel(START, tick=False) as clock:
        _login(client, password)
        for _ in range(2):
            clock.shift(datetime.timedelta(minutes=29))
            assert client.get(HOME).status_code == 200
        clock.shift(datetime.timedelta(minutes=2))
        assert client.get(HOME).status_code == 302
        # Logging in again starts a new lifetime.
        _login(client, password)
        clock.shift(datetime.timedelta(minutes=20))
        assert client.get(HOME).status_code == 200


def test_a_session_from_before_the_limit_counts_from_its_next_request(
    client, staff_a, password, settings
):
    settings.SESSION_ABSOLUTE_SECONDS = 60 * 60
    with time_machine.travel(START, tick=False) as clock:
        _login(client, password)
        session = client.session
        del session["_logged_in_at"]
        session.save()
        clock.shift(datetime.timedelta(minutes=20))
        assert client.get(HOME).status_code == 200  # the lifetime starts here
        for _ in range(2):
            clock.shift(datetime.timedelta(minutes=29))
            assert client.get(HOME).status_code == 200
        clock.shift(datetime.timedelta(minutes=2))
        assert client.get(HOME).status_code == 302
