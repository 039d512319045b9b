"""Demo data for legal consultation (called by the root demo.py).

The rota and future bookings go through the services. Past bookings and their records are
inserted directly: the booking service rightly refuses a slot that is over. At the `city` scale
the rota is busier and half a year of consultations is recorded (DESIGN.md: 4,725 legal
consultations per half-year).
"""

import random
from datetime import time, timedelta

from django.db import transaction
from django.utils import timezone

from service_center.legal import services
from service_center.legal.models import (
    BookingChannel,
    BookingStatus,
    ConsultationTopic,
    Lawyer,
    LegalBooking,
    LegalConsultation,
    LegalSession,
    LegalSlot,
    LegalVenue,
)

CITY_CONSULTATIONS = 4_725
LAWYERS = [
    ("林志明", "(101)台檢證字第10231號", ["family", "inheritance"]),
    ("陳怡君", "(103)台檢證字第11876號", ["labour", "consumer"]),
    ("黃建宏", "(104)台檢證字第12540號", ["traffic_accident", "criminal"]),
    ("張雅婷", "(106)台檢證字第13307號", ["tenancy", "property"]),
    ("李宗翰", "(107)台檢證字第14118號", ["debt", "consumer"]),
    ("王美玲", "(108)台檢證字第14962號", ["family", "labour"]),
    ("吳承恩", "(110)台檢證字第16024號", ["property", "inheritance"]),
    ("劉家豪", "(111)台檢證字第16871號", ["criminal", "traffic_accident"]),
]
# (venue code, weekday, start, end, lawyer index): the demo rota.
ROTA = [
    ("rdec-service-centre", 1, time(14), time(17), 0),
    ("rdec-service-centre", 3, time(14), time(17), 1),
    ("rdec-service-centre", 2, time(18, 30), time(20, 30), 2),
    ("fengshan", 2, time(14), time(17), 3),
    ("gangshan", 0, time(9), time(12), 4),
    ("qishan", 4, time(9), time(12), 5),
]
# The city scale adds weekday afternoons so that a half-year holds about 4,725 consultations.
CITY_ROTA = [
    *[("rdec-service-centre", day, time(14), time(17), 6 + day % 2) for day in range(5)],
    *[("fengshan", day, time(9), time(12), day) for day in range(5)],
    *[("gangshan", day, time(14), time(17), 4 + day % 2) for day in (1, 3)],
    *[("gangshan", day, time(9), time(12), 6 + day % 2) for day in (2, 4)],
    *[("qishan", day, time(14), time(17), 5) for day in (1, 3)],
    ("rdec-service-centre", 3, time(18, 30), time(20, 30), 7),
]
NAMES = ["陳小華", "林美玲", "王大明", "黃淑芬", "張家豪", "李佳穎", "吳冠宇", "蔡詩涵"]
NOTES = {
    "family": "協議離婚與子女監護權安排。",
    "inheritance": "父親過世，詢問拋棄繼承期限。",
    "labour": "公司未給付加班費，詢問申訴管道。",
    "tenancy": "房東不退押金。",
    "consumer": "網購商品瑕疵，賣家拒絕退貨。",
    "traffic_accident": "機車事故和解金額與過失比例。",
    "criminal": "收到地檢署傳票，詢問出庭注意事項。",
    "property": "鄰地越界建築。",
    "debt": "親友借款未還，詢問支付命令。",
    "other": "一般法律問題。",
}


def seed_legal(*, desk, scale: str) -> int:
    """The rota, lawyers and bookings, unless there are lawyers already; the records made."""
    if Lawyer.objects.exists():
        return 0
    return _seed_legal(desk, scale)


