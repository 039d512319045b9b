"""Nearby open cases of a category, and the citizens who say "me too" to one of them.

Before filing a hazard a citizen sees the open cases of the same category within the category's
radius, and may follow one instead of filing it again. No PostGIS: a bounding box on the indexed
latitude and longitude (index sc_petition_nearby) finds the few candidates in one query, then
the exact great-circle distance is computed in Python.

A follower may leave an email address. It is personal data like the petitioner's: never shown
on a public page, and used only after its owner confirms it through the emailed link (the same
link stops the emails). Followers hear that the case was replied to or closed, not the reply
itself: the reply is written to the petitioner and may name them.
"""

import hashlib
import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from rdec_portal.masking import mask_personal_data
from rdec_portal.workflow.outbox import outbox_enqueue
from service_center.emails import HANDLER, absolute_url
from service_center.models import (
    FOLLOWABLE_STATUSES,
    KAOHSIUNG_BBOX,
    Category,
    Petition,
    PetitionFollower,
    Status,
)

# The IUGG mean Earth radius: within Kaohsiung the sphere is off by well under 0.5%.
EARTH_RADIUS_M = 6_371_008.8
# The box is small (at most a few hundred metres), so this many candidates means a data problem;
# the newest are kept.
MAX_CANDIDATES = 500
MAX_RESULTS = 10
_STEP = Decimal("0.000001")  # the stored precision of a coordinate
_TOKEN_SALT = "service_center.follower.token"  # noqa: S105 - an HMAC salt, not a password


class NearbyError(ValidationError):
    """A nearby search or a "me too" that cannot be done, with a message a person can act on."""


@dataclass(frozen=True)
class NearbyCase:
    """What the public may see of a nearby case: never the petitioner, never the description."""

    number: str
    subject: str  # empty when the petitioner asked for confidentiality
    status: str
    received_at: datetime
    distance_m: int
    followers: int

    @property
    def status_label(self) -> str:
        return Status(self.status).label


# --- geometry -----------------------------------------------------------------------------------


def in_kaohsiung(latitude, longitude) -> bool:
    box = KAOHSIUNG_BBOX
    lat, lon = Decimal(str(latitude)), Decimal(str(longitude))
    return box["lat_min"] <= lat <= box["lat_max"] and box["lon_min"] <= lon <= box["lon_max"]


def distance_m(lat1, lon1, lat2, lon2) -> float:
    """The great-circle (haversine) distance in metres."""
    phi1, phi2 = math.radians(float(lat1)), math.radians(float(lat2))
    dphi = phi2 - phi1
    dlambda = math.radians(float(lon2) - float(lon1))
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def _outward(value: float, rounding) -> Decimal:
    return Decimal(repr(value)).quantize(_STEP, rounding=rounding)


def bounding_box(latitude, longitude, radius_m: float) -> tuple[Decimal, Decimal, Decimal, Decimal]:
    """(lat_min, lat_max, lon_min, lon_max) holding every point within radius_m of the centre.

    The longitude half-width is asin(sin δ / cos φ), the widest the circle gets (at a latitude
    slightly poleward of the centre), so no point of the circle falls outside the box; the box
    is rounded outward to the stored precision.
    """
    lat, lon = float(latitude), float(longitude)
    delta = radius_m / EARTH_RADIUS_M
    dlat = math.degrees(delta)
    dlon = math.degrees(math.asin(min(1.0, math.sin(delta) / math.cos(math.radians(lat)))))
    return (
        _outward(lat - dlat, ROUND_FLOOR),
        _outward(lat + dlat, ROUND_CEILING),
        _outward(lon - dlon, ROUND_FLOOR),
        _outward(lon + dlon, ROUND_CEILING),
    )


# --- the selector -------------------------------------------------------------------------------


def nearby_open_petitions(
    *, category: Category, latitude, longitude, radius_m: int, limit: int = MAX_RESULTS
) -> list[NearbyCase]:
    """Open cases of the category within radius_m of the point, nearest first. One query.

    Open here means a citizen may still follow it: confirmed and not closed, not handled or
    merged (FOLLOWABLE_STATUSES); an unconfirmed web petition is not a case yet.
    """
    if not in_kaohsiung(latitude, longitude):
        raise NearbyError(
            _("This point is outside Kaohsiung. Check the coordinates or leave them out."),
            code="outside",
        )
    if radius_m <= 0:
        return []
    candidates = candidates_in_box(category, *bounding_box(latitude, longitude, radius_m))
    found = []
    for row in candidates:
        metres = distance_m(latitude, longitude, row["latitude"], row["longitude"])
        if metres <= radius_m:
            found.append(_public_case(row, metres))
    found.sort(key=lambda case: (case.distance_m, -case.received_at.timestamp()))
    return found[:limit]


