"""Legal consultation: the rota, slots across holidays and typhoon days, bookings (also two at
once), cancellation, no-shows, records by topic, scoping by venue agency, pages and query counts.

The clock is frozen on Thursday 2026-11-26 10:00 in Taipei (tests/service_center/conftest.py).
"""

from datetime import date, datetime, time, timedelta

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from rdec_portal.accounts import roles
from rdec_portal.performance.registry import get_metric
from rdec_portal.workflow.models import AuditEntry, CalendarOverride
from service_center.legal import selectors as legal_selectors
from service_center.legal import services as legal
from service_center.legal.models import (
    BookingStatus,
    Lawyer,
    LegalBooking,
    LegalConsultation,
    LegalSession,
    LegalSlot,
    LegalVenue,
)
from service_center.legal.services import LegalError
from tests.accounts.factories import AgencyFactory, UserFactory
from tests.service_center.conftest import TAIPEI


def compute(name: str):
    """A service-centre metric's one-month rows, as the monthly rollup reads them."""
    return get_metric(f"service_center.{name}").compute


TUESDAY = date(2026, 12, 1)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=TAIPEI)


@pytest.fixture
def fengshan_agency(db):
    return AgencyFactory(
        code="D-FENGSHAN",
        kind="district",
        name_zh="高雄市鳳山區公所",
        name_en="Fengshan District Office",
    )


@pytest.fixture
def venues(rdec_agency, fengshan_agency):
    return {
        "centre": LegalVenue.objects.create(
            code="rdec-service-centre",
            name_zh="研考會聯合服務中心",
            name_en="RDEC Joint Service Centre",
            agency=rdec_agency,
            sort_order=10,
        ),
        "fengshan": LegalVenue.objects.create(
            code="fengshan",
            name_zh="鳳山區公所",
            name_en="Fengshan District Office",
            agency=fengshan_agency,
            sort_order=20,
        ),
    }


@pytest.fixture
def fengshan_staff(fengshan_agency):
    """A district office's staff: they work at their own venue only."""
    return UserFactory(
        username="fengshan_staff", agency=fengshan_agency, roles=[roles.AGENCY_STAFF]
    )


@pytest.fixture
def lawyer(db):
    return Lawyer.objects.create(
        name="林志明", bar_number="(101)台檢證字第10231號", specialities=["family"]
    )


def weekly(venue, lawyer, weekday, start=time(14), end=time(17), minutes=20) -> LegalSession:
    return LegalSession.objects.create(
        venue=venue,
        lawyer=lawyer,
        kind=LegalSession.Kind.WEEKLY,
        weekday=weekday,
        start_time=start,
        end_time=end,
        slot_minutes=minutes,
    )


def generate(by, start, end=None, venue=None) -> legal.Generated:
    return legal.legal_slots_generate(start=start, end=end or start, venue=venue, by=by)


def citizen(**overrides) -> legal.Citizen:
    values = {"name": "陳小華", "phone": "0912-345-678", "topic": "labour", "has_consented": True}
    return legal.Citizen(**{**values, **overrides})


def book(slot, by, **overrides) -> LegalBooking:
    return legal.legal_booking_create(
        slot=slot, citizen=citizen(**overrides), channel="phone", by=by
    )


@pytest.fixture
def slots(frozen, venues, lawyer, desk_user):
    """Tuesday 2026-12-01, 14:00–17:00 at Fengshan: nine 20-minute slots."""
    weekly(venues["fengshan"], lawyer, weekday=1)
    generate(desk_user, TUESDAY)
    return list(LegalSlot.objects.order_by("starts_at"))


def local_days(queryset) -> set[date]:
    return {slot.starts_at.astimezone(TAIPEI).date() for slot in queryset}


# --- the rota and its slots -----------------------------------------------------------------------


def test_a_weekly_session_makes_twenty_minute_slots_up_to_its_end(slots, venues, lawyer):
    assert [s.starts_at.astimezone(TAIPEI).strftime("%H:%M") for s in slots] == [
        "14:00",
        "14:20",
        "14:40",
        "15:00",
        "15:20",
        "15:40",
        "16:00",
        "16:20",
        "16:40",
    ]
    assert slots[-1].ends_at == at(TUESDAY, 17)
    assert {(s.venue, s.lawyer) for s in slots} == {(venues["fengshan"], lawyer)}


