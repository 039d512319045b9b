import re

from django.contrib.staticfiles import finders
from django.core.management import call_command


def test_schema_generates_without_warnings_or_errors(tmp_path):
    target = tmp_path / "schema.yaml"

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))

    text = target.read_text()
    assert text.startswith("openapi: 3.")
    assert "/api/v1/accounts/agencies/{code}/:" in text


def test_schema_is_served_as_openapi_json(api, staff_a):
    api.force_authenticate(staff_a)
    response = api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")

    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/accounts/me/" in schema["paths"]
    assert set(schema["components"]["securitySchemes"]) == {"tokenAuth", "cookieAuth"}


def test_me_is_documented_as_one_object_not_a_page(api, staff_a):
    api.force_authenticate(staff_a)
    schema = api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()

    ok = schema["paths"]["/api/v1/accounts/me/"]["get"]["responses"]["200"]
    assert ok["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Me"}


def _resource_urls(html: str) -> list[str]:
    """Every URL the browser loads by itself: scripts, stylesheets, icons, images."""
    return re.findall(r"<(?:script|img)[^>]*\bsrc=\"([^\"]*)\"|<link[^>]*\bhref=\"([^\"]*)\"", html)


def test_docs_page_loads_swagger_ui_only_from_our_static_files(client, staff_a):
    client.force_login(staff_a)
    response = client.get("/api/docs/")

    assert response.status_code == 200
    html = response.content.decode()
    urls = [src or href for src, href in _resource_urls(html)]
    assert urls, "the page loads Swagger UI's script and stylesheet"
    assert all(url.startswith("/static/") for url in urls), urls
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in urls
    assert "/static/api/docs.js" in urls
    for url in urls:
        assert finders.find(url.removeprefix("/static/")) is not None, url


def test_docs_page_has_no_inline_script_and_is_under_the_csp(client, staff_a):
    client.force_login(staff_a)
    response = client.get("/api/docs/")

    html = response.content.decode()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    assert " style=" not in html
    assert "script-src 'self'" in response["Content-Security-Policy"]


def test_docs_page_without_javascript_links_to_the_schema(client, staff_a):
    client.force_login(staff_a)
    html = client.get("/api/docs/").content.decode()

    assert 'id="api-schema-link" href="/api/schema/"' in html


# The staff API is described to staff only (the decision is in docs/operations.md, Security).


def test_schema_needs_a_login(api, db):
    response = api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")

    assert response.status_code == 401
    assert "paths" not in response.json()


def test_schema_is_refused_to_an_account_without_a_role(api, agency_a):
    from tests.accounts.factories import UserFactory

    api.force_authenticate(UserFactory(username="no_role", agency=agency_a))
    response = api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")

    assert response.status_code == 403


def test_schema_is_served_to_a_token(api, staff_a, make_token):
    _token, key = make_token(staff_a)
    response = api.get(
        "/api/schema/",
        HTTP_ACCEPT="application/vnd.oai.openapi+json",
        HTTP_AUTHORIZATION=f"Bearer {key}",
    )

    assert response.status_code == 200


def test_docs_page_sends_anonymous_visitors_to_the_login(client, db):
    response = client.get("/api/docs/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