def candidates_in_box(category: Category, lat_min, lat_max, lon_min, lon_max):
    """The open cases of the category inside the box, newest first: an index range scan on
    sc_petition_nearby (category, latitude), longitude checked from the same index."""
    return (
        Petition.objects.filter(
            category=category,
            status__in=FOLLOWABLE_STATUSES,
            latitude__gte=lat_min,
            latitude__lte=lat_max,
            longitude__gte=lon_min,
            longitude__lte=lon_max,
        )
        .values(
            "number",
            "subject",
            "is_confidential",
            "status",
            "received_at",
            "latitude",
            "longitude",
            *PETITIONER_FIELDS,
        )
        .annotate(followers=Count("followers"))
        .order_by("-received_at")[:MAX_CANDIDATES]
    )


PETITIONER_FIELDS = (
    "petitioner_name",
    "petitioner_email",
    "petitioner_phone",
    "petitioner_address",
)


def _masked_subject(row: dict) -> str:
    """The subject with the petitioner's details and any contact data masked: it is public."""
    own = {field.removeprefix("petitioner_"): row[field] for field in PETITIONER_FIELDS}
    return mask_personal_data(row["subject"], **own)


def _public_case(row: dict, metres: float) -> NearbyCase:
    return NearbyCase(
        number=row["number"],
        subject="" if row["is_confidential"] else _masked_subject(row),
        status=row["status"],
        received_at=row["received_at"],
        distance_m=round(metres),
        followers=row["followers"],
    )


def followable_petition(number: str) -> Petition | None:
    """A case a citizen may say "me too" to: open, in a category that offers nearby cases.

    Case numbers are guessable, so nothing else is shown through the "me too" page.
    """
    return (
        Petition.objects.select_related("category")
        .only(
            "number",
            "subject",
            "is_confidential",
            "status",
            "received_at",
            "category__code",
            "category__name_zh",
            "category__name_en",
            "category__nearby_radius_m",
            *PETITIONER_FIELDS,
        )
        .filter(number=number, status__in=FOLLOWABLE_STATUSES, category__nearby_radius_m__gt=0)
        .first()
    )


def follower_count(petition: Petition) -> int:
    """How many citizens said "me too": the number shown as "N citizens reported this too"."""
    counted = getattr(petition, "follower_total", None)
    if counted is not None:
        return counted
    return PetitionFollower.objects.filter(petition=petition).count()


def with_follower_count(petitions: QuerySet[Petition]) -> QuerySet[Petition]:
    """The cases with their "me too" count read in the same query (see follower_count)."""
    followers = (
        PetitionFollower.objects.filter(petition=OuterRef("pk"))
        .order_by()
        .values("petition")
        .annotate(total=Count("pk"))
        .values("total")
    )
    return petitions.annotate(follower_total=Coalesce(Subquery(followers), 0))


# --- "me too" -----------------------------------------------------------------------------------


@dataclass
class Followed:
    follower: PetitionFollower
    created: bool


def _derive_token(petition_id: int, email: str, created_at: datetime, key: str) -> str:
    # Derived, not stored: every later email can carry the same link, and a stolen copy of the
    # database alone cannot produce it. A new "me too" after stopping gets a new link.
    value = f"{petition_id}:{email}:{created_at.isoformat()}"
    return salted_hmac(_TOKEN_SALT, value, secret=key, algorithm="sha256").hexdigest()


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def follower_token(follower: PetitionFollower) -> str | None:
    """The follower's link token (None without an address).

    After a SECRET_KEY rotation the token made with the old key (still in the fallbacks) is
    kept while it lasts; once that key is gone the link is made anew with the current one.
    """
    if not follower.email:
        return None
    keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    args = (follower.petition_id, follower.email, follower.created_at)
    for key in keys:
        token = _derive_token(*args, key)
        if _hash_token(token) == follower.token_hash:
            return token
    token = _derive_token(*args, settings.SECRET_KEY)
    PetitionFollower.objects.filter(pk=follower.pk).update(token_hash=_hash_token(token))
    return token


def _clean_email(email: str) -> str:
    email = (email or "").strip().lower()
    if email:
        try:
            validate_email(email)
        except ValidationError as exc:
            raise NearbyError({"email": _("Enter a valid email address.")}) from exc
    return email