def test_holidays_and_a_typhoon_day_off_get_no_slots(frozen, venues, lawyer, desk_user):
    weekly(venues["centre"], lawyer, weekday=4)  # Fridays
    weekly(venues["fengshan"], lawyer, weekday=1)  # Tuesdays
    CalendarOverride.objects.create(
        date=date(2026, 12, 15), kind=CalendarOverride.Kind.DAY_OFF, reason="颱風停班"
    )
    result = generate(desk_user, date(2026, 12, 14), date(2027, 1, 8))

    # Friday 25 December (Constitution Day) and 1 January (Founding Day) are holidays.
    assert result.days_off == [date(2026, 12, 15), date(2026, 12, 25), date(2027, 1, 1)]
    assert local_days(LegalSlot.objects.filter(venue=venues["centre"])) == {
        date(2026, 12, 18),
        date(2027, 1, 8),
    }
    assert local_days(LegalSlot.objects.filter(venue=venues["fengshan"])) == {
        date(2026, 12, 22),
        date(2026, 12, 29),
        date(2027, 1, 5),
    }
    assert result.created == LegalSlot.objects.count() == 5 * 9


def test_generating_a_range_again_creates_nothing_twice(slots, desk_user):
    again = generate(desk_user, TUESDAY)
    assert again.created == 0
    assert LegalSlot.objects.count() == len(slots) == 9


def test_a_typhoon_day_declared_later_withdraws_the_free_slots(slots, desk_user):
    booked = book(slots[0], desk_user)
    CalendarOverride.objects.create(
        date=TUESDAY, kind=CalendarOverride.Kind.DAY_OFF, reason="颱風停班"
    )
    result = generate(desk_user, TUESDAY)

    assert (result.created, result.withdrawn, result.booked_on_days_off) == (0, 8, 1)
    assert LegalSlot.objects.filter(is_withdrawn=False).get() == booked.slot
    with pytest.raises(LegalError) as caught:
        book(slots[1], desk_user)
    assert caught.value.code == "gone"


def test_a_one_off_session_on_a_holiday_is_refused(frozen, venues, lawyer, desk_user):
    plan = legal.SessionPlan(
        venue=venues["centre"],
        lawyer=lawyer,
        kind=LegalSession.Kind.DATED,
        on_date=date(2026, 12, 25),
        start_time=time(9),
        end_time=time(12),
    )
    with pytest.raises(LegalError) as caught:
        legal.legal_session_create(plan=plan, by=desk_user)
    with translation.override("en"):
        assert caught.value.message_dict["on_date"] == [
            "This date is not a working day: choose another."
        ]
    assert not LegalSession.objects.exists()


def test_a_session_too_short_for_one_slot_is_refused(frozen, venues, lawyer, desk_user):
    plan = legal.SessionPlan(
        venue=venues["centre"],
        lawyer=lawyer,
        kind=LegalSession.Kind.WEEKLY,
        weekday=1,
        start_time=time(14),
        end_time=time(14, 10),
    )
    with pytest.raises(LegalError) as caught:
        legal.legal_session_create(plan=plan, by=desk_user)
    assert set(caught.value.message_dict) == {"end_time"}
    assert not LegalSession.objects.exists()


def test_moving_a_session_withdraws_its_free_slots_and_keeps_the_booked(
    slots, desk_user, venues, lawyer
):
    book(slots[3], desk_user)
    session = slots[0].session
    plan = legal.SessionPlan(
        venue=venues["fengshan"],
        lawyer=lawyer,
        kind=LegalSession.Kind.WEEKLY,
        weekday=1,
        start_time=time(9),
        end_time=time(12),
    )
    change = legal.legal_session_update(session=session, plan=plan, by=desk_user)

    assert (change.withdrawn, change.still_booked) == (8, 1)
    assert LegalSlot.objects.filter(is_withdrawn=False).get() == slots[3]
    assert generate(desk_user, TUESDAY).created == 9
    assert AuditEntry.objects.filter(action="update", object_id=str(session.pk)).exists()


def test_a_new_lawyer_takes_over_the_future_slots(slots, desk_user, venues):
    other = Lawyer.objects.create(name="陳怡君", bar_number="(103)台檢證字第11876號")
    book(slots[0], desk_user)
    plan = legal.SessionPlan(
        venue=venues["fengshan"],
        lawyer=other,
        kind=LegalSession.Kind.WEEKLY,
        weekday=1,
        start_time=time(14),
        end_time=time(17),
    )
    change = legal.legal_session_update(session=slots[0].session, plan=plan, by=desk_user)
    assert change.withdrawn == 0
    assert set(LegalSlot.objects.values_list("lawyer", flat=True)) == {other.pk}


# --- booking, cancelling, missing, recording ----------------------------------------------------


