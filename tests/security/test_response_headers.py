"""Cache-Control on personal answers, and the X-Request-ID a client may set."""

import pytest
from django.urls import reverse

from rdec_portal.accounts.services import api_token_create
from rdec_portal.workflow.models import Notification


def _no_store(response) -> bool:
    directives = {d.strip().split("=")[0] for d in response.get("Cache-Control", "").split(",")}
    return "no-store" in directives


@pytest.mark.parametrize(
    "url",
    [
        reverse("staff-home"),
        reverse("accounts:profile"),
        reverse("performance:dashboard"),
        reverse("service_center:queue"),
        "/api/v1/accounts/me/",
        "/api/v1/workflow/notifications/",
    ],
)
def test_every_answer_to_a_logged_in_user_is_no_store(client, staff_a, url):
    client.force_login(staff_a)
    response = client.get(url)
    assert response.status_code == 200, url
    assert _no_store(response), (url, response.get("Cache-Control"))


def test_an_api_answer_to_a_token_is_no_store(client, staff_a):
    Notification.objects.create(recipient=staff_a, title="提醒", body="案件即將逾期")
    _token, key = api_token_create(user=staff_a, name="sync")
    response = client.get("/api/v1/workflow/notifications/", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 200
    assert _no_store(response)


def test_an_anonymous_api_answer_is_no_store(client, agency_a):
    response = client.get("/api/v1/accounts/agencies/")
    assert response.status_code == 200
    assert _no_store(response)


def test_an_export_is_no_store(client, staff_a):
    client.force_login(staff_a)
    response = client.get(reverse("service_center:queue_export", args=["csv"]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert _no_store(response)


@pytest.mark.parametrize(
    "url",
    [reverse("home"), reverse("javascript-catalog"), "/open311/v2/services.json"],
)
def test_public_pages_for_anonymous_visitors_keep_their_caching(client, db, url):
    response = client.get(url)
    assert response.status_code == 200
    assert not _no_store(response), (url, response.get("Cache-Control"))


@pytest.mark.parametrize(
    "given",
    [
        "3f2c1a7e-1b7a-4c1e-9a2f-3c9d1e2b4a5f",
        "0af7651916cd43dd8448eb211c80319c",
        "req-01HZX3:7.a_b",
    ],
)
def test_a_short_request_id_from_the_client_is_kept(client, db, given):
    response = client.get(reverse("home"), HTTP_X_REQUEST_ID=given)
    assert response["X-Request-ID"] == given


@pytest.mark.parametrize(
    "given",
    ["a" * 65, "x" * 10_000, "id with spaces", "<script>", "id\r\nSet-Cookie: x=1", "編號", ""],
)
def test_a_long_or_odd_request_id_is_replaced(client, db, given):
    response = client.get(reverse("home"), HTTP_X_REQUEST_ID=given)
    echoed = response["X-Request-ID"]
    assert echoed != given
    assert len(echoed) == 32
    assert all(c in "0123456789abcdef" for c in echoed)
