"""Headless Chromium against pytest-django's live server.

The browser is Debian's Chromium (`apt-get install chromium`), driven by Playwright's sync API;
Playwright's own browser download is never used. Each person in a test gets a page in their own
browser context (their own cookies), in Traditional Chinese as a Taiwanese browser asks for it.
Screenshots go to var/browser-artifacts/<test>/ at every step the test names and, for every
open page, when the test fails (with the page's HTML and a Playwright trace).
"""

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.cache import cache
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.browser import axe as axe_core

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    # Root in a container has no user namespaces for Chromium's sandbox.
    "--no-sandbox",
    "--disable-gpu",
    # No update checks or other calls home: the tests use no network beyond the live server.
    "--disable-background-networking",
    "--disable-component-update",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "var" / "browser-artifacts"
TIMEOUT_MS = 10_000

_REPORTS = pytest.StashKey[dict]()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    # Keep each phase's report on the test, so a fixture's teardown knows whether it failed.
    report = yield
    item.stash.setdefault(_REPORTS, {})[report.when] = report
    return report


def _failed(request) -> bool:
    reports = request.node.stash.get(_REPORTS, {})
    return any(report.failed for report in reports.values())


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's Chromium (apt-get install chromium).")
    with pytest.MonkeyPatch.context() as patch:
        # Playwright's sync API keeps an asyncio loop running in this thread, and Django refuses
        # ORM calls whenever it sees a running loop. The test's own ORM calls are plain
        # synchronous ones in the main thread, so the guard is lifted only while the browser runs.
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            expect.set_options(timeout=TIMEOUT_MS)
            browser = playwright.chromium.launch(
                executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
            )
            yield browser
            browser.close()


@pytest.fixture
def artifacts(request) -> Path:
    """This test's folder under var/browser-artifacts/, emptied first."""
    folder = ARTIFACTS / re.sub(r"[^\w.-]+", "_", request.node.name)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return folder


@pytest.fixture
def browser_errors() -> list[str]:
    """Console errors and uncaught exceptions of every page of the test, as "who: message".

    A script refused by the Content-Security-Policy or a missing stylesheet shows up here.
    """
    return []


def _console_error(who: str, message, errors: list[str]) -> None:
    # A page answered 400 (a form with errors) logs "Failed to load resource" too; failed
    # stylesheets and scripts are caught by _failed_asset instead.
    if message.type == "error" and not message.text.startswith("Failed to load resource"):
        where = message.location.get("url") or (message.page.url if message.page else "")
        errors.append(f"{who}: {message.text} ({where})")


def _failed_asset(who: str, response, errors: list[str]) -> None:
    if response.request.resource_type != "document" and response.status >= 400:
        errors.append(f"{who}: {response.status} {response.url}")


@pytest.fixture
def new_page(browser, live_server, settings, artifacts, browser_errors, request):
    """Factory: `new_page("citizen")` opens a page in a fresh browser context (its own cookies).

    Links in emails point at the live server. On failure every page is saved as a screenshot,
    its HTML and a Playwright trace (`playwright show-trace <file>`).
    """
    settings.SITE_URL = live_server.url
    # The server thread shares this process's cache: no tracking limit left by another test.
    cache.clear()
    opened: list[tuple[str, Page]] = []

    def make(who: str, **options) -> Page:
        # options go to the browser context, e.g. java_script_enabled=False.
        context = browser.new_context(
            base_url=live_server.url, locale="zh-TW", timezone_id="Asia/Taipei", **options
        )
        context.set_default_timeout(TIMEOUT_MS)
        context.tracing.start(screenshots=True, snapshots=True)
        page = context.new_page()
        page.on("console", lambda message: _console_error(who, message, browser_errors))
        page.on("pageerror", lambda exc: browser_errors.append(f"{who}: {exc}"))
        page.on("response", lambda response: _failed_asset(who, response, browser_errors))
        opened.append((who, page))
        return page

    yield make

    failed = _failed(request)
    for who, page in opened:
        try:
            if failed:
                _save_evidence(page, artifacts, who)
            else:
                page.context.tracing.stop()
        finally:
            page.context.close()


def _save_evidence(page: Page, folder: Path, who: str) -> None:
    page.context.tracing.stop(path=folder / f"trace-{who}.zip")
    page.screenshot(path=folder / f"failure-{who}.png", full_page=True)
    (folder / f"failure-{who}.html").write_text(page.content(), encoding="utf-8")


@pytest.fixture
def snap(artifacts):
    """`snap(page, "form-filled")`: a numbered full-page screenshot of this step."""
    counter = iter(range(1, 1000))

    def take(page: Page, step: str) -> None:
        page.screenshot(path=artifacts / f"{next(counter):02d}-{step}.png", full_page=True)

    return take


@pytest.fixture
def axe(artifacts):
    """`axe(page, "queue")`: axe-core's WCAG 2.1 A/AA check of the page as it is now.

    Fails the test on any serious or critical violation; the full result is saved as
    axe-queue.json beside the screenshots.
    """

    def check(page: Page, step: str, *, allow: frozenset[str] = frozenset()) -> dict:
        return axe_core.check(page, artifacts, step, allow=allow)

    return check