def test_a_slot_is_booked_once(slots, desk_user, fengshan_staff):
    first = book(slots[0], desk_user)
    with pytest.raises(LegalError) as caught:
        book(slots[0], fengshan_staff, name="林美玲")
    with translation.override("en"):
        assert caught.value.messages == [
            "This slot has just been booked by someone else: choose another time."
        ]
    assert caught.value.code == "taken"
    assert list(LegalBooking.objects.all()) == [first]
    assert first.status == BookingStatus.BOOKED and first.booked_by == desk_user
    assert len(first.reference) == 8


def test_the_database_refuses_a_second_live_booking(slots, desk_user):
    first = book(slots[0], desk_user)
    with pytest.raises(IntegrityError), transaction.atomic():
        LegalBooking.objects.create(
            reference="SECOND01",
            slot=first.slot,
            channel="counter",
            citizen_name="林美玲",
            citizen_phone="0911111111",
            topic="debt",
        )


@pytest.mark.django_db(transaction=True)
def test_two_counters_booking_the_same_slot_at_once_get_one_booking(slots, desk_user):
    from concurrent.futures import ThreadPoolExecutor
    from threading import Barrier

    from django.db import connections

    start_together = Barrier(2)

    def counter(name: str) -> str:
        try:
            start_together.wait(timeout=10)
            book(slots[0], desk_user, name=name)
            return "booked"
        except LegalError as exc:
            return exc.code
        finally:
            connections.close_all()

    with ThreadPoolExecutor(2) as pool:
        results = [pool.submit(counter, name) for name in ("陳小華", "林美玲")]
        outcomes = sorted(f.result(timeout=60) for f in results)
    assert outcomes == ["booked", "taken"]
    assert LegalBooking.objects.filter(slot=slots[0]).count() == 1


def test_cancelling_frees_the_slot_for_someone_else(slots, desk_user):
    first = book(slots[0], desk_user)
    cancelled = legal.legal_booking_cancel(booking=first, reason="民眾來電取消", by=desk_user)
    assert cancelled.status == BookingStatus.CANCELLED and cancelled.cancelled_at is not None

    second = book(slots[0], desk_user, name="林美玲")
    assert second.slot == first.slot
    assert list(LegalBooking.objects.filter(status__in=["booked"])) == [second]
    assert AuditEntry.objects.filter(
        action="transition", object_id=str(first.pk), changes__status=["booked", "cancelled"]
    ).exists()


def test_a_cancellation_needs_a_reason_and_a_booking_still_to_come(slots, desk_user):
    booking = book(slots[0], desk_user)
    with pytest.raises(LegalError) as caught:
        legal.legal_booking_cancel(booking=booking, reason="  ", by=desk_user)
    assert set(caught.value.message_dict) == {"reason"}
    legal.legal_booking_cancel(booking=booking, reason="改期", by=desk_user)
    with pytest.raises(LegalError):
        legal.legal_booking_cancel(booking=booking, reason="改期", by=desk_user)


def test_bad_citizen_details_are_refused_and_nothing_is_saved(slots, desk_user):
    with pytest.raises(LegalError) as caught:
        book(slots[0], desk_user, name=" ", phone="abc", topic="nonsense", has_consented=False)
    assert set(caught.value.message_dict) == {
        "citizen_name",
        "citizen_phone",
        "topic",
        "has_consented",
    }
    assert not LegalBooking.objects.exists()


def test_a_past_slot_cannot_be_booked(slots, desk_user, frozen):
    frozen.move_to(at(TUESDAY, 18))
    with pytest.raises(LegalError) as caught:
        book(slots[0], desk_user)
    assert caught.value.code == "past"


def test_no_show_only_once_the_consultation_has_begun(slots, desk_user, frozen):
    booking = book(slots[0], desk_user)
    with pytest.raises(LegalError) as caught:
        legal.legal_booking_no_show(booking=booking, by=desk_user)
    assert caught.value.code == "early"
    frozen.move_to(at(TUESDAY, 14, 10))
    assert legal.legal_booking_no_show(booking=booking, by=desk_user).status == "no_show"


def test_recording_a_consultation(slots, desk_user, frozen, lawyer, venues):
    booking = book(slots[1], desk_user, topic="family")
    frozen.move_to(at(TUESDAY, 15))
    record = legal.legal_consultation_record(
        booking=booking, topic="inheritance", note="拋棄繼承期限", by=desk_user
    )
    booking.refresh_from_db()
    assert booking.status == BookingStatus.ATTENDED
    assert (record.venue, record.lawyer, record.held_on, record.topic) == (
        venues["fengshan"],
        lawyer,
        TUESDAY,
        "inheritance",
    )
    with pytest.raises(LegalError):
        legal.legal_consultation_record(booking=booking, topic="other", note="", by=desk_user)
    assert AuditEntry.objects.filter(action="create", object_id=str(record.pk)).exists()


