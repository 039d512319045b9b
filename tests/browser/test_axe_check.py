"""The accessibility check itself: axe-core runs on a page served under the site's real
Content-Security-Policy, passes the public home page, and fails, naming rule, impact and
element, as soon as the page has a serious violation."""

import json

import pytest
from playwright.sync_api import expect

from tests.browser import axe as axe_core

pytestmark = pytest.mark.browser


def test_axe_runs_under_the_csp_and_fails_on_a_serious_violation(
    new_page, artifacts, snap, browser_errors
):
    page = new_page("citizen")
    response = page.goto("/")
    directives = dict(
        part.strip().split(" ", 1)
        for part in response.headers["content-security-policy"].split(";")
        if part.strip()
    )
    assert directives["script-src"] == "'self'"

    clean = axe_core.check(page, artifacts, "home")
    assert clean["testEngine"]["name"] == "axe-core"
    assert {"wcag2a", "wcag2aa", "wcag21a", "wcag21aa"} == set(
        clean["toolOptions"]["runOnly"]["values"]
    )
    assert any(rule["id"] == "color-contrast" for rule in clean["passes"])
    saved = json.loads((artifacts / "axe-home.json").read_text(encoding="utf-8"))
    assert saved["url"] == page.url

    # An image without a text alternative and a field without a label: both serious or
    # critical in axe. Added as DOM nodes (no script), so the CSP is not involved.
    page.evaluate(
        """() => {
          const main = document.querySelector("main");
          const img = document.createElement("img");
          img.src = "/static/img/logo.svg";
          img.id = "axe-probe-img";
          const input = document.createElement("input");
          input.id = "axe-probe-input";
          main.append(img, input);
        }"""
    )
    expect(page.locator("#axe-probe-input")).to_be_attached()
    with pytest.raises(pytest.fail.Exception) as failed:
        axe_core.check(page, artifacts, "home-broken")
    message = str(failed.value)
    assert "image-alt (critical)" in message and "#axe-probe-img" in message
    assert "label (critical)" in message and "#axe-probe-input" in message
    # An allowed rule id is not failed on; the others still are.
    with pytest.raises(pytest.fail.Exception) as failed:
        axe_core.check(page, artifacts, "home-broken-allowed", allow=frozenset({"image-alt"}))
    assert "image-alt" not in str(failed.value) and "label (critical)" in str(failed.value)
    snap(page, "home")
    # Injecting and running axe raised nothing the page reports (no CSP refusal, no error).
    assert browser_errors == []
