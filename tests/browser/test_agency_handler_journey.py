"""The agency handler in a real browser: logs in, filters the work queue, opens a case, asks for
an extension with a reason; a supervisor (their own browser) approves it; the handler sees the
new due date and sends a reply started from a reply template. The login page, the queue and the
case page pass axe's WCAG 2.1 AA rules, and no page reports a CSP refusal or a script error.
"""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone, translation
from playwright.sync_api import expect

from rdec_portal.accounts.forms import LoginForm
from rdec_portal.dates import format_roc_short
from rdec_portal.templatetags.roc import roc_date
from rdec_portal.workflow.calendar import day_end
from service_center.petitions.models import Petition, PetitionRequest, Status
from service_center.replies.models import ReplyTemplate
from tests.browser.helpers import (
    label,
    log_in,
    name,
    open_login,
    open_service_centre,
    service_centre_link,
    status_message,
    zh,
)
from tests.service_center.factories import AssignedPetitionFactory, CategoryFactory

pytestmark = pytest.mark.browser

LIGHT = "路燈故障"
SIDEWALK = "人行道破損"
SUBJECT = "民族一路路燈閃爍"
OTHER_SUBJECT = "中華三路人行道地磚翹起"
TEMPLATE_TITLE = "路燈已修復"
TEMPLATE_BODY = "您好：有關案號 {number}（{category}）的陳情，本局已派員更換燈具，恢復正常照明。"
ADDED = "如仍有問題，歡迎再與本局聯繫。"
REASON = "需向台電申請停電施工，預計兩週後才能更換線路。"


@pytest.fixture
def cases(agency_a, supervisor_a):
    light = CategoryFactory(code="street-light-out", name_zh=LIGHT, agency=agency_a)
    sidewalk = CategoryFactory(code="sidewalk-damaged", name_zh=SIDEWALK, agency=agency_a)
    ReplyTemplate.objects.create(
        agency=agency_a,
        category=light,
        title=TEMPLATE_TITLE,
        body=TEMPLATE_BODY,
        created_by=supervisor_a,
    )
    due = day_end(timezone.localdate() + timedelta(days=8))
    mine = AssignedPetitionFactory(
        number="1151126-0101", category=light, subject=SUBJECT, due_at=due
    )
    other = AssignedPetitionFactory(
        number="1151126-0102", category=sidewalk, subject=OTHER_SUBJECT, due_at=due
    )
    return mine, other


def test_handler_filters_the_queue_gets_an_extension_approved_and_replies_from_a_template(
    new_page, snap, axe, browser_errors, cases, staff_a, supervisor_a, password
):
    case, other = cases
    new_due = timezone.localdate(case.due_at) + timedelta(days=14)

    # The handler logs in.
    handler = new_page("handler")
    open_login(handler)
    axe(handler, "login")
    form = LoginForm()
    main = handler.get_by_role("main")
    main.get_by_label(label(form.fields["username"].label)).fill(staff_a.username)
    main.get_by_label(label(form.fields["password"].label)).fill(password)
    main.get_by_role("button", name=name("Log in")).click()
    open_service_centre(handler)

    # The queue shows both open cases; filtering by category leaves the street light.
    service_centre_link(handler, "Work queue")
    expect(handler.get_by_role("heading", level=1)).to_have_text(name("Work queue"))
    rows = handler.locator("#queue-table tbody tr")
    expect(rows).to_have_count(2)
    axe(handler, "queue")
    filters = handler.get_by_role("form", name=zh("Filter the cases"))
    filters.get_by_label(label("Category")).select_option(label=LIGHT)
    filters.get_by_role("button", name=name("Filter")).click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_have_attribute("data-number", case.number)
    expect(handler.locator("#queue-table")).not_to_contain_text(OTHER_SUBJECT)
    snap(handler, "handler-queue-filtered")

    # The case page; the handler asks for two more weeks, with the reason.
    handler.get_by_role("link", name=case.number, exact=True).click()
    expect(handler.get_by_role("heading", level=1)).to_contain_text(case.number)
    axe(handler, "case")
    extension = handler.locator("#action-extension")
    extension.get_by_label(label("New due date")).fill(format_roc_short(new_due))
    extension.get_by_label(label("Reason (the petitioner is told)")).fill(REASON)
    snap(handler, "handler-extension-asked")
    extension.get_by_role("button", name=name("Ask for an extension")).click()
    expect(status_message(handler)).to_contain_text(
        zh("The extension request is waiting for a supervisor.")
    )
    expect(handler.locator("#pending-requests")).to_contain_text(REASON)
    # Only a supervisor decides: the handler sees the request but no button.
    expect(handler.locator("#pending-requests").get_by_role("button")).to_have_count(0)
    axe(handler, "case-extension-pending")

    # The supervisor, in their own browser, approves it from the case page.
    supervisor = new_page("supervisor")
    log_in(supervisor, supervisor_a.username, password)
    open_service_centre(supervisor)
    service_centre_link(supervisor, "Work queue")
    supervisor.get_by_role("link", name=case.number, exact=True).click()
    pending = supervisor.locator("#pending-requests")
    expect(pending).to_contain_text(REASON)
    pending.get_by_label(label("Note")).fill("同意，請於期限內完成。")
    snap(supervisor, "supervisor-sees-request")
    pending.get_by_role("button", name=name("Approve")).click()
    expect(status_message(supervisor)).to_contain_text(zh("The extension is decided."))
    expect(supervisor.locator("#pending-requests")).to_have_count(0)
    snap(supervisor, "supervisor-approved")

    # The handler sees the new due date on the case page.
    handler.reload()
    with translation.override("zh-hant"):
        shown = roc_date(new_due)
    expect(handler.locator("#case-summary")).to_contain_text(shown)
    expect(handler.locator("#pending-requests")).to_have_count(0)
    snap(handler, "handler-sees-new-due-date")
    case.refresh_from_db()
    assert timezone.localdate(case.due_at) == new_due
    assert case.requests.get().state == PetitionRequest.State.APPROVED

    # The reply starts from the agency's template, is edited, and goes to the citizen.
    reply = handler.locator("#action-reply")
    reply.get_by_label(label("Start from a template")).select_option(label=TEMPLATE_TITLE)
    reply.get_by_role("button", name=name("Use this template")).click()
    text = handler.locator("#action-reply").get_by_label(label("Reply to the citizen"))
    started = TEMPLATE_BODY.format(number=case.number, category=LIGHT)
    expect(text).to_have_value(started)
    expect(handler.locator("#reply-template-used")).to_be_visible()
    axe(handler, "case-reply-from-template")
    text.fill(f"{started}\n{ADDED}")
    snap(handler, "handler-reply-from-template")
    handler.locator("#action-reply").get_by_role(
        "button", name=name("Reply to the citizen")
    ).click()
    expect(status_message(handler)).to_contain_text(zh("The reply is sent to the citizen."))
    expect(handler.locator("#case-status")).to_have_attribute("data-status", Status.REPLIED)
    snap(handler, "handler-replied")

    case.refresh_from_db()
    # The browser sends the textarea's line break as CRLF, as every browser does.
    assert case.reply.splitlines() == [started, ADDED]
    assert Petition.objects.get(pk=other.pk).status == Status.ASSIGNED
    assert any(started in message.body for message in mail.outbox)
    assert browser_errors == []
