"""Demo data: the category catalogue and petitions in every state, then each feature's demo data
(see rdec_portal/seeding.py).

At the `demo` scale a few dozen petitions received today go through the real services, so each
has its history, deadline and audit rows and the work queue has cases; the past year's petitions
are bulk-inserted with consistent timestamps (petitions/demo.py) so the monthly dashboard has
figures. At the `city` scale a half-year's volume (DESIGN.md: about 128,000
mailbox, other and dispatch petitions) is bulk-inserted for benchmarks, without history.
"""

import random
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from rdec_portal.accounts import roles
from rdec_portal.accounts.models import Agency
from service_center.hotline import services as hotline_services
from service_center.hotline.demo import seed_hotline
from service_center.legal import services as legal_services
from service_center.legal.demo import seed_legal
from service_center.petitions import services
from service_center.petitions.catalogue import categories_load
from service_center.petitions.demo import HISTORY_KEY, seed_history
from service_center.petitions.models import (
    Category,
    Channel,
    Petition,
    PetitionNumberSequence,
    Status,
)
from service_center.replies.demo import seed_reply_templates

DEMO_PETITIONS = 40
# DESIGN.md, one half-year: 20,262 mailbox + 67,124 other petitions + 41,067 dispatch cases.
CITY_PETITIONS = 128_453
_BATCH = 5_000

SUBJECTS = [
    ("street-light", "路燈不亮", "住家巷口路燈已經三個晚上不亮，行人經過很危險。"),
    ("pothole", "道路坑洞", "機車道上有一個大坑洞，下雨後積水看不到，容易摔車。"),
    ("flooding", "道路積水", "每次下大雨這段路就積水到腳踝，排水溝似乎堵住了。"),
    ("noise", "工廠夜間噪音", "附近工廠每天晚上十點後還在運轉，噪音很大。"),
    ("illegal-parking", "違規停車", "騎樓經常被汽車占用，輪椅無法通行。"),
    ("fallen-tree", "路樹傾倒", "颱風後路樹傾斜壓在機車上，請盡快處理。"),
    ("garbage", "垃圾車未到", "本週垃圾車連續兩天沒有經過本里。"),
    ("suggestion", "公園增設遮陽設施", "建議在兒童遊戲區增設遮陽棚，夏天太熱無法使用。"),
]
# Answers to the categories' required extra questions.
ANSWERS = {
    "street-light": {"lamp_state": "out"},
    "pothole": {"size": "medium"},
    "fallen-tree": {"blocking": "yes"},
    "illegal-parking": {"plate": "ABC-1234"},
}
CHANNELS = [Channel.PHONE_1999, Channel.COUNTER, Channel.LETTER, Channel.FAX, Channel.APP]
DISTRICT_CODES = ["D-SANMIN", "D-LINGYA", "D-GUSHAN", "D-FENGSHAN", "D-ZUOYING", "D-QIANZHEN"]


def seed_legal_and_hotline(*, stdout, scale: str = "demo") -> None:
    """Legal consultation and the hotline volumes: the reference data, then each feature's demo
    data entered as the service centre's first user."""
    venues = legal_services.legal_venues_load()
    types = hotline_services.hotline_call_types_load()
    desk = (
        get_user_model()
        .objects.filter(groups__name=roles.RDEC_SERVICE_CENTER, is_active=True)
        .first()
    )
    if desk is None:
        stdout.write(
            f"service_center: {venues} venues, {types} call types; no service-centre user."
        )
        return
    made = seed_legal(desk=desk, scale=scale)
    months = seed_hotline(desk=desk)
    stdout.write(
        f"service_center: {venues} legal venues, {made} consultations recorded; "
        f"{types} call types, {months} months of hotline volumes."
    )


def seed(*, stdout, scale: str = "demo", **kwargs) -> None:
    count = categories_load()
    seed_legal_and_hotline(stdout=stdout, scale=scale)
    seed_reply_templates(stdout=stdout)
    if scale == "city":
        if Petition.objects.exists():
            stdout.write(f"service_center: {count} categories; petitions already present.")
            return
        stdout.write(f"service_center: {count} categories, {_seed_city()} petitions.")
        return
    past = _seed_past()
    if _today_present():
        stdout.write(
            f"service_center: {count} categories, {past} past petitions; "
            "today's petitions already present."
        )
        return
    stdout.write(
        f"service_center: {count} categories, {past} past petitions, {_seed_demo()} today."
    )


def _today_present() -> bool:
    # Django's exclude keeps the rows whose key is NULL: the petitions filed through the services.
    return Petition.objects.exclude(idempotency_key__startswith=HISTORY_KEY).exists()


def _seed_past() -> int:
    desk, staff_by_agency = _people()
    User = get_user_model()
    supervisors = {
        u.agency_id: u
        for u in User.objects.filter(groups__name=roles.AGENCY_SUPERVISOR, is_active=True).order_by(
            "pk"
        )
    }
    return seed_history(
        desk=desk,
        staff_by_agency=staff_by_agency,
        supervisors=supervisors,
        categories=_categories(),
        districts=list(Agency.objects.filter(code__in=DISTRICT_CODES)),
        channels=CHANNELS,
        subjects=SUBJECTS,
    )


