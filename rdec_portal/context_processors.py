from rdec_portal import views
from rdec_portal.accounts import roles


def portal(request):
    """What the page shells need on every page: the public links, and for staff their header."""
    context = {"public_links": views.public_links(), "is_portal_staff": False}
    user = getattr(request, "user", None)
    if user is None or not roles.is_staff_user(user):
        return context
    context.update(
        is_portal_staff=True,
        portal_roles=sorted(roles.role_names(user)),
        portal_role_labels=views.role_labels(user),
        # The Django admin lets in only is_staff accounts, so only they get the link.
        can_use_admin=user.is_staff,
        business_lines=_with_current(views.business_lines(), request.path),
    )
    return context


def _with_current(lines: list[dict], path: str) -> list[dict]:
    # aria-current marks the line the page belongs to, for screen readers and the highlight.
    return [{**line, "current": path.startswith(line["url"])} for line in lines]
