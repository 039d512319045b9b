"""Who may do what in legal consultation: the rota, and the work at a venue."""

from rdec_portal.accounts import roles
from service_center.legal.models import (
    LegalVenue,
)
from service_center.petitions import permissions as petition_permissions


def can_manage_rota(user) -> bool:
    """Lawyers, sessions and slot generation: RDEC service-centre staff, for every venue."""
    return petition_permissions.is_service_desk(user)


def can_work_at(user, venue: LegalVenue) -> bool:
    """Book, cancel, mark no-shows, record consultations and see citizens' contact details:
    the service centre anywhere, a district office's staff at their own venue."""
    if petition_permissions.is_service_desk(user):
        return True
    agency_id = roles.home_agency_id(user)
    return agency_id is not None and agency_id == venue.agency_id and not roles.is_read_only(user)
