"""The Open311 GeoReport v2 endpoints, each in .xml and .json.

Thin: `endpoint` checks the format, the method and jurisdiction_id and turns an Open311Error
into the standard's error list; query.py and intake.py read the arguments; the selectors read,
the services write, the formatters decide what is shown.
"""

import functools

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt

from rdec_portal.localise import portal_language
from service_center.open311 import formatters, selectors
from service_center.open311.auth import api_key_from, api_key_user, check_rate
from service_center.open311.errors import (
    Open311Error,
    bad_request,
    method_not_allowed,
    not_found,
)
from service_center.open311.intake import parse_submission
from service_center.open311.query import filter_requests, parse_request_query
from service_center.open311.render import CONTENT_TYPES, render, render_error
from service_center.open311.services import open311_request_submit
from service_center.petitions.services import PetitionError

# The city's root domain, as the standard suggests. One endpoint serves one jurisdiction, so
# the argument may be left out; any other value is a jurisdiction this endpoint does not know.
JURISDICTION_ID = "kcg.gov.tw"
SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
# The petition service's field names, as the Open311 argument a client should fix.
_ARGUMENTS = {
    "category": "service_code",
    "subject": "description",
    "description": "description",
    "latitude": "lat",
    "longitude": "long",
    "has_consented": "email",
}


def _check_jurisdiction(request) -> None:
    value = (
        request.GET.get("jurisdiction_id") or request.POST.get("jurisdiction_id") or ""
    ).strip()
    if value and value.lower() != JURISDICTION_ID:
        raise not_found(
            _("jurisdiction_id “%(value)s” was not found; this endpoint serves %(ours)s.")
            % {"value": value[:60], "ours": JURISDICTION_ID}
        )


def endpoint(*methods):
    """Format by extension, allowed methods and jurisdiction, errors in the standard's shape."""

    def decorate(view):
        # No endpoint reads a session or cookie: a key in the form is the only credential.
        @csrf_exempt
        @functools.wraps(view)
        def wrapper(request, *args, fmt, **kwargs):
            fmt = fmt.lower()
            try:
                if fmt not in CONTENT_TYPES:
                    raise not_found(
                        _("Format “%(format)s” is not offered: use .xml or .json.")
                        % {"format": fmt[:10]}
                    )
                if request.method not in methods:
                    raise method_not_allowed(request.method, methods)
                _check_jurisdiction(request)
                return view(request, *args, fmt=fmt, **kwargs)
            except Open311Error as error:
                return render_error(error, fmt)

        return wrapper

    return decorate


def _base_url() -> str:
    discovery_path = reverse("open311:discovery", kwargs={"fmt": "xml"})
    return f"{settings.SITE_URL}{discovery_path.rsplit('/', 1)[0]}/"


@endpoint("GET", "HEAD")
def discovery(request, fmt):
    changed = formatters.w3c(selectors.open311_changeset()) or ""
    data = {
        "changeset": changed,
        "contact": _(
            "Citizen service centre, Research, Development and Evaluation Commission, "
            "Kaohsiung City Government: call 1999 (24 hours) or use the petition form at %(url)s."
        )
        % {"url": f"{settings.SITE_URL}{reverse('service_center:petition_new')}"},
        "key_service": _(
            "Filing needs an API key of a system account with the service centre's role: ask the "
            "citizen service centre for the account, then create the key under My account → API "
            "tokens (%(url)s)."
        )
        % {"url": f"{settings.SITE_URL}{reverse('accounts:tokens')}"},
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": _base_url(),
                "changeset": changed,
                "type": "production" if settings.PRODUCTION else "test",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }
    return render(data, root="discovery", fmt=fmt)


@endpoint("GET", "HEAD")
def services(request, fmt):
    data = [formatters.service(category) for category in selectors.open311_services()]
    return render(data, root="services", fmt=fmt)


@endpoint("GET", "HEAD")
def service_definition(request, code, fmt):
    category = selectors.open311_service(code)
    if category is None:
        raise not_found(_("service_code “%(code)s” was not found.") % {"code": code[:60]})
    return render(formatters.service_definition(category), root="service_definition", fmt=fmt)


def _list_requests(request, fmt):
    query = parse_request_query(request.GET, now=timezone.now())
    petitions = filter_requests(selectors.open311_requests(with_notes=query.with_notes), query)
    data = formatters.service_requests(petitions, with_notes=query.with_notes)
    return render(data, root="service_requests", fmt=fmt)


def _petition_errors(exc: PetitionError) -> Open311Error:
    messages = []
    for name, texts in exc.message_dict.items():
        argument = f"attribute[{name[2:]}]" if name.startswith("q_") else _ARGUMENTS.get(name, name)
        messages.extend(f"{argument}: {text}" for text in texts)
    return bad_request(*messages)


def _create_request(request, fmt):
    user, token = api_key_user(api_key_from(request))
    check_rate(token)
    code = (request.POST.get("service_code") or "").strip()
    if not code:
        raise bad_request(_("service_code was not provided."))
    category = selectors.open311_service(code)
    if category is None:
        raise not_found(_("service_code “%(code)s” was not found.") % {"code": code[:60]})
    submission = parse_submission(request.POST, category.questions)
    language = portal_language()
    try:
        petition = open311_request_submit(
            by=user, category=category, submission=submission, language=language, request=request
        )
    except PetitionError as exc:
        raise _petition_errors(exc) from None
    data = [
        {
            "service_request_id": petition.number,
            "service_notice": formatters.service_notice(category),
        }
    ]
    return render(data, root="service_requests", fmt=fmt)


@never_cache
@endpoint("GET", "HEAD", "POST")
def requests(request, fmt):
    if request.method == "POST":
        return _create_request(request, fmt)
    return _list_requests(request, fmt)


@endpoint("GET", "HEAD")
def service_request(request, number, fmt):
    with_notes = request.GET.get("extensions", "").strip().lower() == "true"
    petition = selectors.open311_request(number, with_notes=with_notes)
    if petition is None:
        raise not_found(_("service_request_id “%(id)s” was not found.") % {"id": number[:60]})
    data = [formatters.service_request(petition, with_notes=with_notes)]
    return render(data, root="service_requests", fmt=fmt)


@endpoint("GET", "HEAD")
def token_lookup(request, token, fmt):
    # Requests are realtime (POST answers the case number at once), so there are no pending
    # tokens; a client that resolves one anyway passes the case number and gets it back.
    petition = selectors.open311_request(token)
    if petition is None:
        raise not_found(_("token “%(token)s” was not found.") % {"token": token[:60]})
    return render(
        [{"service_request_id": petition.number, "token": token}], root="service_requests", fmt=fmt
    )
