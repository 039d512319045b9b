"""Demo data. `manage.py seed_demo` runs the core's part, then each app's `demo.py` `seed()`.

Every part is idempotent: running the command twice leaves the same data.
"""

from django.contrib.auth.models import Group
from django.db import transaction

from rdec_portal.accounts import roles
from rdec_portal.accounts.models import Agency, User
from rdec_portal.accounts.services import agencies_load

DEMO_PASSWORD = "demo-password-2026"  # noqa: S105 - printed for demo users only

# (username, role, agency code, family name, given name)
DEMO_USERS = [
    ("admin", roles.ADMINISTRATOR, "RDEC", "管", "理員"),
    ("staff_pwb", roles.AGENCY_STAFF, "PWB", "王", "承辦"),
    ("supervisor_pwb", roles.AGENCY_SUPERVISOR, "PWB", "林", "主管"),
    ("staff_sanmin", roles.AGENCY_STAFF, "D-SANMIN", "陳", "區承辦"),
    ("rdec_research", roles.RDEC_RESEARCH, "RDEC", "張", "研究"),
    ("rdec_planning", roles.RDEC_PLANNING, "RDEC", "李", "綜計"),
    ("rdec_oversight", roles.RDEC_OVERSIGHT, "RDEC", "黃", "管考"),
    ("rdec_inspection", roles.RDEC_INSPECTION, "RDEC", "吳", "查核"),
    ("rdec_service", roles.RDEC_SERVICE_CENTER, "RDEC", "劉", "服務"),
    ("rdec_info", roles.RDEC_INFOSERVICE, "RDEC", "蔡", "資訊"),
    ("mayor_office", roles.MAYOR_OFFICE, "SEC", "楊", "市長室"),
]


@transaction.atomic
def seed_core() -> list[tuple[str, str]]:
    """Agencies, role groups and one demo user per role. Returns (username, role label) pairs."""
    agencies_load()
    roles.sync_roles()
    logins = []
    for username, role, agency_code, last_name, first_name in DEMO_USERS:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "agency": Agency.objects.get(code=agency_code),
                "last_name": last_name,
                "first_name": first_name,
                "email": f"{username}@example.kcg.gov.tw",
                "is_staff": role == roles.ADMINISTRATOR,
                "is_superuser": role == roles.ADMINISTRATOR,
            },
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        user.groups.add(Group.objects.get(name=role))
        logins.append((username, str(roles.ROLE_LABELS[role])))
    return logins


def seed_apps(stdout) -> None:
    from importlib import import_module

    from django.apps import apps

    for config in apps.get_app_configs():
        try:
            module = import_module(f"{config.name}.demo")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.demo":
                raise
            continue
        seed = getattr(module, "seed", None)
        if seed is not None:
            seed(stdout=stdout)


__all__ = ["DEMO_PASSWORD", "seed_apps", "seed_core"]
