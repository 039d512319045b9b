from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from rest_framework.test import APIClient

from rdec_portal.accounts.models import ApiToken
from rdec_portal.workflow.models import Notification
from tests.api.utils import EN, error_of

ME = "/api/v1/accounts/me/"
MARK_ALL = "/api/v1/workflow/notifications/mark-all-read/"


@pytest.mark.parametrize("keyword", ["Token", "Bearer", "token", "bearer"])
def test_a_personal_token_authenticates(api, staff_a, make_token, keyword):
    _token, key = make_token(staff_a)

    response = api.get(ME, HTTP_AUTHORIZATION=f"{keyword} {key}")

    assert response.status_code == 200
    assert response.json()["username"] == "staff_a"


def test_a_token_write_needs_no_csrf_token(staff_a, make_token):
    _token, key = make_token(staff_a)
    Notification.objects.create(recipient=staff_a, title="A")
    client = APIClient(enforce_csrf_checks=True)

    response = client.post(MARK_ALL, HTTP_AUTHORIZATION=f"Token {key}")

    assert response.status_code == 200
    assert response.json() == {"marked": 1}


@pytest.mark.parametrize(
    "header",
    [
        "Token not-a-real-key",
        "Bearer not-a-real-key",
        "Token " + "x" * 500,
    ],
)
def test_an_unknown_token_is_a_401_with_one_message(api, db, header):
    response = api.get(ME, HTTP_AUTHORIZATION=header, HTTP_ACCEPT_LANGUAGE=EN)

    assert response.status_code == 401
    assert response.json() == {
        "type": "client_error",
        "errors": [
            {
                "code": "authentication_failed",
                "detail": "Invalid or revoked token.",
                "attr": None,
            }
        ],
    }
    assert response["WWW-Authenticate"] == "Token"


def test_a_revoked_token_is_refused_and_not_touched(api, staff_a, make_token):
    token, key = make_token(staff_a)
    token.revoke()

    response = api.get(ME, HTTP_AUTHORIZATION=f"Token {key}", HTTP_ACCEPT_LANGUAGE=EN)

    assert response.status_code == 401
    assert error_of(response)["detail"] == "Invalid or revoked token."
    token.refresh_from_db()
    assert token.last_used_at is None


def test_the_token_of_a_deactivated_user_is_refused(api, staff_a, make_token):
    _token, key = make_token(staff_a)
    staff_a.is_active = False
    staff_a.save(update_fields=["is_active"])

    response = api.get(ME, HTTP_AUTHORIZATION=f"Token {key}")

    assert response.status_code == 401


def test_a_bad_token_is_refused_even_on_a_public_endpoint(api, db):
    response = api.get("/api/v1/accounts/agencies/", HTTP_AUTHORIZATION="Token wrong")

    assert response.status_code == 401


@pytest.mark.parametrize(
    ("header", "detail"),
    [
        ("Token", "Invalid token header. No credentials provided."),
        ("Token a b", "Invalid token header. Token string should not contain spaces."),
        (
            "Token k\u00e9y".encode().decode("latin-1"),
            "Invalid token header. Token string should not contain invalid characters.",
        ),
    ],
)
def test_a_malformed_authorization_header_says_what_is_wrong(api, db, header, detail):
    response = api.get(ME, HTTP_AUTHORIZATION=header, HTTP_ACCEPT_LANGUAGE=EN)

    assert response.status_code == 401
    assert error_of(response)["detail"] == detail


def test_other_authorization_schemes_are_left_alone(api, db):
    response = api.get(ME, HTTP_AUTHORIZATION="Basic dXNlcjpwYXNz", HTTP_ACCEPT_LANGUAGE=EN)

    assert response.status_code == 401
    assert error_of(response)["code"] == "not_authenticated"


def test_last_used_is_written_at_most_once_a_minute(api, staff_a, make_token):
    token, key = make_token(staff_a)
    start = timezone.now().replace(microsecond=0)

    with time_machine.travel(start, tick=False):
        api.get(ME, HTTP_AUTHORIZATION=f"Token {key}")
    token.refresh_from_db()
    assert token.last_used_at == start

    with time_machine.travel(start + timedelta(seconds=59), tick=False):
        api.get(ME, HTTP_AUTHORIZATION=f"Token {key}")
    token.refresh_from_db()
    assert token.last_used_at == start

    with time_machine.travel(start + timedelta(seconds=61), tick=False):
        api.get(ME, HTTP_AUTHORIZATION=f"Token {key}")
    token.refresh_from_db()
    assert token.last_used_at == start + timedelta(seconds=61)


def test_a_token_request_within_the_minute_writes_nothing(
    api, staff_a, make_token, django_assert_num_queries
):
    token, key = make_token(staff_a)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())

    # The token with its user, the user with the agency, the role names: no UPDATE.
    with django_assert_num_queries(3):
        assert api.get(ME, HTTP_AUTHORIZATION=f"Token {key}").status_code == 200


def test_the_browser_session_authenticates(client, staff_a):
    client.force_login(staff_a)

    response = client.get(ME)

    assert response.status_code == 200
    assert response.json()["username"] == "staff_a"


def test_a_session_write_without_the_csrf_token_is_refused_and_changes_nothing(client, staff_a):
    notification = Notification.objects.create(recipient=staff_a, title="A")
    client.handler.enforce_csrf_checks = True
    client.force_login(staff_a)

    response = client.post(MARK_ALL, HTTP_ACCEPT_LANGUAGE=EN)

    assert response.status_code == 403
    problem = error_of(response)
    assert problem["code"] == "csrf_failed"
    assert "X-CSRFToken" in problem["detail"]
    notification.refresh_from_db()
    assert notification.read_at is None


def test_a_session_write_with_the_csrf_token_works(client, staff_a):
    Notification.objects.create(recipient=staff_a, title="A")
    client.handler.enforce_csrf_checks = True
    client.force_login(staff_a)
    client.get("/api/docs/")  # any page that renders the token sets the cookie
    csrf = client.cookies["csrftoken"].value

    response = client.post(MARK_ALL, HTTP_X_CSRFTOKEN=csrf)

    assert response.status_code == 200
    assert response.json() == {"marked": 1}
