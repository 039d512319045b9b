"""Who may keep reply templates."""

from rdec_portal.accounts import roles
from service_center.petitions import permissions as petition_permissions
from service_center.replies.models import ReplyTemplate

# --- who may do what ----------------------------------------------------------------------------


def can_create(user) -> bool:
    """The service centre (city-wide or any agency's) and agency supervisors (their agency's)."""
    if not roles.is_staff_user(user) or roles.is_read_only(user):
        return False
    if petition_permissions.is_service_desk(user):
        return True
    return roles.home_agency_id(user) is not None and roles.has_role(user, roles.AGENCY_SUPERVISOR)


def can_manage(user, template: ReplyTemplate) -> bool:
    """Edit, deactivate or reactivate this template."""
    if petition_permissions.is_service_desk(user):
        return True
    return (
        can_create(user)
        and template.agency_id is not None
        and template.agency_id == roles.home_agency_id(user)
    )
