"""Citizens' pages for nearby open cases and "me too". No login; never personal data.

The list works three ways: as an HTML fragment that map.js (or htmx) puts into the petition
form, as JSON for other clients, and without JavaScript as a step of the form itself: the first
post with a point in a category with a radius shows the nearby cases above the typed form, and
the citizen either says "me too" to one or ticks "none of these is my problem" and sends again.
"""

from django.contrib import messages
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from rdec_portal.client import client_address
from rdec_portal.localise import portal_language
from rdec_portal.ratelimit import RateLimit
from service_center.nearby import selectors, services
from service_center.nearby.forms import FILE_ANYWAY, FollowForm, NearbyQueryForm
from service_center.nearby.selectors import NearbyError
from service_center.petitions.models import Petition
from service_center.petitions.privacy import petition_mask

FOLLOWED_SESSION_KEY = "service_center_followed"
# "Me too" answers allowed per address in the window: enough for a household behind one router.
FOLLOW_LIMIT_PER_ADDRESS = 20
FOLLOW_WINDOW_SECONDS = 60 * 60
# Nearby lists per address in the window: the petition form asks once per move of the pin or
# change of category, so a citizen uses a handful; a script mapping the city uses thousands.
NEARBY_LIMIT_PER_ADDRESS = 60
NEARBY_WINDOW_SECONDS = 10 * 60


def _nearby_limit() -> RateLimit:
    return RateLimit("sc.nearby.address", NEARBY_LIMIT_PER_ADDRESS, NEARBY_WINDOW_SECONDS)


def _wants_json(request) -> bool:
    if request.GET.get("format") == "json":
        return True
    accept = request.headers.get("Accept", "")
    return "application/json" in accept and "text/html" not in accept


def _as_json(case) -> dict:
    return {
        "number": case.number,
        "subject": case.subject,
        "status": case.status,
        "status_label": str(case.status_label),
        "within_m": case.within_m,
        "received_at": case.received_at.isoformat(),
        "followers": case.followers,
        "me_too_url": reverse("service_center:me_too", args=[case.number]),
    }


