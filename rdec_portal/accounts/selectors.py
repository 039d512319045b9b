"""Reads of agencies and users that the API, pages and tasks share."""

from django.db.models import QuerySet

from rdec_portal.accounts.models import Agency, User


def agency_list() -> QuerySet[Agency]:
    """Every agency, active or not, with its parent loaded: the list is public."""
    return Agency.objects.select_related("parent")


def user_profile(*, user: User) -> User:
    """The signed-in user with the home agency loaded, for "who am I" answers."""
    return User.objects.select_related("agency").get(pk=user.pk)
