"""Who may change whose account and what a role grants: one rule for every path that writes them.

Only a superuser changes a superuser or what a role (a Group) grants. An administrator assigns
roles, but never edits an account that holds more rights than their own, and never hands out a
role that grants more than they hold themselves, so no administrator can raise anyone's rights
above their own (their own account included).

"Rights" are the Django permissions an account holds through its roles and directly, read from
the database (an inactive account keeps its rights for the day it is reactivated).

Every writer calls these functions: the admin's user and role pages (change, password, delete,
bulk actions) and the `user_set_roles` service.
"""

from collections.abc import Iterable

from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied
from django.db.models import Q


def _permission_ids(*, user=None, groups: Iterable[Group] | None = None) -> frozenset[int]:
    if user is not None:
        if user.pk is None:
            return frozenset()
        query = Q(group__user=user) | Q(user=user)
    else:
        query = Q(group__in=[group.pk for group in groups or ()])
    return frozenset(Permission.objects.filter(query).values_list("pk", flat=True).distinct())


def may_change_user(actor, target) -> bool:
    """May `actor` edit `target`'s account (fields, roles, password) or delete it?"""
    if not (actor.is_authenticated and actor.is_active):
        return False
    if actor.is_superuser:
        return True
    if target.pk is None:
        return True  # a new account: what it may be given is checked by may_assign_groups
    if target.is_superuser:
        return False
    return _permission_ids(user=target) <= _permission_ids(user=actor)


def may_assign_groups(actor, groups: Iterable[Group]) -> bool:
    """May `actor` give these roles to an account? Only roles granting no more than they hold."""
    if not (actor.is_authenticated and actor.is_active):
        return False
    if actor.is_superuser:
        return True
    return _permission_ids(groups=groups) <= _permission_ids(user=actor)


def assignable_groups(actor):
    """The roles `actor` may hand out, as a queryset (the admin's role choices)."""
    groups = Group.objects.all()
    if actor.is_superuser:
        return groups
    held = _permission_ids(user=actor)
    beyond = Permission.objects.exclude(pk__in=held)
    return groups.exclude(permissions__in=beyond)


def may_change_roles_definition(actor) -> bool:
    """May `actor` create, rename, delete a role or change what it grants? Superusers only."""
    return bool(actor.is_authenticated and actor.is_active and actor.is_superuser)


def check_change_user(actor, target) -> None:
    """Raise PermissionDenied unless `actor` may change `target`."""
    if not may_change_user(actor, target):
        raise PermissionDenied


def check_assign_groups(actor, groups: Iterable[Group]) -> None:
    """Raise PermissionDenied unless `actor` may hand out all of these roles."""
    if not may_assign_groups(actor, groups):
        raise PermissionDenied
