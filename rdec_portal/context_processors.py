from rdec_portal.accounts import roles


def portal(request):
    user = getattr(request, "user", None)
    if user is None or not roles.is_staff_user(user):
        return {"is_portal_staff": False}
    return {
        "is_portal_staff": True,
        "portal_roles": sorted(roles.role_names(user)),
    }
