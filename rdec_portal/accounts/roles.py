"""Roles are Django groups. This module names them, says what each may do, and scopes querysets.

Anonymous citizens have no group: they reach only the public pages. Every other user has exactly
one home agency and one or more roles.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

AGENCY_STAFF = "agency_staff"
AGENCY_SUPERVISOR = "agency_supervisor"
RDEC_RESEARCH = "rdec_research"
RDEC_PLANNING = "rdec_planning"
RDEC_OVERSIGHT = "rdec_oversight"
RDEC_INSPECTION = "rdec_inspection"
RDEC_SERVICE_CENTER = "rdec_service_center"
RDEC_INFOSERVICE = "rdec_infoservice"
MAYOR_OFFICE = "mayor_office"
ADMINISTRATOR = "administrator"


class Line(models.TextChoices):
    """The six business lines of the commission."""

    RESEARCH = "research", _("Research and development")
    PLANNING = "planning", _("Planning")
    OVERSIGHT = "oversight", _("Oversight")
    INSPECTION = "inspection", _("Construction inspection")
    SERVICE_CENTER = "service_center", _("Citizen service centre")
    INFOSERVICE = "infoservice", _("Information services")


LINE_ROLE = {
    Line.RESEARCH: RDEC_RESEARCH,
    Line.PLANNING: RDEC_PLANNING,
    Line.OVERSIGHT: RDEC_OVERSIGHT,
    Line.INSPECTION: RDEC_INSPECTION,
    Line.SERVICE_CENTER: RDEC_SERVICE_CENTER,
    Line.INFOSERVICE: RDEC_INFOSERVICE,
}

ROLE_LABELS = {
    AGENCY_STAFF: _("Agency staff (承辦人)"),
    AGENCY_SUPERVISOR: _("Agency supervisor (主管)"),
    RDEC_RESEARCH: _("RDEC staff: research"),
    RDEC_PLANNING: _("RDEC staff: planning"),
    RDEC_OVERSIGHT: _("RDEC staff: oversight"),
    RDEC_INSPECTION: _("RDEC staff: construction inspection"),
    RDEC_SERVICE_CENTER: _("RDEC staff: citizen service centre"),
    RDEC_INFOSERVICE: _("RDEC staff: information services"),
    MAYOR_OFFICE: _("Mayor's office (read-only)"),
    ADMINISTRATOR: _("Administrator"),
}
ALL_ROLES = tuple(ROLE_LABELS)

# Model permissions (app_label.codename) each role holds, beyond what the business apps add via
# their own role permissions. Administrators manage accounts, agencies and the calendar in the admin.
ROLE_PERMISSIONS: dict[str, list[str]] = {
    ADMINISTRATOR: [
        "accounts.view_agency",
        "accounts.add_agency",
        "accounts.change_agency",
        "accounts.view_user",
        "accounts.add_user",
        "accounts.change_user",
        "auth.view_group",
        "auth.change_group",
        "workflow.view_calendaroverride",
        "workflow.add_calendaroverride",
        "workflow.change_calendaroverride",
        "workflow.delete_calendaroverride",
        "workflow.view_auditentry",
    ],
}


def role_names(user) -> set[str]:
    """The user's role names, cached on the user object for the request."""
    if not user.is_authenticated:
        return set()
    cached = getattr(user, "_role_names", None)
    if cached is None:
        cached = set(user.groups.values_list("name", flat=True))
        user._role_names = cached
    return cached


def has_role(user, *roles: str) -> bool:
    return bool(role_names(user) & set(roles)) or (user.is_authenticated and user.is_superuser)


def is_staff_user(user) -> bool:
    """Anyone who logs in to the portal: every role but anonymous."""
    return (
        user.is_authenticated and user.is_active and (bool(role_names(user)) or user.is_superuser)
    )


def sees_all_agencies(user, line: str | None = None) -> bool:
    """RDEC staff of a line see every agency's objects of that line; the mayor's office sees all."""
    if not user.is_authenticated:
        return False
    if user.is_superuser or has_role(user, MAYOR_OFFICE, ADMINISTRATOR):
        return True
    if line is not None:
        return has_role(user, LINE_ROLE[line])
    return False


# The roles that act for the user's own agency: the only ones the agency fallback of
# scope_to_agency serves. An RDEC line role is not one of them: an RDEC account belongs to the
# RDEC agency, but it reaches a line's objects (RDEC's own among them) only through that line's
# role, never because RDEC leads them.
AGENCY_ROLES = (AGENCY_STAFF, AGENCY_SUPERVISOR)


def acts_for_agency(user) -> bool:
    """Whether the user sees and handles their home agency's objects as its staff."""
    return is_staff_user(user) and user.agency_id is not None and has_role(user, *AGENCY_ROLES)


def home_agency_id(user) -> int | None:
    """The agency whose objects the user reaches as its staff (agency staff and supervisors: their
    home agency), or None: the agency fallback every scoping and permission check uses."""
    return user.agency_id if acts_for_agency(user) else None


def is_read_only(user) -> bool:
    """The mayor's office reads everything and writes nothing."""
    return role_names(user) == {MAYOR_OFFICE} and not user.is_superuser


def scope_to_agency(queryset, user, *, line: str | None = None, field: str = "agency"):
    """Limit a queryset to what the user may see. Every selector calls this.

    City-wide roles see everything (`sees_all_agencies`: the line's RDEC staff, the mayor's
    office, administrators); agency roles see their home agency's objects (`home_agency_id`);
    anyone else, RDEC staff of other lines included, sees nothing. Another agency's object is
    then simply not in the queryset, so a lookup by id gives 404. `field` is the lookup path from
    the model to its responsible Agency.
    """
    if not is_staff_user(user):
        return queryset.none()
    if sees_all_agencies(user, line):
        return queryset
    agency_id = home_agency_id(user)
    if agency_id is None:
        return queryset.none()
    return queryset.filter(**{field: agency_id})


def sync_roles(**kwargs) -> None:
    """Create every role group and give it its permissions. Idempotent; runs after migrate."""
    from django.contrib.auth.models import Group, Permission

    for role in ALL_ROLES:
        group, _created = Group.objects.get_or_create(name=role)
        wanted = ROLE_PERMISSIONS.get(role, [])
        if not wanted:
            continue
        perms = []
        for dotted in wanted:
            app_label, codename = dotted.split(".")
            perm = Permission.objects.filter(
                content_type__app_label=app_label, codename=codename
            ).first()
            if perm is not None:
                perms.append(perm)
        group.permissions.add(*perms)
