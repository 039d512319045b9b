"""What every browser journey needs: the zh-Hant texts the pages show, and logging in.

Pages are found the way people find things, by role and by label, in Traditional Chinese; the
texts come from the same catalogue the server renders from.
"""

import re

from django.utils import translation
from playwright.sync_api import Page, expect

from rdec_portal.accounts.forms import LoginForm


def zh(msgid) -> str:
    """A UI string as the zh-Hant page shows it, from the catalogue the server renders from."""
    with translation.override("zh-hant"):
        return str(translation.gettext(msgid) if isinstance(msgid, str) else msgid)


def label(msgid) -> re.Pattern:
    """A field's zh-Hant label, with or without the form's label suffix."""
    return re.compile(rf"^\s*{re.escape(zh(msgid))}\s*[:：]?\s*$")


def name(msgid) -> re.Pattern:
    """A heading's or button's zh-Hant text, exactly."""
    return re.compile(rf"^\s*{re.escape(zh(msgid))}\s*$")


def open_login(page: Page) -> None:
    """From the public home page to the staff login form."""
    page.goto("/")
    page.get_by_role("link", name=name("Staff login")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(name("Staff login"))


def log_in(page: Page, username: str, password: str) -> None:
    """Log in from the public home page; the page ends on the staff home."""
    open_login(page)
    main = page.get_by_role("main")
    # Django's own form sets these labels (from the user model), so ask the form for them.
    form = LoginForm()
    main.get_by_label(label(form.fields["username"].label)).fill(username)
    main.get_by_label(label(form.fields["password"].label)).fill(password)
    main.get_by_role("button", name=name("Log in")).click()
    expect(page.locator("#business-lines")).to_be_visible()


def open_service_centre(page: Page) -> None:
    """From the staff home to the citizen service centre's home."""
    page.get_by_role("main").get_by_role("link", name=name("Citizen service centre")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(name("Citizen service centre"))


def service_centre_link(page: Page, link: str) -> None:
    """A link of the service centre's own navigation (work queue, triage desk, ...)."""
    page.get_by_role("navigation", name=zh("Citizen service centre")).get_by_role(
        "link", name=name(link)
    ).click()


def status_message(page: Page):
    """The message the page shows after an action (Django's messages, role status)."""
    return page.get_by_role("status")