@never_cache
@require_GET
def nearby_list(request):
    """GET ?category=<id or code>&lat=&lon=: open cases of the category near the point."""
    decision = _nearby_limit().hit(client_address(request))
    if not decision.allowed:
        errors = [
            _("Too many searches from this connection. Please try again in %(minutes)d minutes.")
            % {"minutes": -(-decision.retry_after // 60)}
        ]
        if _wants_json(request):
            response = JsonResponse({"errors": errors}, status=429)
        else:
            context = {"nearby_errors": errors}
            response = render(request, "service_center/nearby/_list.html", context, status=429)
        response["Retry-After"] = str(decision.retry_after)
        return response
    form = NearbyQueryForm(request.GET)
    if not form.is_valid():
        errors = [str(m) for msgs in form.errors.values() for m in msgs]
        if _wants_json(request):
            return JsonResponse({"errors": errors}, status=400)
        context = {"nearby_errors": errors}
        return render(request, "service_center/nearby/_list.html", context, status=400)
    category = form.cleaned_data["category"]
    cases = selectors.nearby_open_petitions(
        category=category,
        latitude=form.cleaned_data["lat"],
        longitude=form.cleaned_data["lon"],
        radius_m=category.nearby_radius_m,
    )
    if _wants_json(request):
        return JsonResponse(
            {"radius_m": category.nearby_radius_m, "results": [_as_json(c) for c in cases]}
        )
    context = {"nearby_cases": cases, "radius_m": category.nearby_radius_m}
    return render(request, "service_center/nearby/_list.html", context)


def nearby_step(request, form):
    """The petition form's no-JavaScript step: the page with the nearby cases, or None to file.

    Shown when the category has a radius, a point is given, open cases lie within the radius
    and the citizen has not yet ticked "none of these is my problem".
    """
    data = form.cleaned_data
    category = data.get("category")
    if (
        category is None
        or not category.nearby_radius_m
        or data.get("latitude") is None
        or request.POST.get(FILE_ANYWAY)
        # The same form again (a double click, a reload): it is filed already, thank the sender.
        or Petition.objects.filter(idempotency_key=data.get("idempotency_key")).exists()
        # The list's own limit, so the form is no way around it (the filing is limited too).
        or not _nearby_limit().hit(client_address(request)).allowed
    ):
        return None
    cases = selectors.nearby_open_petitions(
        category=category,
        latitude=data["latitude"],
        longitude=data["longitude"],
        radius_m=category.nearby_radius_m,
    )
    if not cases:
        return None
    context = {
        "form": form,
        "nearby_cases": cases,
        "radius_m": category.nearby_radius_m,
        "nearby_step": True,
        "nearby_files_dropped": bool(request.FILES),
    }
    return render(request, "service_center/petitions/public/petition_form.html", context)


# --- "me too" -------------------------------------------------------------------------------------


def _rate_limited(request) -> bool:
    """Count this answer against the address; True once the address has used its allowance."""
    limit = RateLimit("sc.follow.address", FOLLOW_LIMIT_PER_ADDRESS, FOLLOW_WINDOW_SECONDS)
    return not limit.hit(client_address(request)).allowed


def _already_followed(request, petition) -> bool:
    return petition.pk in request.session.get(FOLLOWED_SESSION_KEY, [])


def _remember_follow(request, petition) -> None:
    followed = [pk for pk in request.session.get(FOLLOWED_SESSION_KEY, []) if pk != petition.pk]
    request.session[FOLLOWED_SESSION_KEY] = [*followed[-19:], petition.pk]


def _me_too_page(request, petition, form, status=200):
    context = {
        "petition": petition,
        # Public: the petitioner's details and any contact data in the subject are masked.
        "subject": petition_mask(petition)(petition.subject),
        "form": form,
        "followers": selectors.follower_count(petition),
        "already": _already_followed(request, petition),
    }
    return render(request, "service_center/nearby/me_too.html", context, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def me_too(request, number):
    """Follow an open case instead of filing the same problem again."""
    petition = selectors.followable_petition(number)
    if petition is None:
        raise Http404
    if request.method != "POST":
        return _me_too_page(request, petition, FollowForm())
    form = FollowForm(request.POST)
    if not form.is_valid():
        return _me_too_page(request, petition, form, status=400)
    email = form.cleaned_data["email"]
    # Without an address, this browser's session is what makes a second click count once.
    if not email and _already_followed(request, petition):
        messages.info(request, _("You have already said “me too” for this case."))
        return redirect("service_center:me_too", number=number)
    if _rate_limited(request):
        form.add_error(None, _("Too many attempts. Please try again in an hour."))
        return _me_too_page(request, petition, form, status=429)
    try:
        followed = services.petition_follow(
            petition=petition, email=email, language=portal_language()
        )
    except NearbyError as exc:
        form.add_error(None, exc)
        return _me_too_page(request, petition, form, status=400)
    _remember_follow(request, petition)
    if not followed.created:
        messages.info(request, _("This address already follows the case: it is counted once."))
    elif email:
        messages.success(
            request,
            _("Thank you: you are counted. Confirm your address with the link we emailed you."),
        )
    else:
        messages.success(request, _("Thank you: you are counted as reporting this too."))
    return redirect("service_center:me_too", number=number)


@never_cache
@require_http_methods(["GET", "POST"])
def follow_manage(request, token):
    """The emailed link: GET shows the buttons, POST confirms the address or stops the emails,
    so a mail scanner opening the link changes nothing."""
    follower = selectors.follower_from_token(token)
    if follower is None:
        return render(request, "service_center/nearby/follow.html", {"invalid": True}, status=404)
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "confirm":
            services.petition_follow_confirm(token=token)
            messages.success(request, _("Thank you: we will email you when the case moves on."))
            return redirect("service_center:follow_manage", token=token)
        if action == "stop":
            services.petition_unfollow(token=token)
            context = {"stopped": True, "petition": follower.petition}
            return render(request, "service_center/nearby/follow.html", context)
        raise Http404
    context = {"follower": follower, "petition": follower.petition, "token": token}
    return render(request, "service_center/nearby/follow.html", context)
