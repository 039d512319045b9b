import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser
from django.core import mail
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from rdec_portal.workflow.models import CalendarOverride, Notification, OutboxMessage
from rdec_portal.workflow.notifications import (
    notification_mark_read,
    notifications_mark_all_read,
    notify,
    unread_count,
    unread_notifications,
)
from tests.accounts.factories import UserFactory

TAIPEI = ZoneInfo("Asia/Taipei")

pytestmark = pytest.mark.django_db

INBOX = reverse("workflow:inbox")
CALENDAR = reverse("workflow:calendar")


# --- the service ------------------------------------------------------------------------------


def test_notify_with_email_queues_one_email_through_the_outbox(
    staff_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        notification = notify(
            recipient=staff_a,
            title="Petition assigned",
            body="Case 1140001",
            url="/service-center/petitions/1/",
            email=True,
        )
    assert notification.read_at is None
    message = OutboxMessage.objects.get(handler="workflow.send_email")
    assert message.key == f"notification:{notification.pk}"
    assert message.payload["to"] == [staff_a.email]
    assert message.payload["subject"] == "Petition assigned"
    assert "Case 1140001" in message.payload["body"]
    assert "http://127.0.0.1:8000/service-center/petitions/1/" in message.payload["body"]
    assert [m.to for m in mail.outbox] == [[staff_a.email]]


def test_a_keyed_notification_reaches_each_recipient_once(staff_a, colleague_a):
    first = notify(recipient=staff_a, title="Reminder", key="deadline:1:due", email=True)
    again = notify(recipient=staff_a, title="Reminder", key="deadline:1:due", email=True)
    other = notify(recipient=colleague_a, title="Reminder", key="deadline:1:due", email=True)
    assert again.pk == first.pk
    assert other.pk != first.pk
    assert Notification.objects.count() == 2
    assert OutboxMessage.objects.filter(handler="workflow.send_email").count() == 2


def test_no_email_without_asking_or_without_an_address(staff_a):
    no_address = UserFactory(username="no_address", email="", agency=staff_a.agency)
    notify(recipient=staff_a, title="In the portal only")
    notify(recipient=no_address, title="Nowhere to send", email=True)
    assert Notification.objects.count() == 2
    assert not OutboxMessage.objects.exists()


def test_a_long_multi_line_title_is_cut_to_one_line_that_fits(staff_a):
    notification = notify(recipient=staff_a, title="Case\n" + "很長" * 200)
    assert "\n" not in notification.title
    assert len(notification.title) == 200
    with pytest.raises(ValueError):
        notify(recipient=staff_a, title="x", url="/" + "a" * 600)


def test_unread_count_and_marking_read(staff_a, colleague_a):
    one = notify(recipient=staff_a, title="one")
    notify(recipient=staff_a, title="two")
    notify(recipient=colleague_a, title="not mine")
    assert unread_count(staff_a) == 2
    read_at = datetime(2025, 3, 3, 9, 0, tzinfo=TAIPEI)
    assert notification_mark_read(notification=one, when=read_at) is True
    assert notification_mark_read(notification=one) is False
    one.refresh_from_db()
    assert one.read_at == read_at
    assert unread_count(staff_a) == 1
    assert notifications_mark_all_read(recipient=staff_a) == 1
    assert unread_count(staff_a) == 0
    assert unread_count(colleague_a) == 1


def test_context_processor_counts_with_one_query_and_none_for_anonymous(
    staff_a, django_assert_num_queries
):
    notify(recipient=staff_a, title="one")
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    with django_assert_num_queries(0):
        assert unread_notifications(request) == {"unread_notifications": 0}
    request.user = staff_a
    with django_assert_num_queries(1):
        assert unread_notifications(request) == {"unread_notifications": 1}


def test_the_unread_count_is_counted_once_then_follows_every_change(
    staff_a, django_assert_num_queries
):
    request = RequestFactory().get("/")
    request.user = staff_a
    first = notify(recipient=staff_a, title="one")
    assert unread_notifications(request) == {"unread_notifications": 1}
    with django_assert_num_queries(0):  # every later page reads it from the cache
        assert unread_notifications(request) == {"unread_notifications": 1}
    notify(recipient=staff_a, title="two")
    assert unread_count(staff_a) == 2
    # Saved or deleted outside the services (the admin, a cascade) counts again too.
    Notification.objects.create(recipient=staff_a, title="from the admin")
    assert unread_count(staff_a) == 3
    first.delete()
    assert unread_count(staff_a) == 2


# --- the inbox pages --------------------------------------------------------------------------


def test_inbox_needs_a_login(client):
    response = client.get(INBOX)
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_inbox_lists_only_my_notifications_newest_first_unread_in_bold(client, staff_a, staff_b):
    with time_machine.travel(datetime(2025, 3, 3, 9, 0, tzinfo=TAIPEI), tick=False):
        old = notify(recipient=staff_a, title="Older")
    with time_machine.travel(datetime(2025, 3, 4, 9, 0, tzinfo=TAIPEI), tick=False):
        new = notify(recipient=staff_a, title="Newer")
    notification_mark_read(notification=old)
    theirs = notify(recipient=staff_b, title="Someone else's")
    client.force_login(staff_a)
    html = client.get(INBOX).content.decode()
    assert html.index(f'id="notification-{new.pk}"') < html.index(f'id="notification-{old.pk}"')
    assert f'id="notification-{theirs.pk}"' not in html
    new_item = re.search(rf'id="notification-{new.pk}".*?</li>', html, re.S).group(0)
    old_item = re.search(rf'id="notification-{old.pk}".*?</li>', html, re.S).group(0)
    assert "<strong>Newer</strong>" in new_item
    assert "notification-unread" in new_item
    assert "<strong>" not in old_item


def test_inbox_is_paginated(client, staff_a):
    for i in range(30):
        notify(recipient=staff_a, title=f"n{i}")
    client.force_login(staff_a)
    first = client.get(INBOX).content.decode()
    second = client.get(INBOX, {"page": 2}).content.decode()
    assert len(re.findall(r'<li id="notification-', first)) == 25
    assert len(re.findall(r'<li id="notification-', second)) == 5


def test_inbox_says_when_it_is_empty(client, staff_a):
    client.force_login(staff_a)
    assert 'id="inbox-empty"' in client.get(INBOX).content.decode()


def _inbox_queries(client, user, rows) -> int:
    for i in range(rows):
        notify(recipient=user, title=f"n{i}", body="body")
    client.force_login(user)
    client.get(INBOX)  # warm the session
    with CaptureQueriesContext(connection) as captured:
        assert client.get(INBOX).status_code == 200
    return len(captured)


def test_inbox_query_count_is_the_same_for_1_and_20_rows(client, staff_a, colleague_a):
    # The header's own queries (session, user, roles, agency, unread count) come on top of the
    # page's two (count and rows); none of them may grow with the number of notifications.
    assert _inbox_queries(client, staff_a, 1) == _inbox_queries(client, colleague_a, 20)


def test_following_a_notification_marks_it_read_and_goes_to_its_page(client, staff_a):
    notification = notify(recipient=staff_a, title="t", url="/staff/")
    client.force_login(staff_a)
    response = client.get(reverse("workflow:notification-open", args=[notification.pk]))
    assert response.status_code == 302
    assert response["Location"] == "/staff/"
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_a_notification_with_an_outside_link_goes_back_to_the_inbox(client, staff_a):
    notification = notify(recipient=staff_a, title="t", url="https://evil.example/")
    client.force_login(staff_a)
    response = client.get(reverse("workflow:notification-open", args=[notification.pk]))
    assert response["Location"] == INBOX


def test_another_users_notification_is_404_and_stays_unread(client, staff_a, colleague_a):
    notification = notify(recipient=staff_a, title="t", url="/staff/")
    client.force_login(colleague_a)
    response = client.get(reverse("workflow:notification-open", args=[notification.pk]))
    assert response.status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None


def test_mark_all_read_is_a_post_and_touches_only_my_notifications(client, staff_a, colleague_a):
    notify(recipient=staff_a, title="mine")
    notify(recipient=colleague_a, title="theirs")
    client.force_login(staff_a)
    url = reverse("workflow:inbox-read-all")
    assert client.get(url).status_code == 405
    assert unread_count(staff_a) == 1
    response = client.post(url)
    assert response.status_code == 302
    assert unread_count(staff_a) == 0
    assert unread_count(colleague_a) == 1


# --- the calendar page ------------------------------------------------------------------------


def test_calendar_needs_a_login(client):
    assert client.get(CALENDAR).status_code == 302


def test_calendar_shows_the_month_with_holidays_make_up_days_and_overrides(client, staff_a):
    CalendarOverride.objects.create(date=date(2025, 2, 14), kind="day_off", reason="颱風停班")
    client.force_login(staff_a)
    html = client.get(CALENDAR, {"month": "2025-02"}).content.decode()
    assert re.search(r'id="day-2025-02-08" class="working-day"', html)
    assert re.search(r'id="day-2025-02-01" class="day-off"', html)
    assert re.search(r'id="day-2025-02-14" class="day-off"', html)
    assert "颱風停班" in html
    january = client.get(CALENDAR, {"month": "2025-01"}).content.decode()
    assert re.search(r'id="day-2025-01-29" class="day-off"', january)
    assert "春節" in january


def test_calendar_answers_add_n_working_days(client, staff_a):
    client.force_login(staff_a)
    response = client.get(CALENDAR, {"start": "114/01/24", "days": "1"})
    html = response.content.decode()
    answer = re.search(r'id="due-date-answer".*?</p>', html, re.S).group(0)
    assert '<time datetime="2025-02-03">' in answer
    assert 'id="day0-note"' not in html


def test_calendar_explains_day_0_for_a_start_on_a_day_off(client, staff_a):
    client.force_login(staff_a)
    with translation.override("en"):
        html = client.get(CALENDAR, {"start": "2025-02-01", "days": "6"}).content.decode()
    assert '<time datetime="2025-02-10">' in html
    assert 'id="day0-note"' in html


@pytest.mark.parametrize(
    "params",
    [
        {"start": "2025-02-30", "days": "1"},
        {"start": "2025-02-03", "days": "abc"},
        {"start": "1990-01-01", "days": "1"},
        {"start": "2025-02-03", "days": "99999"},
    ],
)
def test_calendar_form_errors_show_next_to_the_field_and_give_no_answer(client, staff_a, params):
    client.force_login(staff_a)
    response = client.get(CALENDAR, params)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'class="errorlist' in html
    assert 'id="due-date-answer"' not in html


def test_a_nonsense_month_shows_the_current_month(client, staff_a):
    client.force_login(staff_a)
    with time_machine.travel(datetime(2025, 6, 10, 9, 0, tzinfo=TAIPEI), tick=False):
        html = client.get(CALENDAR, {"month": "2025-13"}).content.decode()
    assert 'id="day-2025-06-10"' in html
