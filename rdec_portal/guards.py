"""The staff guard: the one check at the top of every staff page.

Use `@staff_required` on every view a citizen must not reach (staff pages of the core and of
every business app), instead of `@login_required` plus a hand-written role check. It answers:

- an anonymous visitor: a redirect to the login page, back to this page afterwards;
- a logged-in user with no role (removed while the session was open): the "no role" page, 403;
- anyone else: the view, which then asks the feature's `permissions.can_<verb>()` for the step.

Under a method decorator, keep the order the access table expects of a staff page: an
anonymous visitor is sent to log in first, a wrong method is then a 405 for anyone logged in,
and only then is the role checked::

    @login_required
    @require_safe
    @staff_required
    def queue(request): ...

A view that takes every method needs only `@staff_required`. For a class-based view,
`@method_decorator(staff_required, name="dispatch")`. The API's
equivalent is `rdec_portal.api.IsPortalStaff`.
"""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.shortcuts import render

from rdec_portal.accounts import roles


def staff_required(view):
    """Only logged-in, active users with a role reach the view.

    Anonymous visitors go to the login page. A logged-in user without a role (removed while the
    session was open) gets a page that says so, with status 403.
    """

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not roles.is_staff_user(user):
            return render(request, "accounts/no_role.html", status=403)
        return view(request, *args, **kwargs)

    return wrapper
