"""Citizens' pages: file a petition, confirm it, track it. No login; never personal data."""

import json

from django.conf import settings
from django.contrib import messages
from django.core import signing
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from rdec_portal.client import client_address
from rdec_portal.localise import portal_language
from rdec_portal.ratelimit import RateLimit
from service_center.nearby import views_public as views_nearby
from service_center.petitions import selectors, services
from service_center.petitions.forms import PetitionForm, ReopenForm, SurveyForm, TrackForm
from service_center.petitions.models import Category, Status, SurveyAnswer
from service_center.petitions.services import REOPEN_WINDOW, SURVEY_WINDOW, PetitionError

# The browser's last few submissions (number and secret, by form token), so that the same form
# posted twice or a reload of the receipt shows the secret again. A signed cookie rather than
# the session: a citizen gets no server-side session, and the submission commits once instead of
# twice (the petition, then the session row).
SUBMITTED_COOKIE = "sc_submitted"
SUBMITTED_COOKIE_SALT = "service_center.submitted"
SUBMITTED_COOKIE_SECONDS = 60 * 60
SUBMITTED_KEEP = 5
TRACKED_SESSION_KEY = "service_center_tracked"
# Wrong tracking attempts allowed per address, and per case number, in the window.
TRACK_LIMIT_PER_ADDRESS = 10
TRACK_LIMIT_PER_NUMBER = 5
TRACK_WINDOW_SECONDS = 15 * 60
# Petitions filed on this form, per client address and per e-mail address (docs/operations.md).
# A household or a shop files a few in a day, a shared connection (a school, a shelter's Wi-Fi)
# a few more; a script files dozens in a second. 10 in 10 minutes and 30 a day per address stop
# the script and leave room for the shared connection; 5 a day per e-mail address stop the
# city's confirmation e-mail from being sent to someone else's mailbox over and over. The 1999
# desk and the counter record petitions as staff, on their own form, which no limit touches.
FILE_LIMIT_PER_ADDRESS = 10
FILE_WINDOW_SECONDS = 10 * 60
FILE_LIMIT_PER_ADDRESS_DAY = 30
FILE_LIMIT_PER_EMAIL = 5
DAY_SECONDS = 24 * 60 * 60


def _submitted(request) -> dict:
    try:
        raw = request.get_signed_cookie(
            SUBMITTED_COOKIE, salt=SUBMITTED_COOKIE_SALT, max_age=SUBMITTED_COOKIE_SECONDS
        )
        saved = json.loads(raw)
    except (KeyError, signing.BadSignature, ValueError):
        return {}
    return saved if isinstance(saved, dict) else {}


def _remember_submission(request, response, result) -> None:
    # A failure here must not hide the case number: the page already shows number and secret.
    try:
        saved = _submitted(request)
        saved[result.petition.idempotency_key or ""] = {
            "number": result.petition.number,
            "secret": result.secret,
        }
        response.set_signed_cookie(
            SUBMITTED_COOKIE,
            json.dumps(dict(list(saved.items())[-SUBMITTED_KEEP:]), separators=(",", ":")),
            salt=SUBMITTED_COOKIE_SALT,
            max_age=SUBMITTED_COOKIE_SECONDS,
            path=reverse("service_center:petition_new").rsplit("/", 2)[0] + "/",
            secure=settings.SESSION_COOKIE_SECURE,
            httponly=True,
            samesite="Lax",
        )
    except Exception:  # noqa: BLE001, S110 - the page still shows number and secret
        pass


def _thanks(request, petition, secret):
    return render(
        request,
        "service_center/petitions/public/thanks.html",
        {
            "petition": petition,
            "secret": secret,
            "needs_confirmation": petition.status == Status.RECEIVED,
        },
    )


def _filing_limits(request, email: str) -> list[tuple[RateLimit, str]]:
    """The limits on filing through the form, each with this request's key."""
    address = client_address(request)
    limits = [
        (RateLimit("sc.file.address", FILE_LIMIT_PER_ADDRESS, FILE_WINDOW_SECONDS), address),
        (RateLimit("sc.file.address.day", FILE_LIMIT_PER_ADDRESS_DAY, DAY_SECONDS), address),
    ]
    if email:
        limits.append(
            (RateLimit("sc.file.email", FILE_LIMIT_PER_EMAIL, DAY_SECONDS), email.strip().lower())
        )
    return limits


