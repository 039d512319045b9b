"""Open311 errors: a list of {code, description} with the HTTP status the specification asks
for — 404 for what does not exist, 403 for a missing or invalid api_key, 400 for the rest."""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _


@dataclass
class Open311Error(Exception):
    status: int
    # (code, description) pairs; the code may be more specific than the HTTP status.
    errors: list[tuple[int, str]]
    headers: dict[str, str] = field(default_factory=dict)


def bad_request(*descriptions) -> Open311Error:
    return Open311Error(400, [(400, str(d)) for d in descriptions])


def forbidden(description) -> Open311Error:
    return Open311Error(403, [(403, str(description))])


def not_found(description) -> Open311Error:
    return Open311Error(404, [(404, str(description))])


def method_not_allowed(method: str, allowed) -> Open311Error:
    return Open311Error(
        405,
        [(405, _("Method %(method)s is not allowed here.") % {"method": method[:10]})],
        headers={"Allow": ", ".join(allowed)},
    )
