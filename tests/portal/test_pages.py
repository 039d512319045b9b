"""The page shells: landmarks, skip link, language, the staff header and navigation."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages import constants as message_levels
from django.contrib.messages.storage.fallback import FallbackStorage
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.views import defaults

from rdec_portal import plugins, views
from rdec_portal.accounts import roles
from rdec_portal.accounts.roles import Line
from rdec_portal.plugins import PublicEntry
from rdec_portal.views import home
from rdec_portal.workflow.models import Notification
from tests.accounts.factories import UserFactory
from tests.portal.html import elements, find, inside


def assert_accessible_shell(html: str) -> None:
    tags = [tag for tag, _attrs in elements(html)]
    for landmark in ("header", "main", "footer"):
        assert tags.count(landmark) == 1, landmark
    assert find(html, "main", id="main")
    # The skip link is the first link on the page and leads to <main>.
    first_link = next(attrs for tag, attrs in elements(html) if tag == "a")
    assert first_link["href"] == "#main"
    assert "skip-link" in first_link["class"]
    # Every navigation landmark has a name, so a screen reader can tell them apart.
    assert all(attrs.get("aria-label") for attrs in find(html, "nav"))
    # The CSP allows no inline script or style.
    assert all(attrs.get("src") for attrs in find(html, "script"))
    assert not find(html, "style")
    assert not any("style" in attrs for _tag, attrs in elements(html))


def test_public_home_is_an_accessible_page_in_traditional_chinese_by_default(client, db):
    response = client.get(reverse("home"))
    html = response.content.decode()
    assert response.status_code == 200
    assert find(html, "html", lang="zh-Hant-TW")
    assert_accessible_shell(html)
    assert find(html, "a", href=reverse("accounts:login"))


@pytest.fixture
def kept_fragments(settings):
    # The shells' fragments kept in memory as in production, whatever DEBUG says.
    settings.CACHES = {
        **settings.CACHES,
        "fragments": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "t"},
    }


def _public_menu(client, url: str) -> str:
    return inside(client.get(url).content.decode(), "nav", 'class="public-nav"')


def test_public_menu_marks_each_page_in_turn_though_the_header_is_rendered_once(
    client, db, kept_fragments
):
    # The header is kept per language, viewer and current entry: the next page must not get the
    # previous page's mark, nor a page outside the menu any mark.
    track = reverse("service_center:track")
    pages = [
        (reverse("home"), reverse("home")),
        (track, track),
        (reverse("accounts:login"), reverse("accounts:login")),
        (reverse("service_center:legal_public"), reverse("service_center:legal_public")),
        (reverse("service_center:confirm", args=["not-a-token"]), None),
        (reverse("home"), reverse("home")),
    ]
    for url, marked in pages:
        current = find(_public_menu(client, url), "a", **{"aria-current": True})
        assert [a["href"] for a in current] == ([marked] if marked else []), url


def test_public_header_follows_the_language_and_the_viewer(client, staff_a, kept_fragments):
    home_url = reverse("home")
    assert "首頁" in _public_menu(client, home_url)
    client.cookies["django_language"] = "en"
    english = _public_menu(client, home_url)
    assert ">Home<" in english and "首頁" not in english
    assert find(english, "a", href=reverse("accounts:login"))
    client.force_login(staff_a)
    staff_menu = _public_menu(client, home_url)
    assert find(staff_menu, "a", href=reverse("staff-home"))
    assert not find(staff_menu, "a", href=reverse("accounts:login"))


def test_public_pages_show_messages_in_a_status_region(rf, db):
    request = rf.get("/")
    request.user = AnonymousUser()
    request.session = {}
    request._messages = FallbackStorage(request)
    request._messages.add(message_levels.SUCCESS, "Saved.")
    html = home(request).content.decode()
    assert find(html, "div", role="status")
    assert "Saved." in inside(html, "div", 'role="status"')


def test_staff_home_needs_login(client, db):
    response = client.get(reverse("staff-home"))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_staff_home_is_an_accessible_page_with_name_agency_and_roles(client, staff_a):
    client.force_login(staff_a)
    response = client.get(reverse("staff-home"))
    html = response.content.decode()
    assert response.status_code == 200
    assert_accessible_shell(html)
    header = inside(html, "header", 'class="site-header')
    assert staff_a.get_full_name() in header
    assert staff_a.agency.name_zh in header
    assert str(roles.ROLE_LABELS[roles.AGENCY_STAFF]) in header


def test_staff_nav_links_the_six_business_lines_on_every_staff_page(client, staff_a):
    client.force_login(staff_a)
    for url in (reverse("staff-home"), reverse("line-unavailable", args=["planning"])):
        nav = inside(client.get(url).content.decode(), "nav", 'class="lines-nav"')
        for line in Line:
            assert str(line.label) in nav
        links = find(nav, "a")
        assert len(links) == 1 + len(Line)  # the staff home and the six lines


def test_staff_nav_marks_the_current_line(client, staff_a):
    client.force_login(staff_a)
    url = reverse("line-unavailable", args=["planning"])
    nav = inside(client.get(url).content.decode(), "nav", 'class="lines-nav"')
    assert find(nav, "a", href=url, **{"aria-current": "page"})
    assert len(find(nav, "a", **{"aria-current": True})) == 1


def test_staff_nav_marks_each_page_in_turn_though_it_is_rendered_once(
    client, staff_a, kept_fragments
):
    client.force_login(staff_a)
    home = reverse("staff-home")
    planning = reverse("line-unavailable", args=["planning"])
    queue = reverse("service_center:queue")
    service_center = reverse("service_center:home")
    for url, marked in [
        (home, home),
        (planning, planning),
        (queue, service_center),  # a page of the service centre's line
        (reverse("accounts:profile"), None),
        (home, home),
    ]:
        nav = inside(client.get(url).content.decode(), "nav", 'class="lines-nav"')
        current = find(nav, "a", **{"aria-current": True})
        assert [a["href"] for a in current] == ([marked] if marked else []), url


def test_a_line_without_its_app_says_it_is_not_available(client, staff_a):
    client.force_login(staff_a)
    response = client.get(reverse("line-unavailable", args=["research"]))
    html = response.content.decode()
    assert response.status_code == 200
    assert find(html, "p", id="line-unavailable")
    english = client.get(reverse("line-unavailable", args=["research"]), HTTP_ACCEPT_LANGUAGE="en")
    assert "not available yet" in english.content.decode()


def test_staff_home_links_uninstalled_lines_to_the_not_available_page(client, staff_a):
    client.force_login(staff_a)
    html = client.get(reverse("staff-home")).content.decode()
    cards = inside(html, "ul", 'id="business-lines"')
    assert find(cards, "a", href=reverse("line-unavailable", args=["research"]))


def test_an_unknown_line_is_a_404_in_the_staff_shell(client, staff_a):
    client.force_login(staff_a)
    response = client.get("/staff/lines/no-such-line/")
    html = response.content.decode()
    assert response.status_code == 404
    assert find(html, "p", id="error-404")
    assert find(html, "nav", class_="lines-nav")


def test_an_unknown_address_is_a_404_in_the_public_shell(client, db):
    response = client.get("/no-such-page/")
    html = response.content.decode()
    assert response.status_code == 404
    assert find(html, "p", id="error-404")
    assert_accessible_shell(html)
    assert not find(html, "nav", class_="lines-nav")


def test_403_page_is_in_the_shell(db):
    request = RequestFactory().get("/somewhere/")
    request.user = AnonymousUser()
    response = defaults.permission_denied(request, exception=None)
    html = response.content.decode()
    assert response.status_code == 403
    assert find(html, "p", id="error-403")
    assert_accessible_shell(html)


def test_500_page_renders_without_a_request_context(db):
    response = defaults.server_error(RequestFactory().get("/"))
    html = response.content.decode()
    assert response.status_code == 500
    assert find(html, "p", id="error-500")
    assert_accessible_shell(html)


def test_language_switch_works_without_script_and_the_page_follows(client, db):
    html = client.get(reverse("home")).content.decode()
    form = inside(html, "form", 'class="language-switch"')
    assert find(form, "button", type="submit", name="language", value="en")

    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    html = client.get(reverse("home")).content.decode()
    assert find(html, "html", lang="en")
    assert "Skip to main content" in html
    # Back again: the other button now switches to Chinese.
    assert find(html, "button", name="language", value="zh-hant")
    client.post(reverse("set_language"), {"language": "zh-hant", "next": "/"})
    assert find(client.get(reverse("home")).content.decode(), "html", lang="zh-Hant-TW")


def test_logout_is_a_post_button(client, staff_a):
    client.force_login(staff_a)
    html = client.get(reverse("staff-home")).content.decode()
    form = inside(html, "form", f'action="{reverse("accounts:logout")}"')
    assert 'method="post"' in form
    assert find(form, "button", type="submit")
    assert "csrfmiddlewaretoken" in form


def test_admin_link_only_for_accounts_the_admin_lets_in(client, staff_a, administrator):
    admin_url = reverse("admin:index")
    client.force_login(staff_a)
    assert not find(client.get(reverse("staff-home")).content.decode(), "a", href=admin_url)
    client.force_login(administrator)
    assert find(client.get(reverse("staff-home")).content.decode(), "a", href=admin_url)


def test_staff_header_links_api_docs_and_account_pages(client, staff_a):
    client.force_login(staff_a)
    header = inside(client.get(reverse("staff-home")).content.decode(), "header", "site-header")
    assert find(header, "a", href=reverse("api-docs"))
    assert find(header, "a", href=reverse("accounts:profile"))


def test_staff_header_queries_do_not_grow_with_roles(client, agency_a):
    # Roles come from one query whatever their number; the agency and the lines likewise.
    counts = []
    for role_count in (1, 5):
        user = UserFactory(agency=agency_a, roles=list(roles.ALL_ROLES[:role_count]))
        client.force_login(user)
        client.get(reverse("staff-home"))  # warm per-process caches such as content types
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("staff-home")).status_code == 200
        counts.append(len(captured.captured_queries))
    assert counts[0] == counts[1]


def test_healthz_reports_database_and_broker(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["checks"]["database"] == "ok"


def test_public_nav_links_only_the_citizen_pages_that_exist(monkeypatch):
    monkeypatch.setattr(
        plugins,
        "public_entries",
        lambda: [
            PublicEntry("Missing", ["no_such_app:public"]),
            PublicEntry("Fallback", ["no_such_app:public", "home"]),
        ],
    )
    assert views.public_links() == [{"label": "Fallback", "url": reverse("home")}]


def test_staff_header_shows_the_unread_notification_count(client, staff_a, staff_b):
    for n in range(3):
        Notification.objects.create(recipient=staff_a, title=f"Unread {n}")
    Notification.objects.create(recipient=staff_a, title="Read", read_at=timezone.now())
    Notification.objects.create(recipient=staff_b, title="Someone else's")
    client.force_login(staff_a)
    header = inside(client.get(reverse("staff-home")).content.decode(), "header", "site-header")
    link = inside(header, "a", 'class="notifications-link"')
    assert f'href="{reverse("workflow:inbox")}"' in link
    assert "(3)" in link
