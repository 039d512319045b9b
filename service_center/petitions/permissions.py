"""Who may do what to a petition. Views, the API and the services ask these for each step on a
case. The roles are still read directly in two places: the staff guard at the top of the staff
pages and of the API's bulk assignment (`roles.is_staff_user`, `roles.is_read_only`), and the
selectors, which scope querysets to the user's agency (`roles.scope_to_agency`)."""

from rdec_portal.accounts import roles


def is_service_desk(user) -> bool:
    """RDEC service-centre staff: they triage, assign, transfer, merge and close any case."""
    return (
        roles.is_staff_user(user)
        and not roles.is_read_only(user)
        and roles.has_role(user, roles.RDEC_SERVICE_CENTER)
    )


def is_lead_agency_staff(user, petition) -> bool:
    return (
        roles.is_staff_user(user)
        and petition.lead_agency_id is not None
        and user.agency_id == petition.lead_agency_id
        and roles.has_role(user, roles.AGENCY_STAFF, roles.AGENCY_SUPERVISOR)
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
    return (
        roles.is_staff_user(user)
        and petition.lead_agency_id is not None
        and user.agency_id == petition.lead_agency_id
        and roles.has_role(user, roles.AGENCY_SUPERVISOR)
    )