def _categories() -> dict:
    codes = [s[0] for s in SUBJECTS]
    return {c.code: c for c in Category.objects.filter(code__in=codes).select_related("agency")}


def _people():
    User = get_user_model()
    desk = User.objects.filter(groups__name=roles.RDEC_SERVICE_CENTER, is_active=True).first()
    return desk, {
        u.agency_id: u
        for u in User.objects.filter(groups__name=roles.AGENCY_STAFF, is_active=True).order_by("pk")
    }


def _seed_demo() -> int:
    rng = random.Random(1999)
    desk, staff_by_agency = _people()
    categories = _categories()
    districts = list(Agency.objects.filter(code__in=DISTRICT_CODES))
    for n in range(DEMO_PETITIONS):
        code, subject, description = SUBJECTS[n % len(SUBJECTS)]
        with transaction.atomic():
            draft = services.PetitionDraft(
                category=categories[code],
                subject=subject,
                description=description,
                answers=ANSWERS.get(code, {}),
                address=f"高雄市{rng.choice(['三民區', '苓雅區', '鳳山區'])}民族路 {rng.randint(1, 300)} 號",
                name=rng.choice(["陳小華", "林美玲", "王大明", ""]),
                phone=f"09{rng.randint(10000000, 99999999)}",
                has_consented=True,
                channel=rng.choice(CHANNELS),
                district=rng.choice(districts) if districts else None,
            )
            petition = services.petition_submit(draft, by=desk).petition
            _advance(petition, n, desk, staff_by_agency)
    return DEMO_PETITIONS


def _advance(petition, n: int, desk, staff_by_agency) -> None:
    """Move the demo petitions along the workflow so every queue and state has examples."""
    stage = n % 5
    if stage == 0 or desk is None:
        return  # waits at the triage desk
    agency = petition.category.agency
    services.petition_assign(petition=petition, agency=agency, by=desk)
    handler = staff_by_agency.get(agency.pk)
    if stage == 1 or handler is None:
        return
    services.petition_accept(petition=petition, by=handler)
    if stage == 2:
        return
    services.petition_reply(
        petition=petition, by=handler, text="您好，本案已派員至現場查看並完成改善，感謝您的來信。"
    )
    if stage == 4:
        services.petition_close(petition=petition, by=handler)


def _seed_city() -> int:
    """A half-year of petitions, bulk-inserted: numbered per day, spread over the agencies."""
    rng = random.Random(2026)
    categories = list(Category.objects.select_related("agency"))
    districts = list(Agency.objects.filter(kind=Agency.Kind.DISTRICT).values_list("pk", flat=True))
    now = timezone.now()
    start = now - timedelta(days=182)
    per_day: dict = {}
    batch = []
    statuses = [Status.VERIFIED, Status.ASSIGNED, Status.IN_PROGRESS, Status.REPLIED, Status.CLOSED]
    for n in range(CITY_PETITIONS):
        received = start + timedelta(seconds=rng.randint(0, 182 * 86400))
        day = timezone.localdate(received)
        per_day[day] = per_day.get(day, 0) + 1
        category = rng.choice(categories)
        status = (
            statuses[min(4, int((now - received).days / 30))]
            if rng.random() < 0.9
            else Status.ASSIGNED
        )
        batch.append(_city_row(rng, n, received, day, per_day[day], category, status, districts))
        if len(batch) == _BATCH:
            Petition.objects.bulk_create(batch)
            batch = []
    Petition.objects.bulk_create(batch)
    PetitionNumberSequence.objects.bulk_create(
        [PetitionNumberSequence(day=d, last=last) for d, last in per_day.items()],
        ignore_conflicts=True,
    )
    return CITY_PETITIONS


def _city_row(rng, n, received, day, seq, category, status, districts) -> Petition:
    year = day.year - 1911
    code, subject, description = SUBJECTS[n % len(SUBJECTS)]
    due = received + timedelta(days=1 if category.is_dispatch else 9)
    replied = status in (Status.REPLIED, Status.CLOSED)
    return Petition(
        number=f"{year:03d}{day.month:02d}{day.day:02d}-{seq:04d}",
        secret_hash="0" * 64,
        channel=rng.choice(Channel.values),
        status=status,
        category=category,
        lead_agency=None if status == Status.VERIFIED else category.agency,
        district_id=rng.choice(districts) if districts else None,
        subject=subject,
        description=description,
        address="高雄市",
        petitioner_name="市民",
        has_consented=True,
        received_at=received,
        confirmed_at=received,
        assigned_at=None if status == Status.VERIFIED else received,
        due_at=due,
        replied_at=received + timedelta(days=rng.randint(1, 12)) if replied else None,
        closed_at=received + timedelta(days=14) if status == Status.CLOSED else None,
        reply="已處理完成。" if replied else "",
    )
