"""Reads of reply templates: those a user may keep, those offered on a case."""

from django.db.models import F, Q, QuerySet

from rdec_portal.accounts import roles
from rdec_portal.accounts.roles import Line
from service_center.petitions.models import Petition
from service_center.replies.models import ReplyTemplate

# --- reads --------------------------------------------------------------------------------------


def reply_templates_for(user) -> QuerySet[ReplyTemplate]:
    """Templates the user may see: their agency's and the city-wide ones; all for the service
    centre and the mayor's office. Another agency's template is not here (a 404)."""
    base = ReplyTemplate.objects.select_related("agency", "category")
    if not roles.is_staff_user(user):
        return base.none()
    own = roles.scope_to_agency(base, user, line=Line.SERVICE_CENTER, field="agency")
    return own | base.filter(agency__isnull=True)


def templates_for_case(petition: Petition) -> QuerySet[ReplyTemplate]:
    """Active templates offered for this case: the lead agency's and the city-wide ones, for its
    category or for every category; the agency's own first."""
    agency = Q(agency__isnull=True)
    if petition.lead_agency_id is not None:
        agency |= Q(agency_id=petition.lead_agency_id)
    return (
        ReplyTemplate.objects.filter(agency, is_active=True)
        .filter(Q(category__isnull=True) | Q(category_id=petition.category_id))
        .order_by(F("agency_id").asc(nulls_last=True), "title", "id")
    )
