"""The citizen and the agency handler in a real browser, as the issue asks: a citizen files a
petition with a photo and tracks it; the service centre assigns it; an agency handler replies;
the citizen sees the reply and answers the survey.

Pages are found the way people find things: by role and by label (so the labels must exist),
in Traditional Chinese. The texts come from the same catalogue the server renders from.
"""

import re

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from rdec_portal.accounts.roles import Line
from service_center.petitions.files import ALLOWED_DESCRIPTION
from service_center.petitions.models import Petition, Status, SurveyAnswer
from tests.browser import helpers
from tests.browser.helpers import label, name, open_service_centre, zh
from tests.service_center.factories import CategoryFactory
from tests.service_center.images import executable_named_jpg, jpeg_with_gps

pytestmark = pytest.mark.browser

CATEGORY_NAME = "路燈故障"
SUBJECT = "自由一路路燈三晚不亮"
DESCRIPTION = "自由一路 100 號前的路燈從週一晚上起不亮，路口很暗，機車差點撞到行人。"
ADDRESS = "高雄市三民區自由一路 100 號前"
REPLY = "本局已於今日派員更換自由一路 100 號前的路燈燈具，經夜間測試已恢復正常照明。"


@pytest.fixture
def category(agency_a):
    return CategoryFactory(
        code="street-light-out",
        name_zh=CATEGORY_NAME,
        name_en="Street light out",
        agency=agency_a,
        limit_working_days=6,
    )


def photo(file) -> dict:
    """A file for the browser's file picker, made in memory (nothing committed, nothing on disk)."""
    return {"name": file.name, "mimeType": file.content_type, "buffer": file.read()}


def fill_petition(page: Page, *, attachment: dict) -> None:
    main = page.get_by_role("main")
    main.get_by_label(label("Category")).select_option(label=CATEGORY_NAME)
    main.get_by_label(label("Subject")).fill(SUBJECT)
    main.get_by_label(label("Description")).fill(DESCRIPTION)
    main.get_by_label(label("Address or place")).fill(ADDRESS)
    main.get_by_label(label("Photos and files")).set_input_files(attachment)
    main.get_by_label(label("Name")).fill("陳小華")
    main.get_by_label(label("Email")).fill("hua@example.com")
    main.get_by_label(label("Phone")).fill("0912345678")
    main.get_by_label(
        label("I agree that my personal data is used to handle this petition.")
    ).check()


