import re

from django.contrib.staticfiles import finders
from django.core.management import call_command


def test_schema_generates_without_warnings_or_errors(tmp_path):
    target = tmp_path / "schema.yaml"

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))

    text = target.read_text()
    assert text.startswith("openapi: 3.")
    assert "/api/v1/accounts/agencies/{code}/:" in text


def test_schema_is_served_as_openapi_json(api, db):
    response = api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")

    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/accounts/me/" in schema["paths"]
    assert set(schema["components"]["securitySchemes"]) == {"tokenAuth", "cookieAuth"}


def test_me_is_documented_as_one_object_not_a_page(api, db):
    schema = api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()

    ok = schema["paths"]["/api/v1/accounts/me/"]["get"]["responses"]["200"]
    assert ok["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Me"}


def _resource_urls(html: str) -> list[str]:
    """Every URL the browser loads by itself: scripts, stylesheets, icons, images."""
    return re.findall(r"<(?:script|img)[^>]*\bsrc=\"([^\"]*)\"|<link[^>]*\bhref=\"([^\"]*)\"", html)


def test_docs_page_loads_swagger_ui_only_from_our_static_files(client, db):
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


def test_docs_page_has_no_inline_script_and_is_under_the_csp(client, db):
    response = client.get("/api/docs/")

    html = response.content.decode()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    assert " style=" not in html
    assert "script-src 'self'" in response["Content-Security-Policy"]


def test_docs_page_without_javascript_links_to_the_schema(client, db):
    html = client.get("/api/docs/").content.decode()

    assert 'id="api-schema-link" href="/api/schema/"' in html
