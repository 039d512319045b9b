"""The service centre's fixture world for the access-control matrix (tests/security).

`build(w)` adds the objects that the URLs of `access.toml` name, all of them owned by the
world's agency `w.agency_a`: a dispatch case it leads (with a photo, an extension request, a
follower), its reply template, and its legal-consultation venue with a session, slots and a
booking. The matrix builds it twice: once for a city agency (the table's expectations), and once
for RDEC itself, where only the RDEC staff of the service centre's line (and the mayor's office
and administrators) may reach them. `citizen_session(store, w)` puts in a citizen's session the
capabilities a citizen's browser holds: the tracked case, the booked consultation.

The interface every app's world follows: tests/security/README.md, "Access-control matrix".
"""

from datetime import datetime, timedelta
from types import SimpleNamespace

from rdec_portal.accounts.models import Agency
from service_center.dispatch import services as dispatch
from service_center.legal import services as legal
from service_center.legal import views_public as views_legal_public
from service_center.legal.models import BookingChannel, Lawyer, LegalSession, LegalSlot, LegalVenue
from service_center.nearby import tokens as nearby_tokens
from service_center.nearby.models import PetitionFollower
from service_center.petitions import services, tokens, views_public
from service_center.replies import services as reply_templates
from tests.service_center.factories import DispatchCategoryFactory
from tests.service_center.images import jpeg_with_gps


def build(w: SimpleNamespace) -> None:
    """Add the service centre's objects of `w.agency_a` to the world.

    Reads `w.agency_a` (the owner), `w.staff_a` and `w.supervisor_a` (its staff and supervisor),
    `w.users["rdec_service_center"]` (the triage desk) and `w.now` (the frozen clock)."""
    agency: Agency = w.agency_a
    suffix = agency.code.lower()
    desk, staff_a = w.users["rdec_service_center"], w.staff_a

    # A dispatch case led by the agency (so its photo pages exist), with an after photo, a
    # pending extension request and a citizen following it.
    w.category_a = DispatchCategoryFactory(code=f"matrix-pothole-{suffix}", agency=agency)
    submitted = services.petition_submit(
        category=w.category_a,
        subject="路面坑洞",
        description="建國二路上有一個大坑洞。",
        email="citizen@example.com",
        has_consented=True,
        by=desk,
        channel="phone_1999",
    )
    w.petition_a = submitted.petition
    w.secret_a = submitted.secret
    services.petition_assign(petition=w.petition_a, agency=agency, by=desk)
    w.photo_a = dispatch.dispatch_photos_add(
        petition=w.petition_a, role="after", files=[jpeg_with_gps("after.jpg")], by=staff_a
    )[0]
    w.photo_a.is_public = True
    w.photo_a.save(update_fields=["is_public"])
    w.request_a = services.petition_extension_request(
        petition=w.petition_a,
        by=staff_a,
        reason="需要會勘。",
        new_due_at=w.now + timedelta(days=20),
    )
    w.petition_a.refresh_from_db()
    w.confirm_token = tokens.confirmation_token(w.petition_a)
    w.follow_token = f"matrix-follow-token-{suffix}"
    PetitionFollower.objects.create(
        petition=w.petition_a,
        email="neighbour@example.com",
        token_hash=nearby_tokens.hash_token(w.follow_token),
    )

    w.template_a = reply_templates.reply_template_create(
        by=w.supervisor_a, agency=agency, title="已派員", body="已派員處理。"
    )

    # The agency's legal-consultation venue, with a session, next Tuesday's slots and a booking.
    w.venue_a = LegalVenue.objects.create(
        code=f"matrix-venue-{suffix}",
        name_zh=f"{agency.name_zh}法律諮詢",
        name_en=f"{agency.code} legal",
        agency=agency,
    )
    w.lawyer = Lawyer.objects.create(name="林志明", bar_number=f"(101)台檢證字第{agency.pk:05d}號")
    w.session_a = LegalSession.objects.create(
        venue=w.venue_a,
        lawyer=w.lawyer,
        kind=LegalSession.Kind.WEEKLY,
        weekday=1,
        start_time=datetime(2026, 1, 1, 14).time(),
        end_time=datetime(2026, 1, 1, 15).time(),
        slot_minutes=20,
    )
    tuesday = w.now.date() + timedelta(days=(1 - w.now.weekday()) % 7 or 7)
    legal.legal_slots_generate(start=tuesday, end=tuesday, venue=w.venue_a, by=desk)
    w.slot_a, w.free_slot_a = LegalSlot.objects.filter(venue=w.venue_a).order_by("starts_at")[:2]
    w.booking_a = legal.legal_booking_create(
        slot=w.slot_a,
        citizen=legal.Citizen(
            # One booking to come per phone number online: each world's citizen has their own.
            name="陳小華",
            phone=f"0912-345-{agency.pk % 1000:03d}",
            topic="labour",
            has_consented=True,
        ),
        channel=BookingChannel.WEB,
    )
    w.legal_cancel_token = legal.citizen_cancel_token(w.booking_a)


def citizen_session(store, w: SimpleNamespace) -> None:
    """A browser that looked up the world's case with its number and secret, and booked a slot."""
    store[views_public.TRACKED_SESSION_KEY] = [w.petition_a.pk]
    store[views_legal_public.BOOKED_SESSION_KEY] = {"matrix": w.booking_a.pk}
