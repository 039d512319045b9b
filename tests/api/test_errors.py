"""Every API error, in one JSON shape, in the language of the request."""

import json

import pytest
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import translation
from rest_framework.test import APIRequestFactory
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from rdec_portal.api import PortalExceptionHandler
from rdec_portal.workflow.models import Notification
from tests.accounts.factories import UserFactory
from tests.api.utils import EN, ZH_TW, error_of

AGENCIES = "/api/v1/accounts/agencies/"
MARK_ALL = "/api/v1/workflow/notifications/mark-all-read/"


def test_accept_language_zh_tw_selects_traditional_chinese(api, db):
    response = api.get("/api/v1/no-such-thing/", HTTP_ACCEPT_LANGUAGE=ZH_TW)

    assert response["Content-Language"] == "zh-hant"
    assert error_of(response)["detail"] == "找不到資源。"


def test_without_accept_language_errors_are_in_traditional_chinese(api, db):
    response = api.get("/api/v1/no-such-thing/")

    assert error_of(response)["detail"] == "找不到資源。"


def test_the_language_cookie_wins_over_accept_language(api, db):
    api.cookies["django_language"] = "en"

    response = api.get("/api/v1/no-such-thing/", HTTP_ACCEPT_LANGUAGE=ZH_TW)

    assert error_of(response)["detail"] == "Not found."


@pytest.mark.parametrize(
    ("language", "detail"),
    [
        (EN, "Select a valid choice. ministry is not one of the available choices."),
        (ZH_TW, "請選擇有效的選項, ministry 不是一個可用的選項。"),
    ],
)
def test_400_validation_error(api, db, language, detail):
    response = api.get(AGENCIES, {"kind": "ministry"}, HTTP_ACCEPT_LANGUAGE=language)

    assert response.status_code == 400
    assert response.json() == {
        "type": "validation_error",
        "errors": [{"code": "invalid_choice", "detail": detail, "attr": "kind"}],
    }


@pytest.mark.parametrize(
    ("language", "detail"),
    [(EN, "Not found."), (ZH_TW, "找不到資源。")],
)
@pytest.mark.parametrize(
    "url",
    ["/api/v1/nothing-here/", "/api/v1/accounts/agencies/NOPE/", "/api/whatever", "/api/"],
)
def test_404_is_json_for_any_url_under_api(api, db, url, language, detail):
    response = api.get(url, HTTP_ACCEPT_LANGUAGE=language)

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "type": "client_error",
        "errors": [{"code": "not_found", "detail": detail, "attr": None}],
    }


def test_404_is_json_for_writes_too(api, db):
    response = api.delete("/api/v1/nothing-here/")

    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"


def test_a_missing_trailing_slash_still_redirects(api, db):
    response = api.get("/api/v1/accounts/agencies", {"kind": "bureau"})

    assert response.status_code == 301
    assert response["Location"] == "/api/v1/accounts/agencies/?kind=bureau"


def test_pages_outside_the_api_keep_the_html_404(client, db):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert not response["Content-Type"].startswith("application/json")


@pytest.mark.parametrize(
    ("language", "detail"),
    [(EN, 'Method "POST" not allowed.'), (ZH_TW, '不被允許的方法 "POST"。')],
)
def test_405_method_not_allowed(api, db, language, detail):
    response = api.post(AGENCIES, {}, HTTP_ACCEPT_LANGUAGE=language)

    assert response.status_code == 405
    assert response.json() == {
        "type": "client_error",
        "errors": [{"code": "method_not_allowed", "detail": detail, "attr": None}],
    }


@pytest.mark.parametrize(
    ("language", "detail"),
    [
        (EN, "You do not have permission to perform this action."),
        (ZH_TW, "你沒有執行此操作的權限。"),
    ],
)
def test_403_for_an_account_without_any_role(api, agency_a, language, detail):
    api.force_authenticate(UserFactory(username="no_roles", agency=agency_a))

    response = api.get("/api/v1/workflow/notifications/", HTTP_ACCEPT_LANGUAGE=language)

    assert response.status_code == 403
    assert response.json() == {
        "type": "client_error",
        "errors": [{"code": "permission_denied", "detail": detail, "attr": None}],
    }


def test_401_not_authenticated(api, db):
    response = api.get("/api/v1/accounts/me/", HTTP_ACCEPT_LANGUAGE=EN)

    assert response.status_code == 401
    assert response.json() == {
        "type": "client_error",
        "errors": [
            {
                "code": "not_authenticated",
                "detail": "Authentication credentials were not provided.",
                "attr": None,
            }
        ],
    }