def _filing_refused(limits) -> int | None:
    """Seconds to wait when one more filing would be over a limit; None when it may go."""
    waits = [d.retry_after for d in (limit.check(key) for limit, key in limits) if not d.allowed]
    return max(waits) if waits else None


@never_cache
@require_http_methods(["GET", "POST"])
def petition_new(request):
    if request.method != "POST":
        initial = {}
        code = request.GET.get("category")
        chosen = Category.objects.active().filter(code=code).first() if code else None
        if chosen is not None:
            initial["category"] = chosen.pk
        form = PetitionForm.new(initial=initial, category=chosen)
        return render(request, "service_center/petitions/public/petition_form.html", {"form": form})
    form = PetitionForm(request.POST, request.FILES)
    if form.is_valid():
        limits = _filing_limits(request, form.cleaned_data.get("email", ""))
        if (wait := _filing_refused(limits)) is not None:
            # The same bound form again: everything typed stays (files must be chosen again).
            form.add_error(
                None,
                _(
                    "Many petitions have been filed from this connection or with this email "
                    "address. What you typed is kept below: please send it again in about "
                    "%(minutes)d minutes, or call the 1999 hotline."
                )
                % {"minutes": -(-wait // 60)},
            )
            response = render(
                request,
                "service_center/petitions/public/petition_form.html",
                {"form": form, "files_dropped": bool(request.FILES)},
                status=429,
            )
            response["Retry-After"] = str(wait)
            return response
        # A hazard with a point: show the open cases nearby first (the no-JavaScript path).
        if (nearby_page := views_nearby.nearby_step(request, form)) is not None:
            return nearby_page
        try:
            result = services.petition_submit(form.draft(language=portal_language()))
        except PetitionError as exc:
            form.add_service_errors(exc)
        else:
            if result.created:
                for limit, key in limits:
                    limit.hit(key)
                response = _thanks(request, result.petition, result.secret)
                _remember_submission(request, response, result)
                return response
            earlier = _submitted(request).get(result.petition.idempotency_key, {})
            return _thanks(request, result.petition, earlier.get("secret"))
    return render(
        request,
        "service_center/petitions/public/petition_form.html",
        {"form": form, "files_dropped": bool(request.FILES)},
        status=400,
    )


@never_cache
@require_safe
def petition_thanks(request):
    """The last submission of this browser, e.g. after going back or reloading."""
    saved = list(_submitted(request).values())
    if not saved:
        return redirect("service_center:petition_new")
    petition = selectors.public_petition(saved[-1]["number"])
    if petition is None:
        return redirect("service_center:petition_new")
    return _thanks(request, petition, saved[-1]["secret"])


@never_cache
@require_http_methods(["GET", "POST"])
def petition_confirm_view(request, token):
    """GET shows a button and POST confirms, so a mail scanner opening the link confirms nothing."""
    try:
        if request.method == "POST":
            petition = services.petition_confirm(token=token)
            return render(
                request, "service_center/petitions/public/confirmed.html", {"petition": petition}
            )
        services.petition_from_token(token)
    except PetitionError as exc:
        return render(
            request,
            "service_center/petitions/public/confirm.html",
            {"error": exc.messages[0], "code": exc.code},
            status=400,
        )
    return render(request, "service_center/petitions/public/confirm.html", {"token": token})


# --- tracking -----------------------------------------------------------------------------------


def _rate_keys(request, number: str) -> tuple[tuple[RateLimit, str], tuple[RateLimit, str]]:
    """The two limits on wrong tracking attempts (per address, per case number), with keys."""
    return (
        (
            RateLimit("sc.track.address", TRACK_LIMIT_PER_ADDRESS, TRACK_WINDOW_SECONDS),
            client_address(request),
        ),
        (RateLimit("sc.track.number", TRACK_LIMIT_PER_NUMBER, TRACK_WINDOW_SECONDS), number),
    )


def _limited(*limits) -> bool:
    return any(not limit.check(key).allowed for limit, key in limits)


def _count_failure(limit_key) -> None:
    limit, key = limit_key
    limit.hit(key)


def _allow_tracking(request, petition) -> None:
    tracked = [pk for pk in request.session.get(TRACKED_SESSION_KEY, []) if pk != petition.pk]
    request.session[TRACKED_SESSION_KEY] = [*tracked[-9:], petition.pk]


@never_cache
@require_http_methods(["GET", "POST"])
def track(request):
    if request.method != "POST":
        return render(request, "service_center/petitions/public/track.html", {"form": TrackForm()})
    form = TrackForm(request.POST)
    status = 400
    if form.is_valid():
        number = form.cleaned_data["number"]
        ip_key, number_key = _rate_keys(request, number)
        if _limited(ip_key, number_key):
            form.add_error(None, _("Too many attempts. Please try again in 15 minutes."))
            status = 429
        else:
            petition = selectors.public_petition(number)
            if petition is not None and services.secret_matches(
                petition, form.cleaned_data["secret"]
            ):
                _allow_tracking(request, petition)
                return redirect("service_center:track_case", number=petition.number)
            # One answer for an unknown number and a wrong secret: nothing to learn from it.
            _count_failure(ip_key)
            _count_failure(number_key)
            form.add_error(
                None, _("No case matches this number and secret. Check both and try again.")
            )
    return render(
        request, "service_center/petitions/public/track.html", {"form": form}, status=status
    )


def _tracked_petition(request, number):
    petition = selectors.public_petition(number)
    if petition is None or petition.pk not in request.session.get(TRACKED_SESSION_KEY, []):
        return None
    return petition


def _can_reopen(petition, now) -> bool:
    return (
        petition.status in (Status.REPLIED, Status.CLOSED)
        and petition.reopen_count == 0
        and petition.replied_at is not None
        and now <= petition.replied_at + REOPEN_WINDOW
    )


def _can_answer_survey(petition, now) -> bool:
    return (
        petition.status in (Status.REPLIED, Status.CLOSED)
        and petition.replied_at is not None
        and now <= petition.replied_at + SURVEY_WINDOW
        and not SurveyAnswer.objects.filter(petition=petition).exists()
    )


@never_cache
def track_case(request, number, reopen_form=None, survey_form=None, status=200):
    petition = _tracked_petition(request, number)
    if petition is None:
        return HttpResponseRedirect(reverse("service_center:track"))
    now = timezone.now()
    context = {
        "petition": petition,
        "events": selectors.public_events(petition),
        "can_reopen": _can_reopen(petition, now),
        "reopen_until": petition.replied_at + REOPEN_WINDOW if petition.replied_at else None,
        "reopen_form": reopen_form or ReopenForm(),
        "can_answer_survey": _can_answer_survey(petition, now),
        "survey_form": survey_form or SurveyForm(),
    }
    return render(
        request, "service_center/petitions/public/track_case.html", context, status=status
    )


@never_cache
@require_POST
def track_reopen(request, number):
    petition = _tracked_petition(request, number)
    if petition is None:
        return HttpResponseRedirect(reverse("service_center:track"))
    form = ReopenForm(request.POST)
    if form.is_valid():
        try:
            services.petition_reopen(petition=petition, reason=form.cleaned_data["reason"])
        except PetitionError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Your case is reopened. The agency will reply again."))
            return redirect("service_center:track_case", number=number)
    return track_case(request, number, reopen_form=form, status=400)


@never_cache
@require_POST
def track_survey(request, number):
    petition = _tracked_petition(request, number)
    if petition is None:
        return HttpResponseRedirect(reverse("service_center:track"))
    form = SurveyForm(request.POST)
    if form.is_valid():
        try:
            services.petition_survey_answer(petition=petition, **form.cleaned_data)
        except PetitionError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Thank you for answering the survey."))
            return redirect("service_center:track_case", number=number)
    return track_case(request, number, survey_form=form, status=400)
