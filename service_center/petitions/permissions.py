"""Who may do what to a petition. The table of steps (`steps.py`) names one of these for each
step on a case, which the case page and the API both read; the bulk assignment's service asks
`bulk_assign_agency_id`. The roles are still read directly in two places: the staff guard
at the top of the staff pages (`roles.is_staff_user`, `roles.is_read_only`), and the selectors,
which scope querysets to the user's agency (`roles.scope_to_agency`, `roles.home_agency_id`)."""

from rdec_portal.accounts import roles
from rdec_portal.accounts.roles import Line


def is_service_desk(user) -> bool:
    """RDEC service-centre staff: they triage, assign, transfer, merge and close any case."""
    return (
        roles.is_staff_user(user)
        and not roles.is_read_only(user)
        and roles.has_role(user, roles.RDEC_SERVICE_CENTER)
    )


def is_lead_agency_staff(user, petition) -> bool:
    """Staff or a supervisor of the agency leading the case (of RDEC too, when it leads: an
    RDEC account of another line is not, though its agency is RDEC)."""
    return (
        petition.lead_agency_id is not None
        and roles.home_agency_id(user) == petition.lead_agency_id
    )


def can_handle(user, petition) -> bool:
    """Write notes, reply, ask for an extension or a transfer."""
    return is_service_desk(user) or is_lead_agency_staff(user, petition)


def can_see_personal_data(user, petition) -> bool:
    """The petitioner's name and contact details: the handling agency and the service centre."""
    return can_handle(user, petition)


def sees_petitioners_in_queue(user) -> bool:
    """Whether the cases of the user's work queue show their subjects unmasked: the service
    centre's, and an agency handler's (their queue holds only the cases they lead)."""
    return is_service_desk(user) or (
        roles.is_staff_user(user)
        and roles.has_role(user, roles.AGENCY_STAFF, roles.AGENCY_SUPERVISOR)
    )


def can_decide_extension(user, petition) -> bool:
    """A supervisor of the lead agency approves or declines an extension."""
    return is_lead_agency_staff(user, petition) and roles.has_role(user, roles.AGENCY_SUPERVISOR)


def bulk_assign_agency_id(user) -> int | None:
    """The agency whose cases the user may give to its handlers from the work queue (the bulk
    assignment, page and API), or None. Its staff and supervisors, and those who may handle any
    case (the service centre's RDEC staff, administrators), for their home agency; not the
    mayor's office (read-only), nor RDEC staff of the other lines, whose agency is RDEC but who
    handle none of its cases."""
    if not roles.is_staff_user(user) or roles.is_read_only(user) or user.agency_id is None:
        return None
    if roles.acts_for_agency(user) or roles.sees_all_agencies(user, Line.SERVICE_CENTER):
        return user.agency_id
    return None