def test_malformed_json_is_a_parse_error_and_changes_nothing(api, staff_a):
    notification = Notification.objects.create(recipient=staff_a, title="A")
    api.force_authenticate(staff_a)

    response = api.post(
        MARK_ALL, '{"all": tru', content_type="application/json", HTTP_ACCEPT_LANGUAGE=EN
    )

    assert response.status_code == 400
    assert response.json() == {
        "type": "client_error",
        "errors": [
            {
                "code": "parse_error",
                "detail": "The request body is not valid JSON (line 1, column 9).",
                "attr": None,
            }
        ],
    }
    notification.refresh_from_db()
    assert notification.read_at is None


def test_a_body_in_another_encoding_is_a_parse_error(api, staff_a):
    api.force_authenticate(staff_a)

    response = api.post(
        MARK_ALL,
        "{}".encode("utf-16"),
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE=EN,
    )

    assert response.status_code == 400
    assert error_of(response)["detail"] == "The request body is not valid JSON."


def test_415_unsupported_media_type_changes_nothing(api, staff_a):
    notification = Notification.objects.create(recipient=staff_a, title="A")
    api.force_authenticate(staff_a)

    response = api.post(MARK_ALL, "all", content_type="text/plain", HTTP_ACCEPT_LANGUAGE=EN)

    assert response.status_code == 415
    assert response.json() == {
        "type": "client_error",
        "errors": [
            {
                "code": "unsupported_media_type",
                "detail": 'Unsupported media type "text/plain" in request.',
                "attr": None,
            }
        ],
    }
    notification.refresh_from_db()
    assert notification.read_at is None


def test_406_not_acceptable(api, db):
    response = api.get(AGENCIES, HTTP_ACCEPT="application/xml")

    assert response.status_code == 406
    assert error_of(response)["code"] == "not_acceptable"


def test_429_throttled(api, db, monkeypatch):
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "1/minute"})
    api.get(AGENCIES)

    response = api.get(AGENCIES, HTTP_ACCEPT_LANGUAGE=EN)

    assert response.status_code == 429
    problem = error_of(response)
    assert problem["code"] == "throttled"
    assert problem["detail"].startswith("Request was throttled. Expected available in ")


@pytest.mark.parametrize(
    ("url", "kwargs"),
    [
        ("/api/v1/accounts/me/", {}),
        ("/api/v1/accounts/me/", {"HTTP_AUTHORIZATION": "Token nope"}),
        (MARK_ALL, {"data": "{", "content_type": "application/json"}),
        (MARK_ALL, {"data": "x", "content_type": "text/plain"}),
    ],
)
def test_errors_without_a_shipped_translation_still_follow_the_request_language(
    api, staff_a, url, kwargs
):
    if url == MARK_ALL:
        api.force_authenticate(staff_a)
    method = api.post if "data" in kwargs else api.get

    english = method(url, HTTP_ACCEPT_LANGUAGE=EN, **kwargs)
    chinese = method(url, HTTP_ACCEPT_LANGUAGE=ZH_TW, **kwargs)

    assert english.status_code == chinese.status_code >= 400
    assert english["Content-Language"] == "en"
    assert chinese["Content-Language"] == "zh-hant"
    assert error_of(english)["code"] == error_of(chinese)["code"]


def _handle(exc):
    request = APIRequestFactory().post("/api/v1/anything/")
    return PortalExceptionHandler(exc, {"view": APIView(), "request": request}).run()


def test_a_services_domain_error_is_a_400_not_a_500():
    with translation.override("en"):
        response = _handle(DjangoValidationError({"name": ["Give the token a name."]}))

    assert response.status_code == 400
    assert response.data == {
        "type": "validation_error",
        "errors": [{"code": "invalid", "detail": "Give the token a name.", "attr": "name"}],
    }


def test_a_domain_error_without_a_field_is_a_non_field_error():
    response = _handle(DjangoValidationError("Already revoked.", code="already_revoked"))

    assert response.status_code == 400
    assert response.data["errors"] == [
        {"code": "already_revoked", "detail": "Already revoked.", "attr": "non_field_errors"}
    ]


def test_an_unexpected_exception_is_a_json_500_without_details():
    response = _handle(RuntimeError("database password is hunter2"))

    assert response.status_code == 500
    assert response.data["type"] == "server_error"
    assert "hunter2" not in json.dumps(response.data)


def test_a_browser_asking_for_html_still_gets_the_json_error(client, db):
    response = client.get("/api/v1/nothing-here/", HTTP_ACCEPT="text/html,*/*;q=0.8")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert error_of(response)["code"] == "not_found"
