from rdec_portal import views
from rdec_portal.accounts import roles


def portal(request):
    """What the page shells need on every page: the public links, and for staff their header."""
    links = views.public_links()
    context = {
        "public_links": links,
        "public_nav_current": _public_nav_current(request, links),
        "is_portal_staff": False,
    }
    user = getattr(request, "user", None)
    if user is None or not roles.is_staff_user(user):
        return context
    lines = views.business_lines()
    context.update(
        is_portal_staff=True,
        portal_roles=sorted(roles.role_names(user)),
        portal_role_labels=views.role_labels(user),
        # The Django admin lets in only is_staff accounts, so only they get the link.
        can_use_admin=user.is_staff,
        business_lines=lines,
        staff_nav_current=_staff_nav_current(request, lines),
    )
    return context


def _view_name(request) -> str:
    match = getattr(request, "resolver_match", None)
    return match.view_name if match is not None else ""


def _staff_nav_current(request, lines: list[dict]) -> str:
    """Which entry of the lines menu the page is (aria-current, for screen readers and the
    highlight): the line whose pages it is under, "home" for the staff home, or ""."""
    path = getattr(request, "path", "")
    for line in lines:
        if path.startswith(line["url"]):
            return line["code"]
    return "home" if _view_name(request) == "staff-home" else ""


def _public_nav_current(request, links: list[dict]) -> str:
    """Which public menu entry the page is: "home", "login", a link's URL, or "" for none.

    A handful of values, so the public header is rendered once per value (and language).
    """
    name = _view_name(request)
    if name == "home":
        return "home"
    if name == "accounts:login":
        return "login"
    path = getattr(request, "path", "")
    return path if any(link["url"] == path for link in links) else ""