def open_petition_form(page: Page) -> None:
    page.goto("/")
    page.get_by_role("navigation", name=zh("Main menu")).get_by_role(
        "link", name=name("File a petition")
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(name("File a petition"))
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hant-TW")


def track(page: Page, number: str, secret: str) -> None:
    page.get_by_role("navigation", name=zh("Main menu")).get_by_role(
        "link", name=name("Track a petition")
    ).click()
    main = page.get_by_role("main")
    main.get_by_label(label("Case number")).fill(number)
    main.get_by_label(label("Secret")).fill(secret)
    main.get_by_role("button", name=name("Show my case")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(number)


def log_in(page: Page, username: str, password: str) -> None:
    helpers.log_in(page, username, password)
    open_service_centre(page)


def open_case(page: Page, list_link: str, number: str) -> None:
    page.get_by_role("navigation", name=zh("Citizen service centre")).get_by_role(
        "link", name=name(list_link)
    ).click()
    page.get_by_role("link", name=number, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(number)


def test_citizen_files_tracks_and_rates_the_reply_the_agency_sends(
    new_page, snap, axe, browser_errors, category, staff_a, rdec_user, password
):
    desk_user = rdec_user(Line.SERVICE_CENTER)

    # The citizen files a petition with a photo; the empty form and the form with its errors
    # shown pass axe's WCAG 2.1 AA rules.
    citizen = new_page("citizen")
    open_petition_form(citizen)
    axe(citizen, "citizen-empty-form")
    citizen.get_by_role("button", name=name("Send the petition")).click()
    expect(citizen.get_by_role("main").get_by_role("alert").first).to_be_visible()
    expect(citizen.get_by_role("main").get_by_label(label("Subject"))).to_have_attribute(
        "aria-invalid", "true"
    )
    snap(citizen, "citizen-form-errors")
    axe(citizen, "citizen-form-errors")
    fill_petition(citizen, attachment=photo(jpeg_with_gps("street-light.jpg")))
    snap(citizen, "citizen-form-filled")
    citizen.get_by_role("button", name=name("Send the petition")).click()

    expect(citizen.get_by_role("heading", level=1)).to_have_text(
        name("Thank you: your petition is received")
    )
    number = citizen.locator("#case-number").inner_text().strip()
    secret = citizen.locator("#case-secret").inner_text().strip()
    snap(citizen, "citizen-number-and-secret")
    axe(citizen, "citizen-number-and-secret")
    petition = Petition.objects.get(number=number)
    assert petition.status == Status.RECEIVED
    assert petition.attachments.get().original_name == "street-light.jpg"

    # The emailed link confirms it.
    [confirmation] = mail.outbox
    assert confirmation.to == ["hua@example.com"]
    assert number in confirmation.body and secret in confirmation.body
    link = re.search(r"http://\S+/petitions/confirm/\S+/", confirmation.body).group(0)
    citizen.goto(link)
    snap(citizen, "citizen-confirmation-link")
    axe(citizen, "citizen-confirmation-link")
    citizen.get_by_role("button", name=name("Confirm my petition")).click()
    expect(citizen.get_by_role("heading", level=1)).to_have_text(name("Your petition is confirmed"))

    # The citizen tracks it with the number and the secret.
    track(citizen, number, secret)
    expect(citizen.locator("#case-status")).to_have_attribute("data-status", Status.VERIFIED)
    expect(citizen.get_by_role("main")).to_contain_text(SUBJECT)
    snap(citizen, "citizen-tracks-confirmed-case")
    axe(citizen, "citizen-tracking")

    # The service centre gives the case to the category's agency.
    desk = new_page("service-centre")
    log_in(desk, desk_user.username, password)
    open_case(desk, "Triage desk", number)
    assign = desk.locator("#action-assign")
    expect(assign.get_by_label(label("Lead agency"))).to_have_value(str(category.agency_id))
    snap(desk, "desk-case-before-assignment")
    assign.get_by_role("button", name=name("Assign the lead agency")).click()
    expect(desk.get_by_role("status")).to_contain_text(zh("The case is assigned."))
    snap(desk, "desk-case-assigned")

    # The agency handler finds it in the queue, sees the photo and replies.
    handler = new_page("handler")
    log_in(handler, staff_a.username, password)
    open_case(handler, "Work queue", number)
    expect(handler.locator("#case-files")).to_contain_text("street-light.jpg")
    expect(handler.locator("#personal-data")).to_contain_text("陳小華")
    reply = handler.locator("#action-reply")
    reply.get_by_label(label("Reply to the citizen")).fill(REPLY)
    snap(handler, "handler-reply-written")
    reply.get_by_role("button", name=name("Reply to the citizen")).click()
    expect(handler.get_by_role("status")).to_contain_text(zh("The reply is sent to the citizen."))
    expect(handler.locator("#case-status")).to_have_attribute("data-status", Status.REPLIED)
    snap(handler, "handler-replied")
    assert REPLY in mail.outbox[-1].body and mail.outbox[-1].to == ["hua@example.com"]

    # The citizen tracks again, reads the reply and answers both survey questions.
    track(citizen, number, secret)
    expect(citizen.get_by_role("region", name=name("Reply"))).to_contain_text(REPLY)
    survey = citizen.get_by_role("region", name=name("How did we do?"))
    outcome = SurveyAnswer.Score.SATISFIED
    service = SurveyAnswer.Score.VERY_SATISFIED
    survey.get_by_role(
        "group",
        name=label("How satisfied are you with the outcome: what was done about the matter?"),
    ).get_by_label(zh(outcome.label), exact=True).check()
    survey.get_by_role(
        "group", name=label("How satisfied are you with the service: speed, clarity and courtesy?")
    ).get_by_label(zh(service.label), exact=True).check()
    snap(citizen, "citizen-reads-reply-and-answers-survey")
    axe(citizen, "citizen-survey")
    survey.get_by_role("button", name=name("Send my answers")).click()

    expect(citizen.get_by_role("status")).to_have_text(name("Thank you for answering the survey."))
    expect(citizen.get_by_role("region", name=name("How did we do?"))).to_have_count(0)
    snap(citizen, "citizen-thanked")
    answer = SurveyAnswer.objects.get(petition__number=number)
    assert (answer.outcome, answer.service) == (outcome, service)
    assert browser_errors == []


def test_an_executable_named_jpg_is_refused_next_to_the_field_and_the_text_is_kept(
    new_page, snap, browser_errors, category
):
    page = new_page("citizen")
    open_petition_form(page)
    fill_petition(page, attachment=photo(executable_named_jpg("photo.jpg")))
    page.get_by_role("button", name=name("Send the petition")).click()

    main = page.get_by_role("main")
    refused = zh("“%(name)s” is not an accepted file type (%(types)s).") % {
        "name": "photo.jpg",
        "types": ALLOWED_DESCRIPTION,
    }
    files = main.get_by_label(label("Photos and files"))
    # Right above the file picker, and read out with it by a screen reader.
    expect(files.locator("xpath=preceding-sibling::*[1]")).to_have_text(refused)
    expect(files).to_have_accessible_description(re.compile(re.escape(refused)))
    expect(files).to_have_attribute("aria-invalid", "true")
    expect(main.get_by_role("alert")).to_contain_text(
        zh(
            "For your safety, files are not kept when the form has errors: please choose your files again."
        )
    )
    snap(page, "file-refused")
    expect(main.get_by_label(label("Category"))).to_have_value(str(category.pk))
    expect(main.get_by_label(label("Subject"))).to_have_value(SUBJECT)
    expect(main.get_by_label(label("Description"))).to_have_value(DESCRIPTION)
    expect(main.get_by_label(label("Address or place"))).to_have_value(ADDRESS)
    expect(main.get_by_label(label("Email"))).to_have_value("hua@example.com")
    expect(
        main.get_by_label(label("I agree that my personal data is used to handle this petition."))
    ).to_be_checked()
    assert not Petition.objects.exists()
    assert mail.outbox == []
    assert browser_errors == []


def test_without_javascript_a_citizen_still_files_confirms_and_tracks(
    new_page, snap, browser_errors, category
):
    citizen = new_page("citizen-no-js", java_script_enabled=False)
    open_petition_form(citizen)
    # The script that would show "use my current location" never ran.
    expect(citizen.locator("#sc-locate")).to_be_hidden()
    fill_petition(citizen, attachment=photo(jpeg_with_gps("street-light.jpg")))
    snap(citizen, "no-js-form-filled")
    citizen.get_by_role("button", name=name("Send the petition")).click()

    expect(citizen.get_by_role("heading", level=1)).to_have_text(
        name("Thank you: your petition is received")
    )
    number = citizen.locator("#case-number").inner_text().strip()
    secret = citizen.locator("#case-secret").inner_text().strip()
    snap(citizen, "no-js-number-and-secret")
    assert Petition.objects.get(number=number).attachments.get().original_name == (
        "street-light.jpg"
    )

    [confirmation] = mail.outbox
    citizen.goto(re.search(r"http://\S+/petitions/confirm/\S+/", confirmation.body).group(0))
    citizen.get_by_role("button", name=name("Confirm my petition")).click()
    expect(citizen.get_by_role("heading", level=1)).to_have_text(name("Your petition is confirmed"))

    track(citizen, number, secret)
    expect(citizen.locator("#case-status")).to_have_attribute("data-status", Status.VERIFIED)
    expect(citizen.get_by_role("main")).to_contain_text(SUBJECT)
    snap(citizen, "no-js-tracking")
    assert browser_errors == []
