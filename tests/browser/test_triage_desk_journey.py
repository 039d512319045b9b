"""The RDEC service centre's triage desk in a real browser: a 1999 call is recorded on the
citizen's behalf, assigned to the competent agency with a supporting one, and a duplicate web
petition about the same street light is merged into it. The desk, the staff entry form (empty
and with its errors), the receipt and the case pages pass axe's WCAG 2.1 AA rules, and no page
reports a CSP refusal or a script error.
"""

import pytest
from django.core import mail
from playwright.sync_api import expect

from rdec_portal.accounts.roles import Line
from service_center.petitions.models import Channel, Petition, PetitionEvent, Status
from tests.browser.helpers import (
    label,
    log_in,
    name,
    open_service_centre,
    service_centre_link,
    status_message,
    zh,
)
from tests.service_center.factories import CategoryFactory, PetitionFactory

pytestmark = pytest.mark.browser

LIGHT = "路燈故障"
SUBJECT = "建國二路與中山一路口路燈全暗"
DESCRIPTION = "民眾來電：建國二路與中山一路口整排路燈昨晚起全暗，路口車多，擔心發生事故。"
ADDRESS = "高雄市新興區建國二路與中山一路口"
CALLER = "林大明"
DUPLICATE_EMAIL = "neighbour@example.com"


@pytest.fixture
def light(agency_a):
    return CategoryFactory(code="street-light-out", name_zh=LIGHT, agency=agency_a)


@pytest.fixture
def duplicate(light):
    """The same street light, reported on the web by a neighbour an hour earlier."""
    return PetitionFactory(
        number="1151126-0201",
        category=light,
        subject="建國二路路燈不亮",
        address=ADDRESS,
        petitioner_email=DUPLICATE_EMAIL,
    )


def test_desk_records_a_1999_call_assigns_it_with_a_supporting_agency_and_merges_a_duplicate(
    new_page, snap, axe, browser_errors, light, duplicate, agency_a, agency_b, rdec_user, password
):
    desk_user = rdec_user(Line.SERVICE_CENTER)
    desk = new_page("service-centre")
    log_in(desk, desk_user.username, password)
    open_service_centre(desk)

    # The triage desk lists the web petition waiting for an agency.
    service_centre_link(desk, "Triage desk")
    expect(desk.get_by_role("heading", level=1)).to_have_text(name("Triage desk"))
    expect(desk.locator("#triage-table")).to_contain_text(duplicate.number)
    axe(desk, "desk")

    # A caller on the 1999 line: the desk records the petition for them.
    service_centre_link(desk, "Record a petition")
    expect(desk.get_by_role("heading", level=1)).to_have_text(name("Record a petition"))
    main = desk.get_by_role("main")
    channel = main.get_by_label(label("Channel"))
    expect(channel).to_have_value(Channel.PHONE_1999)
    axe(desk, "record-empty")
    main.get_by_role("button", name=name("Save the petition")).click()
    expect(main.get_by_role("alert")).to_be_visible()
    expect(main.get_by_label(label("Subject"))).to_have_attribute("aria-invalid", "true")
    snap(desk, "record-errors")
    axe(desk, "record-errors")

    channel.select_option(label=zh(Channel.PHONE_1999.label))
    main.get_by_label(label("Category")).select_option(label=LIGHT)
    main.get_by_label(label("Subject")).fill(SUBJECT)
    main.get_by_label(label("Description")).fill(DESCRIPTION)
    main.get_by_label(label("Address or place")).fill(ADDRESS)
    main.get_by_label(label("Name")).fill(CALLER)
    main.get_by_label(label("Phone")).fill("0933123456")
    main.get_by_label(
        label("I agree that my personal data is used to handle this petition.")
    ).check()
    snap(desk, "record-filled")
    main.get_by_role("button", name=name("Save the petition")).click()

    expect(desk.get_by_role("heading", level=1)).to_have_text(name("Petition recorded"))
    number = desk.locator("#case-number").inner_text().strip()
    assert desk.locator("#case-secret").inner_text().strip()
    snap(desk, "recorded")
    axe(desk, "recorded")
    recorded = Petition.objects.get(number=number)
    assert (recorded.channel, recorded.status) == (Channel.PHONE_1999, Status.VERIFIED)
    assert recorded.petitioner_name == CALLER and recorded.created_by == desk_user

    # Assign it: the category's agency leads, the Water Resources Bureau supports.
    desk.get_by_role("link", name=name("Open the case to assign it")).click()
    expect(desk.get_by_role("heading", level=1)).to_contain_text(number)
    assign = desk.locator("#action-assign")
    expect(assign.get_by_label(label("Lead agency"))).to_have_value(str(agency_a.pk))
    axe(desk, "case-to-assign")
    assign.get_by_label(label("Supporting agencies")).select_option(label=agency_b.name_zh)
    assign.get_by_label(label("Note to the agency")).fill("請水利局協助確認路口積水是否影響線路。")
    snap(desk, "assign-filled")
    assign.get_by_role("button", name=name("Assign the lead agency")).click()
    expect(status_message(desk)).to_contain_text(zh("The case is assigned."))
    expect(desk.locator("#case-status")).to_have_attribute("data-status", Status.ASSIGNED)
    expect(desk.locator("#case-summary")).to_contain_text(agency_b.name_zh)
    snap(desk, "assigned")

    # The duplicate from the web is merged into the recorded case.
    service_centre_link(desk, "Triage desk")
    expect(desk.locator("#triage-table")).not_to_contain_text(number)
    desk.get_by_role("link", name=duplicate.number, exact=True).click()
    merge = desk.locator("#action-merge")
    merge.get_by_label(label("Merge into case number")).fill(number)
    merge.get_by_label(label("Note")).fill("同一路口路燈，併案處理。")
    snap(desk, "merge-filled")
    merge.get_by_role("button", name=name("Merge into another case")).click()
    expect(status_message(desk)).to_contain_text(zh("The case is merged."))
    expect(desk.locator("#case-status")).to_have_attribute("data-status", Status.MERGED)
    snap(desk, "merged")
    axe(desk, "case-merged")
    desk.locator("#case-summary").get_by_role("link", name=number, exact=True).click()
    expect(desk.get_by_role("heading", level=1)).to_contain_text(number)
    expect(desk.locator("#case-history")).to_contain_text(duplicate.number)
    snap(desk, "answering-case")

    recorded.refresh_from_db()
    duplicate.refresh_from_db()
    assert recorded.lead_agency == agency_a
    assert list(recorded.supporting_agencies.all()) == [agency_b]
    assert (duplicate.status, duplicate.merged_into) == (Status.MERGED, recorded)
    assert duplicate.events.filter(kind=PetitionEvent.Kind.MERGED, is_public=True).exists()
    assert [m.to for m in mail.outbox if number in m.body] == [[DUPLICATE_EMAIL]]
    assert browser_errors == []
