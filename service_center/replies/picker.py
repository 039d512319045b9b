"""The template picker beside the reply form on the case page: a view helper (it reads the request
and fills the reply form), used by the petitions case page."""

from django.utils.translation import gettext_lazy as _

from service_center.petitions.forms import ReplyForm
from service_center.petitions.models import Petition
from service_center.replies.selectors import templates_for_case
from service_center.replies.services import render_template

# --- the picker on the case page ----------------------------------------------------------------


def picker_for_case(request, petition: Petition, forms: dict) -> dict | None:
    """The template picker beside the reply form, or None when the user cannot reply now.

    On a GET with `?template=<id>` naming one of the offered templates, the reply form in
    `forms` is replaced by one pre-filled with that template's text.
    """
    if "reply" not in forms:
        return None
    offered = list(templates_for_case(petition))
    picker = {"templates": offered, "selected": None, "error": ""}
    raw = request.GET.get("template", "") if request.method == "GET" else ""
    if not raw:
        return picker
    chosen = next((t for t in offered if str(t.pk) == raw.strip()), None)
    if chosen is None:
        picker["error"] = _("This template is not offered for this case. Choose one from the list.")
        return picker
    picker["selected"] = chosen.pk
    forms["reply"] = ReplyForm(
        initial={"text": render_template(template=chosen, petition=petition)}
    )
    return picker
