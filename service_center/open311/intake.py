"""Reading a POST requests form (application/x-www-form-urlencoded) into a typed submission.

Each bad argument is reported in the standard's error list, all at once; the petition rules
themselves (the 4,000-character limit, the answers to the category's questions, Kaohsiung's
bounds) stay in the petition service, whose errors views.py maps back to argument names.
"""

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.utils.translation import gettext as _

from service_center.open311.errors import bad_request
from service_center.petitions.models import (
    ADDRESS_MAX_LENGTH,
    KAOHSIUNG_BBOX,
    NAME_MAX_LENGTH,
    PHONE_MAX_LENGTH,
)

_ATTRIBUTE = re.compile(r"^attribute\[([^\[\]]+)\](\[\])?$")
MAX_MEDIA_URLS = 5
MAX_MEDIA_URL_LENGTH = 500
_URL = URLValidator(schemes=["http", "https"])
# The columns' lengths: a longer value is an error naming its argument, not a database error
# (a 500). The two name parts are joined with a space into the petitioner's name.
TEXT_MAX_LENGTHS = {
    "address_string": ADDRESS_MAX_LENGTH,
    "first_name": (NAME_MAX_LENGTH - 1) // 2,
    "last_name": (NAME_MAX_LENGTH - 1) // 2,
    "phone": PHONE_MAX_LENGTH,
    "email": 254,
}


@dataclass
class Open311Submission:
    description: str = ""
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    address: str = ""
    answers: dict = field(default_factory=dict)
    first_name: str = ""
    last_name: str = ""
    email: str = ""
    phone: str = ""
    media_urls: list[str] = field(default_factory=list)


def _text(post, name: str) -> str:
    return (post.get(name) or "").strip()


def _coordinate(post, name: str, errors: list) -> Decimal | None:
    text = _text(post, name)
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite():
        errors.append(_("%(name)s must be a number in decimal degrees (WGS84).") % {"name": name})
        return None
    return value


def _point(post, errors: list) -> tuple[Decimal | None, Decimal | None]:
    before = len(errors)
    lat, lon = _coordinate(post, "lat", errors), _coordinate(post, "long", errors)
    if len(errors) > before:
        return None, None
    if (lat is None) != (lon is None):
        errors.append(_("Send both lat and long, or neither."))
        return None, None
    box = KAOHSIUNG_BBOX
    if lat is not None and not (
        box["lat_min"] <= lat <= box["lat_max"] and box["lon_min"] <= lon <= box["lon_max"]
    ):
        errors.append(
            _(
                "lat/long %(lat)s, %(long)s is outside Kaohsiung City "
                "(latitude 22.40 to 23.50, longitude 120.15 to 121.05)."
            )
            % {"lat": lat, "long": lon}
        )
        return None, None
    return lat, lon


def _answers(post, questions: list[dict], errors: list) -> dict:
    """attribute[code]=value, and attribute[code][]=v1&attribute[code][]=v2 for several."""
    raw: dict[str, list[str]] = {}
    for key in post:
        match = _ATTRIBUTE.match(key)
        if match:
            values = [v.strip() for v in post.getlist(key) if v.strip()]
            raw.setdefault(match.group(1), []).extend(values)
    answers = {}
    # Codes the category does not ask about (e.g. a client's own reference) are left out.
    for question in questions:
        code, values = question["code"], raw.get(question["code"], [])
        if question["datatype"] == "multivaluelist":
            answers[code] = values
        elif len(values) > 1:
            errors.append(_("attribute[%(code)s] takes one value.") % {"code": code})
        else:
            answers[code] = values[0] if values else ""
    return answers


def _media_urls(post, errors: list) -> list[str]:
    urls = [u.strip() for u in post.getlist("media_url") if u.strip()]
    if len(urls) > MAX_MEDIA_URLS:
        errors.append(_("Send at most %(max)d media_url values.") % {"max": MAX_MEDIA_URLS})
        return []
    for url in urls:
        try:
            if len(url) > MAX_MEDIA_URL_LENGTH:
                raise ValidationError("too long")
            _URL(url)
        except ValidationError:
            errors.append(
                _("media_url must be an http or https address of at most 500 characters.")
            )
            return []
    return urls


def _email(post, errors: list) -> str:
    email = _text(post, "email")
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors.append(_("email is not a valid email address."))
            return ""
    return email


def _lengths(post, errors: list) -> None:
    for name, limit in TEXT_MAX_LENGTHS.items():
        if len(_text(post, name)) > limit:
            errors.append(
                _("%(name)s may have at most %(max)d characters.") % {"name": name, "max": limit}
            )


def parse_submission(post, questions: list[dict]) -> Open311Submission:
    """The form's arguments, checked for shape; raises an Open311Error listing every bad one."""
    errors: list[str] = []
    _lengths(post, errors)
    lat, lon = _point(post, errors)
    address = _text(post, "address_string")
    if lat is None and not address and not errors:
        if _text(post, "address_id"):
            errors.append(
                _("address_id is not supported here: send lat and long, or address_string.")
            )
        else:
            errors.append(_("A location is required: send lat and long, or address_string."))
    submission = Open311Submission(
        description=_text(post, "description"),
        latitude=lat,
        longitude=lon,
        address=address,
        answers=_answers(post, questions, errors),
        first_name=_text(post, "first_name"),
        last_name=_text(post, "last_name"),
        email=_email(post, errors),
        phone=_text(post, "phone"),
        media_urls=_media_urls(post, errors),
    )
    if errors:
        raise bad_request(*errors)
    return submission
