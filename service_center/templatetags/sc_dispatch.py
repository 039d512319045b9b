"""The dispatch panels of the staff case page and of the citizen's tracking page."""

from django import template
from django.utils import timezone

from service_center.dispatch import selectors as dispatch_selectors
from service_center.dispatch import services as dispatch
from service_center.dispatch.forms import DispatchPhotoForm
from service_center.petitions import permissions

register = template.Library()


@register.inclusion_tag("service_center/dispatch/_staff_panel.html", takes_context=True)
def dispatch_staff_panel(context, petition):
    if not petition.category.is_dispatch:
        return {"show": False}
    user = context["request"].user
    can_add = permissions.can_handle(user, petition) and any(
        petition.status in statuses for statuses in dispatch.PHOTO_STATUSES.values()
    )
    return {
        "show": True,
        "petition": petition,
        "report_back": dispatch_selectors.report_back(petition),
        "photos": dispatch_selectors.case_photos(petition, context.get("attachments")),
        "form": DispatchPhotoForm() if can_add else None,
    }


@register.inclusion_tag("service_center/dispatch/_tracking_panel.html")
def dispatch_tracking_panel(petition):
    if not petition.category.is_dispatch:
        return {"show": False}
    return {
        "show": True,
        "petition": petition,
        "photos": list(dispatch_selectors.public_photos(petition)),
        "can_confirm": dispatch_selectors.can_confirm_fix(petition),
        "can_say_not_fixed": dispatch_selectors.can_say_not_fixed(petition, timezone.now()),
    }