def test_a_consultation_is_not_recorded_before_its_day(slots, desk_user):
    booking = book(slots[0], desk_user)
    with pytest.raises(LegalError) as caught:
        legal.legal_consultation_record(booking=booking, topic="debt", note="", by=desk_user)
    assert caught.value.code == "early"
    assert not LegalConsultation.objects.exists()


def test_monthly_counts_by_venue_and_topic(frozen, venues, lawyer, desk_user, fengshan_staff):
    weekly(venues["centre"], lawyer, weekday=1)
    weekly(venues["fengshan"], lawyer, weekday=1)
    generate(desk_user, TUESDAY)
    centre = list(LegalSlot.objects.filter(venue=venues["centre"]).order_by("starts_at"))
    fengshan = list(LegalSlot.objects.filter(venue=venues["fengshan"]).order_by("starts_at"))
    missed = book(fengshan[3], desk_user)
    seen = [
        (book(slot, desk_user, topic=topic), topic)
        for slot, topic in [
            (centre[0], "labour"),
            (centre[1], "labour"),
            (centre[2], "debt"),
            (fengshan[0], "family"),
        ]
    ]
    frozen.move_to(at(TUESDAY, 18))
    for booking, topic in seen:
        legal.legal_consultation_record(booking=booking, topic=topic, note="", by=desk_user)
    legal.legal_booking_no_show(booking=missed, by=fengshan_staff)

    table = legal_selectors.consultation_counts(desk_user, month=date(2026, 12, 1))
    by_venue = {row.venue.code: row for row in table.rows}
    topics = [code for code, _label in table.topics]
    assert by_venue["rdec-service-centre"].topics[topics.index("labour")] == 2
    assert by_venue["rdec-service-centre"].topics[topics.index("debt")] == 1
    assert (by_venue["fengshan"].total, by_venue["fengshan"].no_shows) == (1, 1)
    assert table.total == 4

    own = legal_selectors.consultation_counts(fengshan_staff, month=date(2026, 12, 1))
    assert [row.venue.code for row in own.rows] == ["fengshan"]
    november = legal_selectors.consultation_counts(desk_user, month=date(2026, 11, 1))
    assert november.total == 0

    start, end = datetime(2026, 12, 1, tzinfo=TAIPEI), datetime(2027, 1, 1, tzinfo=TAIPEI)
    assert {a: v for a, v, _n, _d in compute("legal_consultations")(start, end)} == {
        venues["centre"].agency_id: 3,
        venues["fengshan"].agency_id: 1,
    }
    assert {a: (v, n, d) for a, v, n, d in compute("legal_no_shows")(start, end)} == {
        venues["centre"].agency_id: (0, 0, 3),
        venues["fengshan"].agency_id: (50, 1, 2),
    }


def test_names_are_shortened_for_lists():
    assert [legal_selectors.mask_name(n) for n in ("陳小華", "王明", "歐陽小明", "A")] == [
        "陳○華",
        "王○",
        "歐○○明",
        "A",
    ]


# --- pages: scoping, privacy, writes --------------------------------------------------------------


def day_url(venue, day=TUESDAY):
    return f"{reverse('service_center:legal_day', args=[venue.code])}?day={day.isoformat()}"


def booking_url(booking):
    return reverse("service_center:legal_booking", args=[booking.pk])


def action_url(booking, action):
    return reverse("service_center:legal_booking_action", args=[booking.pk, action])


def test_a_district_office_sees_only_its_own_venue(
    client, slots, desk_user, venues, lawyer, fengshan_staff
):
    weekly(venues["centre"], lawyer, weekday=1)
    generate(desk_user, TUESDAY)
    centre_booking = book(LegalSlot.objects.filter(venue=venues["centre"]).first(), desk_user)
    client.force_login(fengshan_staff)

    assert client.get(day_url(venues["fengshan"])).status_code == 200
    assert [v.code for v in client.get(reverse("service_center:legal_home")).context["venues"]] == [
        "fengshan"
    ]
    assert client.get(day_url(venues["centre"])).status_code == 404
    assert client.get(booking_url(centre_booking)).status_code == 404
    assert client.post(action_url(centre_booking, "cancel"), {"reason": "x"}).status_code == 404
    centre_slot = LegalSlot.objects.filter(venue=venues["centre"]).last()
    assert (
        client.get(reverse("service_center:legal_book", args=[centre_slot.pk])).status_code == 404
    )


