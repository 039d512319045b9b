"""Who may read and import the 1999 hotline volumes."""

from rdec_portal.accounts import roles
from rdec_portal.accounts.roles import Line
from service_center.petitions import permissions as petition_permissions


def can_read(user) -> bool:
    """RDEC service-centre staff and the mayor's office (and administrators)."""
    return roles.is_staff_user(user) and roles.sees_all_agencies(user, Line.SERVICE_CENTER)


def can_import(user) -> bool:
    return petition_permissions.is_service_desk(user)