@transaction.atomic
def petition_follow(*, petition: Petition, email: str = "", language: str = "zh-hant") -> Followed:
    """Say "me too" to an open case. The same address twice counts once.

    With an address, a link to confirm it is emailed; updates go only to confirmed addresses.
    """
    email = _clean_email(email)
    locked = Petition.objects.select_for_update().filter(pk=petition.pk).first()
    if locked is None or locked.status not in FOLLOWABLE_STATUSES:
        raise NearbyError(
            _("This case is closed: file a new petition if the problem is back."), code="closed"
        )
    if email:
        existing = PetitionFollower.objects.filter(petition=locked, email=email).first()
        if existing is not None:
            return Followed(existing, False)
    now = timezone.now()
    token = _derive_token(locked.pk, email, now, settings.SECRET_KEY) if email else None
    try:
        with transaction.atomic():
            follower = PetitionFollower.objects.create(
                petition=locked,
                email=email,
                language=language,
                token_hash=_hash_token(token) if token else None,
                created_at=now,
            )
    except IntegrityError:  # the same address, sent twice at once
        return Followed(PetitionFollower.objects.get(petition=locked, email=email), False)
    if token:
        _email_follower(
            follower, locked, template="confirm", key=f"petition:{locked.pk}:follower:{follower.pk}"
        )
    return Followed(follower, True)


def follower_from_token(token: str) -> PetitionFollower | None:
    return (
        PetitionFollower.objects.select_related("petition")
        .filter(token_hash=_hash_token(token or ""))
        .first()
    )


def _locked_follower(token: str) -> PetitionFollower:
    follower = (
        PetitionFollower.objects.select_for_update()
        .filter(token_hash=_hash_token(token or ""))
        .first()
    )
    if follower is None:
        raise NearbyError(
            _("This link is not valid, or the updates were already stopped."), code="invalid"
        )
    return follower


@transaction.atomic
def petition_follow_confirm(*, token: str) -> PetitionFollower:
    """The follower confirms the address: from now on the case's updates are emailed to it."""
    follower = _locked_follower(token)
    if follower.confirmed_at is None:
        follower.confirmed_at = timezone.now()
        follower.save(update_fields=["confirmed_at"])
    return follower


# A follower whose address is forgotten: no address, no link, no updates (the count stays).
_FORGOTTEN = {"email": "", "token_hash": None, "confirmed_at": None}


@transaction.atomic
def petition_unfollow(*, token: str) -> PetitionFollower:
    """Stop the emails and forget the address; the "me too" itself still counts."""
    follower = _locked_follower(token)
    for name, value in _FORGOTTEN.items():
        setattr(follower, name, value)
    follower.save(update_fields=list(_FORGOTTEN))
    return follower


# A follower's address serves the case's updates; once the case has ended and stayed ended this
# long (well past the 14-day reopen window, which reopening restarts), nothing more is sent to
# it, so it is forgotten as petition_unfollow does. The "me too" itself still counts.
FOLLOWER_ADDRESS_DAYS = 30
_ENDED = (Status.CLOSED, Status.NOT_HANDLED, Status.MERGED)


def followers_forget_addresses(*, now: datetime | None = None) -> int:
    """Forget the addresses of the followers of every case ended more than
    FOLLOWER_ADDRESS_DAYS ago (run daily, tasks.py). Idempotent; returns how many it forgot."""
    cutoff = (now or timezone.now()) - timedelta(days=FOLLOWER_ADDRESS_DAYS)
    ended = Petition.objects.filter(status__in=_ENDED, closed_at__lt=cutoff)
    return (
        PetitionFollower.objects.filter(petition__in=ended).exclude(email="").update(**_FORGOTTEN)
    )


# --- emails to followers ------------------------------------------------------------------------

# The updates a follower hears about, by the event that causes them.
UPDATE_EVENTS = ("replied", "closed", "not_handled", "merged")


def followers_notify(*, petition: Petition, event: str) -> int:
    """Queue one email per confirmed follower, in the caller's transaction. Returns how many.

    Keyed per follower, event and round (a reopened case is replied to again), so a retried
    step sends nothing twice.
    """
    if event not in UPDATE_EVENTS:
        raise ValueError(f"Unknown follower event {event!r}.")
    followers = PetitionFollower.objects.filter(
        petition=petition, confirmed_at__isnull=False
    ).exclude(email="")
    count = 0
    for follower in followers:
        _email_follower(
            follower,
            petition,
            template="update",
            key=f"petition:{petition.pk}:follower:{follower.pk}:{event}:{petition.reopen_count}",
            event=event,
        )
        count += 1
    return count


def _email_follower(follower, petition, *, template: str, key: str, **context) -> None:
    manage_url = absolute_url("service_center:follow_manage", follower_token(follower))
    with translation.override(follower.language or settings.LANGUAGE_CODE):
        full = {"petition": petition, "manage_url": manage_url, **context}
        text = render_to_string(f"service_center/nearby/email/{template}.txt", full).strip()
    subject, _blank, body = text.partition("\n")
    outbox_enqueue(
        handler=HANDLER,
        payload={
            "to": [follower.email],
            "subject": subject.strip(),
            "body": body.strip(),
            "key": key,
        },
        key=key,
    )
