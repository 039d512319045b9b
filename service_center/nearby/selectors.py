"""Reads of nearby cases: the open cases of a category around a point (no PostGIS: a bounding box
on the indexed latitude and longitude, then the exact distance in Python), a case a citizen may
follow, follower counts."""

import math
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from django.core.exceptions import ValidationError
from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from rdec_portal.masking import mask_personal_data
from service_center.nearby.models import PetitionFollower
from service_center.nearby.tokens import hash_token
from service_center.petitions.models import (
    FOLLOWABLE_STATUSES,
    KAOHSIUNG_BBOX,
    Category,
    Petition,
    Status,
)
from service_center.petitions.privacy import PETITIONER_FIELDS

# The IUGG mean Earth radius: within Kaohsiung the sphere is off by well under 0.5%.
EARTH_RADIUS_M = 6_371_008.8


# The box is small (at most a few hundred metres), so this many candidates means a data problem;
# the newest are kept.
MAX_CANDIDATES = 500


MAX_RESULTS = 10

# The public list says how far a case is only as a band ("within 100 m"), never to the metre:
# exact distances from a few query points give away the case's point (trilateration). A citizen
# deciding whether a case is their problem needs no more than this. Beyond the last band the
# category's radius is the answer.
DISTANCE_BANDS_M = (50, 100, 200, 500)


_STEP = Decimal("0.000001")  # the stored precision of a coordinate


class NearbyError(ValidationError):
    """A nearby search or a "me too" that cannot be done, with a message a person can act on."""


@dataclass(frozen=True)
class NearbyCase:
    """What the public may see of a nearby case: never the petitioner, never the description."""

    number: str
    subject: str  # empty when the petitioner asked for confidentiality
    status: str
    received_at: datetime
    within_m: int  # a band of DISTANCE_BANDS_M, never the exact distance
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


def distance_band(metres: float, radius_m: int) -> int:
    """The smallest band holding the distance: what the public sees instead of the metres."""
    return next((band for band in DISTANCE_BANDS_M if metres <= band), max(radius_m, round(metres)))


def nearby_open_petitions(
    *, category: Category, latitude, longitude, radius_m: int, limit: int = MAX_RESULTS
) -> list[NearbyCase]:
    """Open cases of the category within radius_m of the point, nearest band first, newest
    first within a band (no order by metres, which would leak them again). One query.

    Open here means a citizen may still follow it: confirmed and not closed, not handled or
    merged (FOLLOWABLE_STATUSES); an unconfirmed web petition is not a case yet. A confidential
    case is never listed: even a band, asked from enough points, narrows down where it is.
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
            found.append(_public_case(row, distance_band(metres, radius_m)))
    found.sort(key=lambda case: (case.within_m, -case.received_at.timestamp()))
    return found[:limit]


def candidates_in_box(category: Category, lat_min, lat_max, lon_min, lon_max):
    """The open cases of the category inside the box, newest first: an index range scan on
    sc_petition_nearby (category, latitude), longitude checked from the same index."""
    return (
        Petition.objects.filter(
            category=category,
            status__in=FOLLOWABLE_STATUSES,
            is_confidential=False,
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


def _masked_subject(row: dict) -> str:
    """The subject with the petitioner's details and any contact data masked: it is public."""
    own = {field.removeprefix("petitioner_"): row[field] for field in PETITIONER_FIELDS}
    return mask_personal_data(row["subject"], **own)


def _public_case(row: dict, within_m: int) -> NearbyCase:
    return NearbyCase(
        number=row["number"],
        subject="" if row["is_confidential"] else _masked_subject(row),
        status=row["status"],
        received_at=row["received_at"],
        within_m=within_m,
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


def follower_from_token(token: str) -> PetitionFollower | None:
    return (
        PetitionFollower.objects.select_related("petition")
        .filter(token_hash=hash_token(token or ""))
        .first()
    )