def test_staff_of_other_agencies_get_404(client, slots, desk_user, staff_a, venues):
    booking = book(slots[0], desk_user)
    client.force_login(staff_a)
    for url in (
        reverse("service_center:legal_home"),
        reverse("service_center:legal_rota"),
        reverse("service_center:legal_stats"),
        day_url(venues["fengshan"]),
        booking_url(booking),
        reverse("service_center:legal_book", args=[slots[1].pk]),
    ):
        assert client.get(url).status_code == 404, url


def test_district_staff_book_at_the_counter_and_the_write_is_audited(client, slots, fengshan_staff):
    client.force_login(fengshan_staff)
    url = reverse("service_center:legal_book", args=[slots[2].pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "channel": "counter",
            "citizen_name": "黃淑芬",
            "citizen_phone": "07-7422111",
            "topic": "tenancy",
            "has_consented": "on",
        },
    )
    assert response.status_code == 302
    booking = LegalBooking.objects.get()
    assert (booking.slot, booking.booked_by, booking.channel) == (
        slots[2],
        fengshan_staff,
        "counter",
    )
    entry = AuditEntry.objects.get(action="create", object_id=str(booking.pk))
    assert entry.actor == fengshan_staff and "citizen_phone" not in entry.changes


def test_a_booking_form_with_errors_saves_nothing_and_keeps_the_typing(client, slots, desk_user):
    client.force_login(desk_user)
    url = reverse("service_center:legal_book", args=[slots[2].pk])
    response = client.post(
        url, {"channel": "phone", "citizen_name": "黃淑芬", "citizen_phone": "x", "topic": "debt"}
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert 'id="form-errors"' in body and 'value="黃淑芬"' in body
    assert set(response.context["form"].errors) == {"citizen_phone", "has_consented"}
    assert not LegalBooking.objects.exists()


def test_booking_a_taken_slot_on_the_page_says_so(client, slots, desk_user, fengshan_staff):
    book(slots[2], desk_user)
    client.force_login(fengshan_staff)
    response = client.post(
        reverse("service_center:legal_book", args=[slots[2].pk]),
        {
            "channel": "phone",
            "citizen_name": "黃淑芬",
            "citizen_phone": "0911222333",
            "topic": "debt",
            "has_consented": "on",
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    with translation.override("en"):
        assert response.context["form"].non_field_errors() == [str(legal.TAKEN)]
    assert LegalBooking.objects.count() == 1


def test_contact_details_are_for_the_venue_and_each_view_is_audited(
    client, slots, desk_user, fengshan_staff, mayor_office
):
    booking = book(slots[0], desk_user, phone="0912-345-678")
    for user in (desk_user, fengshan_staff):
        client.force_login(user)
        body = client.get(booking_url(booking)).content.decode()
        assert "0912-345-678" in body and 'id="personal-data"' in body
    views = AuditEntry.objects.filter(action="view_personal_data", object_id=str(booking.pk))
    assert {v.actor for v in views} == {desk_user, fengshan_staff}
    assert views.first().changes["viewed_fields"] == legal_selectors.PERSONAL_FIELDS

    client.force_login(mayor_office)
    response = client.get(booking_url(booking))
    body = response.content.decode()
    assert response.status_code == 200 and "0912-345-678" not in body and "陳○華" in body
    assert response.context["forms"] == {}
    assert views.count() == 2
    assert client.post(action_url(booking, "cancel"), {"reason": "x"}).status_code == 403


def test_the_day_page_shortens_names_and_offers_free_slots(client, slots, desk_user, mayor_office):
    book(slots[0], desk_user)
    client.force_login(desk_user)
    body = client.get(day_url(slots[0].venue)).content.decode()
    assert "陳○華" in body and "陳小華" not in body and "0912-345-678" not in body
    assert reverse("service_center:legal_book", args=[slots[1].pk]) in body
    client.force_login(mayor_office)
    body = client.get(day_url(slots[0].venue)).content.decode()
    assert reverse("service_center:legal_book", args=[slots[1].pk]) not in body
    assert not AuditEntry.objects.filter(action="view_personal_data").exists()


def test_cancel_no_show_and_record_from_the_booking_page(
    client, slots, desk_user, fengshan_staff, frozen
):
    first, second = book(slots[0], desk_user), book(slots[1], desk_user)
    client.force_login(fengshan_staff)
    assert client.post(action_url(first, "cancel"), {"reason": ""}).status_code == 400
    assert client.post(action_url(first, "cancel"), {"reason": "改期"}).status_code == 302
    frozen.move_to(at(TUESDAY, 14, 30))
    client.force_login(fengshan_staff)  # the idle session ended while the clock moved on
    response = client.post(action_url(second, "record"), {"topic": "debt", "note": "支付命令"})
    assert response.status_code == 302 and response.url == booking_url(second)
    assert LegalBooking.objects.get(pk=first.pk).status == "cancelled"
    assert LegalConsultation.objects.get().topic == "debt"
    response = client.post(action_url(second, "update-record"), {"topic": "other", "note": ""})
    assert response.status_code == 302 and LegalConsultation.objects.get().topic == "other"
    assert client.post(action_url(first, "update-record"), {"topic": "other"}).status_code == 404


def test_only_the_service_centre_manages_lawyers_and_the_rota(
    client, slots, fengshan_staff, mayor_office
):
    for user in (fengshan_staff, mayor_office):
        client.force_login(user)
        assert client.get(reverse("service_center:legal_lawyers")).status_code == 403
        assert client.get(reverse("service_center:legal_session_new")).status_code == 403
        generate_url = reverse("service_center:legal_generate")
        assert (
            client.post(generate_url, {"start": "115/12/01", "end": "115/12/01"}).status_code == 403
        )
        assert client.get(reverse("service_center:legal_rota")).status_code == 200


def test_the_service_centre_adds_a_lawyer_once_per_bar_number(client, desk_user, lawyer):
    client.force_login(desk_user)
    url = reverse("service_center:legal_lawyer_new")
    data = {"name": "張雅婷", "bar_number": lawyer.bar_number, "specialities": ["tenancy"]}
    response = client.post(url, data)
    assert response.status_code == 400 and "bar_number" in response.context["form"].errors
    data["bar_number"] = "(106)台檢證字第13307號"
    assert client.post(url, {**data, "is_active": "on"}).status_code == 302
    added = Lawyer.objects.get(name="張雅婷")
    assert added.specialities == ["tenancy"] and added.is_active
    assert AuditEntry.objects.filter(action="create", object_id=str(added.pk)).exists()


def test_the_service_centre_puts_a_session_on_the_rota_and_generates_it(
    client, frozen, desk_user, venues, lawyer
):
    client.force_login(desk_user)
    url = reverse("service_center:legal_session_new")
    data = {
        "venue": venues["centre"].pk,
        "lawyer": lawyer.pk,
        "kind": "weekly",
        "weekday": "1",
        "start_time": "14:00",
        "end_time": "13:00",
        "slot_minutes": "20",
        "is_active": "on",
    }
    assert client.post(url, data).status_code == 400
    assert not LegalSession.objects.exists()
    assert client.post(url, {**data, "end_time": "17:00"}).status_code == 302
    response = client.post(
        reverse("service_center:legal_generate"), {"start": "115/12/01", "end": "115/12/08"}
    )
    assert response.status_code == 302
    assert LegalSlot.objects.count() == 18


def test_monthly_counts_page_and_export(client, slots, desk_user, frozen):
    booking = book(slots[0], desk_user, topic="labour")
    frozen.move_to(at(TUESDAY, 15))
    legal.legal_consultation_record(booking=booking, topic="labour", note="", by=desk_user)
    client.force_login(desk_user)
    page = client.get(reverse("service_center:legal_stats"), {"month": "115/12"})
    assert page.status_code == 200 and page.context["table"].total == 1
    with translation.override("en"):
        export = client.get(
            reverse("service_center:legal_stats_export", args=["csv"]),
            {"month": "2026-12"},
            HTTP_ACCEPT_LANGUAGE="en",
        )
    lines = export.content.decode("utf-8-sig").splitlines()
    assert export.status_code == 200 and len(lines) == 3
    header, fengshan = lines[0].split(","), lines[2].split(",")
    assert fengshan[:3] == ["2026-12", "Fengshan District Office", "D-FENGSHAN"]
    assert dict(zip(header, fengshan, strict=True))["Labour and employment"] == "1"
    assert fengshan[-3:] == ["1", "1", "0"]
    assert AuditEntry.objects.filter(action="export").exists()


# --- query counts -----------------------------------------------------------------------------------


def _queries(client, url) -> int:
    client.get(url)  # the session, the roles and the working-day calendar load once
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_day_page_query_count_does_not_grow_with_bookings(
    client, frozen, venues, lawyer, desk_user
):
    weekly(venues["fengshan"], lawyer, weekday=1, start=time(14), end=time(14, 20))
    weekly(venues["centre"], lawyer, weekday=1, start=time(14), end=time(17, 20), minutes=10)
    generate(desk_user, TUESDAY)
    for slot in LegalSlot.objects.all():
        book(slot, desk_user)
    assert LegalSlot.objects.filter(venue=venues["centre"]).count() == 20
    client.force_login(desk_user)
    one = _queries(client, day_url(venues["fengshan"]))
    twenty = _queries(client, day_url(venues["centre"]))
    assert one == twenty <= 12


def test_the_rota_and_lawyer_lists_query_counts_do_not_grow(
    client, frozen, venues, lawyer, desk_user
):
    client.force_login(desk_user)
    weekly(venues["fengshan"], lawyer, weekday=0)
    counts = [
        _queries(client, reverse("service_center:legal_rota")),
        _queries(client, reverse("service_center:legal_lawyers")),
    ]
    for n in range(19):
        other = Lawyer.objects.create(name=f"律師{n}", bar_number=f"(110)台檢證字第{n:05d}號")
        weekly(venues["centre"], other, weekday=n % 5, start=time(9 + n % 8))
    assert [
        _queries(client, reverse("service_center:legal_rota")),
        _queries(client, reverse("service_center:legal_lawyers")),
    ] == counts


def test_the_service_centre_menu_links_legal_consultation_for_those_who_use_it(
    client, venues, desk_user, fengshan_staff, staff_a
):
    legal_url = reverse("service_center:legal_home")
    hotline_url = reverse("service_center:hotline")
    shown = {}
    for user in (desk_user, fengshan_staff, staff_a):
        client.force_login(user)
        body = client.get(reverse("service_center:queue")).content.decode()
        shown[user.username] = (f'href="{legal_url}"' in body, f'href="{hotline_url}"' in body)
    assert shown == {
        desk_user.username: (True, True),
        "fengshan_staff": (True, False),
        "staff_a": (False, False),
    }


# --- the citizens' booking page ---------------------------------------------------------------------

PUBLIC = reverse("service_center:legal_public")


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    from django.core.cache import cache

    cache.clear()


def public_form(client, venue):
    response = client.get(PUBLIC, {"venue": venue.code})
    assert response.status_code == 200
    return response.context["form"]


def public_data(form, slot, **overrides):
    return {
        "venue": slot.venue.code,
        "token": form.initial["token"],
        "slot": slot.pk,
        "citizen_name": "陳小華",
        "citizen_phone": "0912345678",
        "topic": "tenancy",
        "has_consented": "on",
        **overrides,
    }


def test_a_citizen_books_online_and_sees_no_personal_data_back(client, slots):
    form = public_form(client, slots[0].venue)
    offered = [pk for _day, times in form.fields["slot"].choices for pk, _label in times]
    assert offered == [slot.pk for slot in slots]
    response = client.post(PUBLIC, public_data(form, slots[4]))
    assert response.status_code == 302
    booking = LegalBooking.objects.get()
    assert (booking.slot, booking.channel, booking.booked_by) == (slots[4], "web", None)

    receipt = client.get(response.url)
    body = receipt.content.decode()
    assert booking.reference in body and "0912345678" not in body and "陳小華" not in body
    # The same form sent again books nothing more.
    assert client.post(PUBLIC, public_data(form, slots[5])).status_code == 302
    assert LegalBooking.objects.count() == 1


def test_online_booking_needs_consent_and_keeps_what_was_typed(client, slots):
    form = public_form(client, slots[0].venue)
    response = client.post(PUBLIC, public_data(form, slots[0], has_consented=""))
    assert response.status_code == 400
    assert "has_consented" in response.context["form"].errors
    assert 'value="陳小華"' in response.content.decode()
    assert not LegalBooking.objects.exists()


def test_online_one_booking_to_come_per_phone_and_taken_slots_are_not_offered(
    client, slots, desk_user
):
    book(slots[0], desk_user, phone="0912-345-678")
    form = public_form(client, slots[0].venue)
    offered = [pk for _day, times in form.fields["slot"].choices for pk, _label in times]
    assert slots[0].pk not in offered
    response = client.post(PUBLIC, public_data(form, slots[1], citizen_phone="0912 345 678"))
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"citizen_phone"}
    response = client.post(PUBLIC, public_data(form, slots[0], citizen_phone="0987654321"))
    assert response.status_code == 400 and "slot" in response.context["form"].errors
    assert LegalBooking.objects.count() == 1


def test_online_bookings_are_limited_per_address(client, slots, monkeypatch):
    from service_center.legal import views_public as views_legal_public

    monkeypatch.setattr(views_legal_public, "BOOKINGS_PER_ADDRESS", 2)
    for n in range(2):
        form = public_form(client, slots[0].venue)
        data = public_data(form, slots[n], citizen_phone=f"091234567{n}")
        assert client.post(PUBLIC, data).status_code == 302
    form = public_form(client, slots[0].venue)
    data = public_data(form, slots[2], citizen_phone="0912345672")
    assert client.post(PUBLIC, data).status_code == 429
    assert LegalBooking.objects.count() == 2


def test_today_and_days_off_are_not_offered_online(client, frozen, venues, lawyer, desk_user):
    weekly(venues["fengshan"], lawyer, weekday=3)  # Thursdays: today, and 3 December
    generate(desk_user, date(2026, 11, 26), date(2026, 12, 10))
    CalendarOverride.objects.create(
        date=date(2026, 12, 3), kind=CalendarOverride.Kind.DAY_OFF, reason="颱風停班"
    )
    form = public_form(client, venues["fengshan"])
    days = [day for day, _times in form.fields["slot"].choices]
    assert len(days) == 1 and days[0].startswith("115/12/10")


def test_the_public_pages_link_the_booking_page(client, venues):
    body = client.get(reverse("home")).content.decode()
    assert f'href="{PUBLIC}"' in body
    assert client.get(PUBLIC).status_code == 200


def test_contact_details_are_removed_180_days_after_the_consultation(
    client, slots, desk_user, frozen
):
    booking = book(slots[0], desk_user, email="hua@example.com", summary="資遣費怎麼算")
    later = book(slots[1], desk_user, name="林大明", phone="07-3368333")
    assert legal.bookings_forget_contacts() == 0  # the consultation has not even happened

    frozen.move_to(slots[0].starts_at + timedelta(days=legal.CONTACT_DAYS, minutes=10))
    assert legal.bookings_forget_contacts() == 1  # the 14:00 slot; the 14:20 one is 10 min short
    assert legal.bookings_forget_contacts() == 0  # the next run changes nothing

    booking.refresh_from_db()
    later.refresh_from_db()
    assert (booking.citizen_name, booking.citizen_phone, booking.citizen_email) == ("", "", "")
    assert booking.summary == "" and booking.contact_removed_at is not None
    assert booking.topic == "labour" and booking.reference  # the counts keep what they need
    assert later.citizen_name == "林大明"

    client.force_login(desk_user)
    audits = AuditEntry.objects.count()
    body = client.get(booking_url(booking)).content.decode()
    assert 'id="contact-removed"' in body and 'id="personal-data"' not in body
    assert AuditEntry.objects.count() == audits  # nothing personal was shown


# --- the citizen cancels online ---------------------------------------------------------------------


def _book_online(client, slot):
    form = public_form(client, slot.venue)
    response = client.post(PUBLIC, public_data(form, slot))
    assert response.status_code == 302
    booking = LegalBooking.objects.get(slot=slot)
    cancel_url = reverse(
        "service_center:legal_public_cancel", args=[legal.citizen_cancel_token(booking)]
    )
    return booking, client.get(response.url).content.decode(), cancel_url


def test_a_citizen_cancels_online_with_the_link_from_the_booking_page(client, slots):
    booking, receipt, cancel_url = _book_online(client, slots[4])
    assert f'href="{cancel_url}"' in receipt

    page = client.get(cancel_url)
    body = page.content.decode()
    assert page.status_code == 200 and booking.reference in body
    assert "陳小華" not in body and "0912345678" not in body
    booking.refresh_from_db()
    assert booking.status == BookingStatus.BOOKED  # opening the link cancels nothing

    done = client.post(cancel_url)
    assert done.status_code == 200 and 'id="cancel-done"' in done.content.decode()
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED
    assert booking.cancel_reason == "民眾已於網路上取消。"
    assert AuditEntry.objects.filter(object_id=str(booking.pk), actor=None).exists()
    # The time is offered again at once.
    offered = public_form(client, slots[4].venue).fields["slot"].choices
    assert slots[4].pk in [pk for _day, times in offered for pk, _label in times]

    again = client.post(cancel_url)
    assert again.status_code == 409
    assert "已取消" in again.content.decode()


def test_a_cancellation_link_that_was_altered_finds_nothing(client, slots):
    booking, _receipt, cancel_url = _book_online(client, slots[4])
    altered = cancel_url.rstrip("/")[:-2] + "xx/"
    assert client.get(altered).status_code == 404
    assert client.post(altered).status_code == 404
    booking.refresh_from_db()
    assert booking.status == BookingStatus.BOOKED


def test_once_the_consultation_time_has_come_it_is_not_cancelled_online(client, slots, frozen):
    booking, _receipt, cancel_url = _book_online(client, slots[4])
    frozen.move_to(slots[4].starts_at)
    response = client.post(cancel_url)
    assert response.status_code == 409 and 'id="cancel-error"' in response.content.decode()
    booking.refresh_from_db()
    assert booking.status == BookingStatus.BOOKED
