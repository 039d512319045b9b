"""The Content-Security-Policy forbids inline script, and the key pages need none.

Each page is fetched as the user who sees it; its CSP header must not allow inline script or
eval, and its HTML (parsed, not searched with a regular expression) must hold no <script> without
src, no on* event attribute, no javascript: URL, and no inline <style> or style attribute
(style-src is 'self' too). Whether the pages then work in a browser is the browser tests' part.
"""

from datetime import datetime
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from rdec_portal.accounts.roles import Line
from service_center.petitions import services
from tests.service_center.factories import CategoryFactory

NOW = datetime(2026, 11, 26, 10, 0, tzinfo=ZoneInfo("Asia/Taipei"))
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data"}


class InlineCode(HTMLParser):
    """Collects every piece of markup the CSP would block or that would need 'unsafe-inline'."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self._open: str | None = None

    def handle_starttag(self, tag, attrs):
        names = dict(attrs)
        if tag == "script" and not names.get("src"):
            self._open = "script"
        if tag == "style":
            self._open = "style"
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=…>")
            if name == "style":
                self.problems.append(f"<{tag} style=…>")
            if name in URL_ATTRIBUTES and (value or "").strip().lower().startswith("javascript:"):
                self.problems.append(f"<{tag} {name}=javascript:…>")

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._open = None

    def handle_data(self, data):
        if self._open and data.strip():
            self.problems.append(f"inline <{self._open}>: {data.strip()[:60]}")


def inline_code(html: str) -> list[str]:
    parser = InlineCode()
    parser.feed(html)
    parser.close()
    return parser.problems


def directives(header: str) -> dict[str, list[str]]:
    parsed = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            parsed[words[0]] = words[1:]
    return parsed


@pytest.fixture
def world(agency_a, staff_a, rdec_user):
    with time_machine.travel(NOW, tick=False):
        category = CategoryFactory(code="street-light", agency=agency_a)
        desk = rdec_user(Line.SERVICE_CENTER)
        result = services.petition_submit(
            category=category,
            subject="路燈不亮",
            description="自由一路 100 號前的路燈三晚不亮。",
            has_consented=True,
            by=desk,
            channel="phone_1999",
        )
        services.petition_assign(petition=result.petition, agency=agency_a, by=desk)
        yield {"petition": result.petition, "secret": result.secret, "staff": staff_a}


def _pages(world):
    petition = world["petition"]
    return [
        ("public form", None, reverse("service_center:petition_new")),
        ("tracking", None, reverse("service_center:track")),
        ("login", None, reverse("accounts:login")),
        ("API docs", "staff", "/api/docs/"),
        ("staff home", "staff", reverse("staff-home")),
        ("queue", "staff", reverse("service_center:queue")),
        ("case page", "staff", reverse("service_center:case", args=[petition.pk])),
        ("dashboard", "staff", reverse("performance:dashboard")),
    ]


PAGE_NAMES = [
    "public form",
    "tracking",
    "login",
    "API docs",
    "staff home",
    "queue",
    "case page",
    "dashboard",
]


@pytest.mark.parametrize("page", PAGE_NAMES)
def test_the_page_is_under_a_csp_without_inline_script_and_has_none(client, world, page):
    _name, who, url = next(p for p in _pages(world) if p[0] == page)
    if who:
        client.force_login(world[who])

    response = client.get(url)

    assert response.status_code == 200, url
    policy = directives(response["Content-Security-Policy"])
    script_src = policy.get("script-src", policy.get("default-src"))
    assert script_src, policy
    for word in ("'unsafe-inline'", "'unsafe-eval'", "'unsafe-hashes'", "data:", "*"):
        assert word not in script_src, (page, script_src)
    assert "'unsafe-inline'" not in policy.get("style-src", policy["default-src"])
    assert policy.get("object-src") == ["'none'"]
    assert inline_code(response.content.decode()) == [], page


def test_the_tracked_case_page_has_no_inline_code(client, world):
    petition = world["petition"]

    response = client.post(
        reverse("service_center:track"),
        {"number": petition.number, "secret": world["secret"]},
        follow=True,
    )

    assert response.status_code == 200
    assert petition.number in response.content.decode()
    assert inline_code(response.content.decode()) == []


@pytest.mark.parametrize(
    ("html", "found"),
    [
        ("<script>alert(1)</script>", "inline <script>"),
        ('<img src="x" onerror="alert(1)">', "onerror"),
        ('<a href=" JavaScript:alert(1)">x</a>', "javascript:"),
        ('<p style="color:red">x</p>', "style="),
        ("<style>p{}</style>", "inline <style>"),
    ],
)
def test_the_checker_finds_inline_code(html, found):
    assert any(found in problem for problem in inline_code(html))


def test_the_checker_accepts_external_script():
    assert inline_code('<script src="/static/js/portal.js" defer></script>') == []
