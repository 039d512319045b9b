"""Dispatch cases: the agency's photos on the case page, and the citizen's answer to the report
back on the tracking page (after photos, "it is fixed", "it is not fixed").

Public photos are served only to a browser that looked the case up with its number and secret
(the tracking session), never from a guessable media URL.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from rdec_portal.forms import add_service_errors
from rdec_portal.guards import staff_required
from service_center.dispatch import selectors, services
from service_center.dispatch.forms import DispatchPhotoForm, NotFixedForm
from service_center.petitions import permissions, views, views_public
from service_center.petitions.services import PetitionError


@login_required
@require_http_methods(["GET", "POST"])
@staff_required
def case_photos(request, pk):
    """The handling agency adds before or after photos to a dispatch case."""
    petition = views._case_or_404(request, pk)
    if not petition.category.is_dispatch:
        raise Http404
    if not permissions.can_handle(request.user, petition):
        raise PermissionDenied
    if request.method != "POST":
        form = DispatchPhotoForm()
        return render(request, "service_center/dispatch/photos.html", _ctx(petition, form))
    form = DispatchPhotoForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            photos = services.dispatch_photos_add(
                petition=petition,
                role=form.cleaned_data["role"],
                files=form.cleaned_data["files"],
                by=request.user,
                request=request,
            )
        except PetitionError as exc:
            add_service_errors(form, exc)
        else:
            count = len(photos)
            messages.success(
                request, ngettext("%(n)d photo added.", "%(n)d photos added.", count) % {"n": count}
            )
            return redirect(reverse("service_center:case", args=[petition.pk]) + "#dispatch")
    return render(request, "service_center/dispatch/photos.html", _ctx(petition, form), status=400)


def _ctx(petition, form) -> dict:
    return {"petition": petition, "form": form, "photos": selectors.case_photos(petition)}


# --- the citizen ----------------------------------------------------------------------------------


@never_cache
@require_GET
def track_photo(request, number, attachment_pk):
    """An after photo, to the browser that tracked the case; anything else is a 404."""
    petition = views_public._tracked_petition(request, number)
    if petition is None:
        raise Http404
    photo = get_object_or_404(selectors.public_photos(petition), pk=attachment_pk)
    response = FileResponse(photo.file.open("rb"), content_type=photo.content_type)
    response["Content-Disposition"] = "inline"
    return response


@never_cache
@require_POST
def track_fixed(request, number):
    """The citizen confirms the fix: the case closes."""
    petition = views_public._tracked_petition(request, number)
    if petition is None:
        return redirect("service_center:track")
    try:
        services.dispatch_fix_confirm(petition=petition)
    except PetitionError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, _("Thank you for confirming: the case is closed."))
    return redirect("service_center:track_case", number=number)


@never_cache
@require_http_methods(["GET", "POST"])
def track_not_fixed(request, number):
    """The citizen says it is not fixed and why: the case reopens with a new 24-hour clock."""
    petition = views_public._tracked_petition(request, number)
    if petition is None:
        return redirect("service_center:track")
    if not petition.category.is_dispatch:
        raise Http404
    form = NotFixedForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        try:
            services.dispatch_fix_reject(petition=petition, reason=form.cleaned_data["reason"])
        except PetitionError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request, _("Your case is reopened: the agency has 24 hours to report back again.")
            )
            return redirect("service_center:track_case", number=number)
    status = 400 if form.is_bound else 200
    context = {"petition": petition, "form": form}
    return render(request, "service_center/dispatch/not_fixed.html", context, status=status)
