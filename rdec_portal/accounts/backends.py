"""The login backend: Django's own, reading a signed-in user's agency in the same query."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class AccountBackend(ModelBackend):
    """Nearly every staff page needs `request.user.agency` (scoping, the shell's agency name):
    one join when the session's user is loaded instead of a second query on each page."""

    def get_user(self, user_id):
        user_model = get_user_model()
        try:
            user = user_model._default_manager.select_related("agency").get(pk=user_id)
        except user_model.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
