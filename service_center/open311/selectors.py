"""The public reads behind Open311: active categories and the petitions anyone may list.

No login here, so nothing is scoped to a user; instead only the public statuses are listed, and
the formatters (formatters.py) decide which fields leave the building.
"""

from datetime import datetime

from django.db.models import Max, Prefetch, QuerySet

from service_center.petitions.catalogue_cache import active_category_by_code
from service_center.petitions.models import Category, Petition, PetitionEvent, Status

# Open311 knows two states. "open": the city still owes an answer. "closed": the agency has
# answered (a reply; the citizen may still reopen it, and then it is open again), or the case
# ended without one (not handled, merged into another case).
OPEN = (Status.VERIFIED, Status.ASSIGNED, Status.IN_PROGRESS)
CLOSED = (Status.REPLIED, Status.CLOSED, Status.NOT_HANDLED, Status.MERGED)
# Everything else is not a request yet, or never became one (an unconfirmed web form, one that
# expired unconfirmed): it is not listed and its number answers 404. A status added later is
# hidden until someone decides where it belongs (a test lists every status).
PUBLIC_STATUSES = (*OPEN, *CLOSED)

# What the formatters read, and nothing else. The petitioner's name, email, phone and postal
# address are loaded only to mask them if the citizen typed them into the description; they never leave.
_FIELDS = (
    "number",
    "status",
    "description",
    "address",
    "latitude",
    "longitude",
    "media_url",
    "is_confidential",
    "not_handled_reason",
    "received_at",
    "updated_at",
    "due_at",
    "replied_at",
    "closed_at",
    "petitioner_name",
    "petitioner_email",
    "petitioner_phone",
    "petitioner_address",
    "category__code",
    "category__name_zh",
    "category__name_en",
    "category__is_dispatch",
    "category__limit_hours",
    "category__limit_working_days",
    "lead_agency__name_zh",
    "lead_agency__name_en",
    "merged_into__number",
)


def open311_status(status: str) -> str | None:
    """ "open", "closed", or None for a status that is not public."""
    if status in OPEN:
        return "open"
    if status in CLOSED:
        return "closed"
    return None


def open311_services() -> QuerySet[Category]:
    return Category.objects.active()


def open311_service(code: str) -> Category | None:
    return active_category_by_code(code)


def open311_changeset() -> datetime | None:
    """When the service list or a service definition last changed."""
    return Category.objects.aggregate(last=Max("updated_at"))["last"]


def open311_requests(*, with_notes: bool = False) -> QuerySet[Petition]:
    """Public petitions, newest first, in one query (two with the public history)."""
    qs = (
        Petition.objects.filter(status__in=PUBLIC_STATUSES)
        .select_related("category", "lead_agency", "merged_into")
        .only(*_FIELDS)
        .order_by("-received_at", "-id")
    )
    if with_notes:
        public_events = (
            PetitionEvent.objects.filter(is_public=True)
            .only("petition_id", "kind", "created_at")
            .order_by("created_at", "id")
        )
        qs = qs.prefetch_related(
            Prefetch("events", queryset=public_events, to_attr="public_events")
        )
    return qs


def open311_request(number: str, *, with_notes: bool = False) -> Petition | None:
    return open311_requests(with_notes=with_notes).filter(number=number).first()
