"""The RDEC venue's bookings: RDEC staff of the other lines belong to the RDEC agency, but reach
legal consultation only through the service centre's role (issue 11, item 6)."""

from datetime import date, time

import pytest
from django.urls import reverse

from rdec_portal.accounts.roles import Line
from service_center.legal import permissions
from service_center.legal import selectors as legal_selectors
from service_center.legal import services as legal
from service_center.legal.models import Lawyer, LegalSession, LegalSlot, LegalVenue

TUESDAY = date(2026, 12, 1)
OTHER_LINES = [line for line in Line if line != Line.SERVICE_CENTER]


@pytest.fixture
def rdec_booking(frozen, rdec_agency, desk_user):
    """A booking on Tuesday at the RDEC venue (the service centre's own counter)."""
    venue = LegalVenue.objects.create(
        code="rdec-service-centre",
        name_zh="研考會聯合服務中心",
        name_en="RDEC Joint Service Centre",
        agency=rdec_agency,
    )
    lawyer = Lawyer.objects.create(name="林志明", bar_number="(101)台檢證字第10231號")
    LegalSession.objects.create(
        venue=venue,
        lawyer=lawyer,
        kind=LegalSession.Kind.WEEKLY,
        weekday=1,
        start_time=time(14),
        end_time=time(15),
        slot_minutes=20,
    )
    legal.legal_slots_generate(start=TUESDAY, end=TUESDAY, venue=venue, by=desk_user)
    citizen = legal.Citizen(name="陳小華", phone="0912-345-678", topic="labour", has_consented=True)
    slot = LegalSlot.objects.filter(venue=venue).order_by("starts_at").first()
    return legal.legal_booking_create(slot=slot, citizen=citizen, channel="phone", by=desk_user)


@pytest.fixture(params=OTHER_LINES, ids=str)
def other_line(request, rdec_user):
    return rdec_user(request.param)


def test_other_lines_see_nothing_of_the_rdec_venue(other_line, rdec_booking):
    assert not legal_selectors.venues_for(other_line).exists()
    assert not legal_selectors.slots_for(other_line).exists()
    assert not legal_selectors.bookings_for(other_line).exists()
    assert not permissions.can_work_at(other_line, rdec_booking.slot.venue)


def test_the_rdec_venues_pages_are_a_404_for_other_lines(client, other_line, rdec_booking):
    client.force_login(other_line)
    venue = rdec_booking.slot.venue
    for url in (
        reverse("service_center:legal_home"),
        reverse("service_center:legal_day", args=[venue.code]),
        reverse("service_center:legal_booking", args=[rdec_booking.pk]),
        reverse("service_center:legal_stats"),
    ):
        assert client.get(url).status_code == 404, url


def test_the_service_centre_still_works_at_the_rdec_venue(client, desk_user, rdec_booking):
    assert legal_selectors.bookings_for(desk_user).filter(pk=rdec_booking.pk).exists()
    client.force_login(desk_user)
    url = reverse("service_center:legal_booking", args=[rdec_booking.pk])
    assert client.get(url).status_code == 200