def _seed_legal(desk, scale: str) -> int:
    rng = random.Random(4725)
    lawyers = [
        services.legal_lawyer_create(
            details=services.LawyerDetails(name=name, bar_number=bar, specialities=topics), by=desk
        )
        for name, bar, topics in LAWYERS
    ]
    venues = {venue.code: venue for venue in LegalVenue.objects.all()}
    rota = ROTA + (CITY_ROTA if scale == "city" else [])
    for code, weekday, start, end, lawyer in rota:
        services.legal_session_create(
            plan=services.SessionPlan(
                venue=venues[code],
                lawyer=lawyers[lawyer],
                kind=LegalSession.Kind.WEEKLY,
                weekday=weekday,
                start_time=start,
                end_time=end,
            ),
            by=desk,
        )
    today = timezone.localdate()
    days_back = 182 if scale == "city" else 60
    first = today - timedelta(days=days_back)
    while first <= today + timedelta(days=27):
        last = min(
            first + timedelta(days=services.MAX_GENERATE_DAYS - 1), today + timedelta(days=27)
        )
        services.legal_slots_generate(start=first, end=last, by=desk)
        first = last + timedelta(days=1)
    wanted = CITY_CONSULTATIONS if scale == "city" else None
    recorded = _past_bookings(rng, desk, wanted)
    _future_bookings(rng, desk)
    return recorded


@transaction.atomic
def _past_bookings(rng: random.Random, desk, wanted: int | None) -> int:
    """Bookings for slots already over: most consulted and recorded, some missed, a few
    cancelled. Inserted directly, without audit rows (demo history, not staff actions)."""
    now = timezone.now()
    slots = list(LegalSlot.objects.filter(ends_at__lte=now, is_withdrawn=False).order_by("?"))
    if wanted is None:
        slots = [slot for slot in slots if rng.random() < 0.6]
    slots = slots[: wanted or len(slots)]
    bookings, records = [], []
    for n, slot in enumerate(slots):
        topic = rng.choice(ConsultationTopic.values)
        roll = rng.random()
        status = (
            BookingStatus.ATTENDED
            if wanted or roll < 0.85
            else (BookingStatus.NO_SHOW if roll < 0.95 else BookingStatus.CANCELLED)
        )
        booking = LegalBooking(
            reference=f"DEMO{n:06d}"[-12:],
            slot=slot,
            status=status,
            channel=rng.choice([BookingChannel.PHONE, BookingChannel.COUNTER]),
            citizen_name=rng.choice(NAMES),
            citizen_phone=f"09{rng.randint(10000000, 99999999)}",
            topic=topic,
            has_consented=True,
            booked_by=desk,
            booked_at=slot.starts_at - timedelta(days=rng.randint(1, 14)),
            cancelled_at=slot.starts_at - timedelta(days=1)
            if status == BookingStatus.CANCELLED
            else None,
            cancel_reason="民眾來電取消" if status == BookingStatus.CANCELLED else "",
        )
        bookings.append(booking)
    LegalBooking.objects.bulk_create(bookings, batch_size=1000)
    for booking in bookings:
        if booking.status == BookingStatus.ATTENDED:
            records.append(
                LegalConsultation(
                    booking=booking,
                    venue_id=booking.slot.venue_id,
                    lawyer_id=booking.slot.lawyer_id,
                    held_on=timezone.localdate(booking.slot.starts_at),
                    topic=booking.topic,
                    note=NOTES[booking.topic],
                    recorded_by=desk,
                )
            )
    LegalConsultation.objects.bulk_create(records, batch_size=1000)
    return len(records)


def _future_bookings(rng: random.Random, desk) -> None:
    """A third of the coming slots booked at the counter or by phone, through the service."""
    now = timezone.now()
    for slot in LegalSlot.objects.filter(starts_at__gt=now, is_withdrawn=False).order_by("pk"):
        if rng.random() >= 0.33:
            continue
        services.legal_booking_create(
            slot=slot,
            citizen=services.Citizen(
                name=rng.choice(NAMES),
                phone=f"09{rng.randint(10000000, 99999999)}",
                topic=rng.choice(ConsultationTopic.values),
                has_consented=True,
            ),
            channel=rng.choice([BookingChannel.PHONE, BookingChannel.COUNTER]),
            by=desk,
        )
