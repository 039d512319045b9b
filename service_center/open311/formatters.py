"""Model objects to Open311 data, field by field in the specification's order.

Nothing personal is ever put in: no petitioner name, email, phone or postal address, no agency
reply (it is addressed to the petitioner), no note. A confidential petition (the citizen asked
to keep their identity confidential) also shows no description, place, point or media: only
that it exists, its service, status, agency and dates.
"""

import functools
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from service_center.open311.selectors import open311_status
from service_center.petitions.models import Category, NotHandledReason, Petition, Status, Topic
from service_center.petitions.privacy import petition_mask
from service_center.petitions.questions import LIST_TYPES, question_text, value_name

_DATATYPE_DESCRIPTIONS = {
    "number": gettext_lazy("A number, e.g. 3 or 2.5."),
    "datetime": gettext_lazy("A date and time in ISO 8601, e.g. 2026-11-26T10:00:00+08:00."),
    "singlevaluelist": gettext_lazy("One of the listed keys."),
    "multivaluelist": gettext_lazy("One or more of the listed keys, as attribute[code][]=key."),
}


def w3c(moment: datetime | None) -> str | None:
    """W3C date and time with the offset, in Taipei time: 2026-11-26T10:00:00+08:00."""
    if moment is None:
        return None
    # The portal's zone straight from the settings (three dates for each of up to a thousand
    # requests): timezone.localtime() would look the active zone up every time.
    return moment.astimezone(_portal_zone()).isoformat(timespec="seconds")


@functools.cache
def _portal_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def _coordinate(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def service_notice(category: Category) -> str:
    """The handling limit the agency works to, as the standard's `service_notice`."""
    if category.limit_hours:
        return _("Dispatch case: the responsible agency reports back within %(hours)d hours.") % {
            "hours": category.limit_hours
        }
    if category.limit_working_days == 1:
        return _("The responsible agency replies within 1 working day.")
    return _("The responsible agency replies within %(days)d working days.") % {
        "days": category.limit_working_days
    }


def service(category: Category) -> dict:
    return {
        "service_code": category.code,
        "service_name": category.name,
        "description": category.hint or category.name,
        "metadata": bool(category.questions),
        # Every petition gets its case number at once: no tokens to wait for.
        "type": "realtime",
        "keywords": ", ".join(dict.fromkeys([category.name_zh, category.name_en])),
        "group": str(Topic(category.topic).label) if category.topic in Topic.values else "",
    }


def _attribute(question: dict, order: int) -> dict:
    datatype = question["datatype"]
    attribute = {
        "variable": True,
        "code": question["code"],
        "datatype": datatype,
        "required": bool(question.get("required")),
        "datatype_description": (
            str(_DATATYPE_DESCRIPTIONS[datatype]) if datatype in _DATATYPE_DESCRIPTIONS else None
        ),
        "order": order,
        "description": question_text(question),
    }
    if datatype in LIST_TYPES:
        attribute["values"] = [
            {"key": value["key"], "name": value_name(value)} for value in question["values"]
        ]
    return attribute


def service_definition(category: Category) -> dict:
    # The standard wants orders 1, 2, 3 ... unique per service; the catalogue's may have gaps.
    questions = sorted(category.questions, key=lambda q: q.get("order", 0))
    return {
        "service_code": category.code,
        "attributes": [_attribute(q, i) for i, q in enumerate(questions, start=1)],
    }


def status_notes(petition: Petition) -> str:
    status = petition.status
    if status == Status.NOT_HANDLED:
        reason = NotHandledReason(petition.not_handled_reason).label
        return _("Closed without handling: %(reason)s.") % {"reason": reason}
    if status == Status.MERGED:
        return _("Merged into case %(number)s, which answers both.") % {
            "number": petition.merged_into.number
        }
    return _status_notes(get_language()).get(status) or petition.get_status_display()


@functools.cache
def _status_notes(language: str) -> dict[str, str]:
    # Translated once per language, not five times for each of a thousand requests.
    return {
        Status.VERIFIED: _("Received; waiting to be assigned to the responsible agency."),
        Status.ASSIGNED: _("Assigned to the responsible agency."),
        Status.IN_PROGRESS: _("The responsible agency is handling it."),
        Status.REPLIED: _("The responsible agency has replied to the petitioner."),
        Status.CLOSED: _("Closed after the agency's reply."),
    }


def _updated(petition: Petition, status: str) -> datetime:
    # For a closed request the standard wants the date it was closed.
    if status == "closed":
        return petition.closed_at or petition.replied_at or petition.updated_at
    return petition.updated_at


def _media_url(petition: Petition) -> str | None:
    first = (petition.media_url or "").strip().splitlines()[:1]
    return first[0] if first else None


def _notes(petition: Petition) -> list[dict]:
    # The public history's steps only: their texts (a reply, a transfer reason) are written to
    # the petitioner and may name them.
    return [
        {
            "datetime": w3c(event.created_at),
            "description": event.get_kind_display(),
            "type": event.kind,
        }
        for event in petition.public_events
    ]


def _service_fields(category: Category) -> dict:
    return {
        "service_name": category.name,
        "service_code": category.code,
        "service_notice": service_notice(category),
    }


def service_requests(petitions, *, with_notes: bool = False) -> list[dict]:
    """A list's requests: each service's and agency's texts are worked out once per list."""
    services, agencies = {}, {}
    rows = []
    for petition in petitions:
        if petition.category_id not in services:
            services[petition.category_id] = _service_fields(petition.category)
        agency = petition.lead_agency
        if agency is not None and agency.pk not in agencies:
            agencies[agency.pk] = agency.name
        rows.append(
            service_request(
                petition,
                with_notes=with_notes,
                service=services[petition.category_id],
                agency_name=agencies[agency.pk] if agency is not None else None,
            )
        )
    return rows


def service_request(
    petition: Petition,
    *,
    with_notes: bool = False,
    service: dict | None = None,
    agency_name: str | None = None,
) -> dict:
    status = open311_status(petition.status)
    hidden = petition.is_confidential
    if service is None:
        service = _service_fields(petition.category)
        agency_name = petition.lead_agency.name if petition.lead_agency else None
    masker = petition_mask(petition)
    data = {
        "service_request_id": petition.number,
        "status": status,
        "status_notes": status_notes(petition),
        "service_name": service["service_name"],
        "service_code": service["service_code"],
        "description": None if hidden else masker(petition.description),
        "agency_responsible": agency_name,
        "service_notice": service["service_notice"],
        "requested_datetime": w3c(petition.received_at),
        "updated_datetime": w3c(_updated(petition, status)),
        "expected_datetime": w3c(petition.due_at) if status == "open" else None,
        "address": None if hidden else (masker(petition.address) or None),
        "address_id": None,
        "zipcode": None,
        "lat": None if hidden else _coordinate(petition.latitude),
        "long": None if hidden else _coordinate(petition.longitude),
        "media_url": None if hidden else _media_url(petition),
    }
    if with_notes:
        data["notes"] = _notes(petition)
    return data
