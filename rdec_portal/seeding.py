"""Demo data. `manage.py seed_demo [--scale demo|city]` runs the core's part, then each app's.

The core loads the agencies and role groups, one named demo user per role, and generated staff
accounts for every agency: a few per agency at the `demo` scale (about 500 users, quick enough
for `make run` on SQLite) or about 37,000 across the city at the `city` scale (DESIGN.md's size,
for benchmarks on PostgreSQL). Generated accounts are named `<agency code>.<number>`
(pwb.00001); numbers 1, 13, 25, ... are the agency's supervisors, the rest its staff. Every demo
account has the password DEMO_PASSWORD.

A business app adds its own demo data in `<app>/demo.py`:

    def seed(*, stdout, scale: str) -> None:
        '''Create this line's demo objects; `scale` is "demo" or "city".'''

`seed_apps()` calls it for every installed app, in INSTALLED_APPS order, after the core, so the
agencies and users above exist. Each `seed` must be idempotent (running the command twice
creates nothing new: get_or_create, or skip what exists) and should write one summary line to
`stdout`. At the `city` scale it should create the volumes DESIGN.md gives for one half-year,
with bulk_create.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from importlib import import_module
from itertools import islice

from django.apps import apps
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from rdec_portal.accounts import roles
from rdec_portal.accounts.models import Agency, User
from rdec_portal.accounts.services import agencies_load

DEMO_PASSWORD = "demo-password-2026"  # noqa: S105 - printed for demo users only

SCALE_DEMO = "demo"
SCALE_CITY = "city"
SCALES = (SCALE_DEMO, SCALE_CITY)

# A supervisor, then six staff: 72 agencies x 7 + the named users is about 500 accounts.
DEMO_ACCOUNTS_PER_AGENCY = 7
# DESIGN.md: about 37,000 staff accounts across the agencies and district offices.
CITY_ACCOUNTS = 37_000
# Every twelfth generated account (1, 13, 25, ...) is a supervisor.
SUPERVISOR_EVERY = 12
_BATCH = 2_000
# The dashboard shows 12 months: the named users and each agency's first accounts were opened
# before them, the others one by one since, so the active-staff series shows adoption growing.
EARLY_ACCOUNTS = 4
EARLY_JOINED = timedelta(days=420)

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

# Relative head counts at the city scale. Illustrative, not official figures: the police,
# schools and the cleaning squads are the big employers; a district office scales with its
# population. Agencies not listed weigh 1.
CITY_WEIGHTS = {
    "POLICE": 40, "EDU": 30, "EPB": 30, "FIRE": 12, "HEALTH": 8, "SOCIAL": 7, "PWB": 7,
    "WRB": 4, "TRANS": 4, "CIVIL": 4, "CULTURE": 3, "ECON": 3, "AGRI": 3, "LAND": 3,
    "UDB": 3, "LABOR": 3, "RAIL": 2, "FIN": 2, "SEC": 2, "TOUR": 2, "MARINE": 2,
    "D-FENGSHAN": 4, "D-SANMIN": 4, "D-ZUOYING": 3, "D-NANZI": 3, "D-QIANZHEN": 3,
    "D-XIAOGANG": 3, "D-LINGYA": 3, "D-GUSHAN": 2, "D-DALIAO": 2, "D-RENWU": 2,
    "D-GANGSHAN": 2, "D-LINYUAN": 2, "D-LUZHU": 2, "D-NIAOSONG": 2, "D-DASHU": 2,
}  # fmt: skip
_FAMILY = "陳林黃張李王吳劉蔡楊許鄭謝郭洪曾邱廖賴周徐蘇葉莊呂江何蕭羅高"
_GIVEN = "志明俊傑淑芬雅婷家豪怡君冠宇佳穎宗翰美玲建宏詩涵承恩欣怡"


@dataclass(frozen=True)
class CoreSeed:
    """What seed_core did, for the command to print."""

    logins: list[tuple[str, str, str]]  # (username, agency code, role label)
    agencies: int
    accounts_total: int  # generated agency accounts that now exist
    accounts_created: int  # of which this run created


@transaction.atomic
def seed_core(*, scale: str = SCALE_DEMO, city_accounts: int = CITY_ACCOUNTS) -> CoreSeed:
    """Agencies, role groups, the named demo users and the generated agency accounts."""
    if scale not in SCALES:
        raise ValueError(f"Unknown scale {scale!r}: use one of {', '.join(SCALES)}.")
    agencies = agencies_load()
    roles.sync_roles()
    # One hash for every demo account: hashing each password would take minutes at 37,000.
    password_hash = make_password(DEMO_PASSWORD)
    logins = demo_users_seed(password_hash=password_hash)
    sizes = agency_sizes(scale=scale, city_accounts=city_accounts)
    created = agency_accounts_seed(sizes=sizes, password_hash=password_hash)
    return CoreSeed(
        logins=logins,
        agencies=agencies,
        accounts_total=sum(sizes.values()),
        accounts_created=created,
    )


def demo_users_seed(*, password_hash: str) -> list[tuple[str, str, str]]:
    """One named user per role (admin, staff_pwb, ...). Existing users keep their password."""
    logins = []
    for username, role, agency_code, last_name, first_name in DEMO_USERS:
        user, _created = User.objects.get_or_create(
            username=username,
            defaults={
                "agency": Agency.objects.get(code=agency_code),
                "last_name": last_name,
                "first_name": first_name,
                "email": f"{username}@example.kcg.gov.tw",
                "password": password_hash,
                "is_staff": role == roles.ADMINISTRATOR,
                "is_superuser": role == roles.ADMINISTRATOR,
                "date_joined": timezone.now() - EARLY_JOINED,
            },
        )
        user.groups.add(Group.objects.get(name=role))
        logins.append((username, agency_code, str(roles.ROLE_LABELS[role])))
    return logins


def agency_sizes(*, scale: str, city_accounts: int = CITY_ACCOUNTS) -> dict[str, int]:
    """Generated accounts per agency code: a fixed few, or `city_accounts` split by weight."""
    codes = list(
        Agency.objects.order_by("kind", "sort_order", "code").values_list("code", flat=True)
    )
    if scale == SCALE_DEMO:
        return dict.fromkeys(codes, DEMO_ACCOUNTS_PER_AGENCY)
    return split_by_weight(city_accounts, {code: CITY_WEIGHTS.get(code, 1) for code in codes})


def split_by_weight(total: int, weights: dict[str, int]) -> dict[str, int]:
    """Largest-remainder split of `total` by weight, at least 2 (a supervisor and a staff) each."""
    floor = 2
    spare = max(total - floor * len(weights), 0)
    weight_sum = sum(weights.values())
    shares = {code: spare * w / weight_sum for code, w in weights.items()}
    sizes = {code: floor + int(share) for code, share in shares.items()}
    left = floor * len(weights) + spare - sum(sizes.values())
    by_remainder = sorted(shares, key=lambda code: shares[code] - int(shares[code]), reverse=True)
    for code in by_remainder[:left]:
        sizes[code] += 1
    return sizes


def account_username(agency_code: str, number: int) -> str:
    return f"{agency_code.lower()}.{number:05d}"


def agency_accounts_seed(*, sizes: dict[str, int], password_hash: str) -> int:
    """Create the generated accounts that do not exist yet, in bulk. Returns how many."""
    existing = set(User.objects.values_list("username", flat=True))
    agency_ids = dict(Agency.objects.values_list("code", "id"))
    now = timezone.now()
    missing = (
        _account(code, agency_ids[code], number, password_hash, now)
        for code, size in sizes.items()
        for number in range(1, size + 1)
        if account_username(code, number) not in existing
    )
    group_ids = {
        role: Group.objects.get(name=role).pk
        for role in (roles.AGENCY_STAFF, roles.AGENCY_SUPERVISOR)
    }
    created = 0
    while batch := list(islice(missing, _BATCH)):
        users = User.objects.bulk_create(batch)
        _add_roles(users, group_ids)
        created += len(users)
    return created


def _account(code: str, agency_id: int, number: int, password_hash: str, now) -> User:
    return User(
        username=account_username(code, number),
        agency_id=agency_id,
        last_name=_FAMILY[(number + agency_id) % len(_FAMILY)],
        first_name=_given_name(number),
        email=f"{account_username(code, number)}@example.kcg.gov.tw",
        password=password_hash,
        date_joined=joined_at(number, now),
    )


def joined_at(number: int, now: datetime) -> datetime:
    """When generated account `number` was opened: early, or on a day of the past 13 months."""
    if number <= EARLY_ACCOUNTS:
        return now - EARLY_JOINED
    return now - timedelta(days=(number * 53) % 390)


def _given_name(number: int) -> str:
    pairs = len(_GIVEN) // 2
    return _GIVEN[2 * (number % pairs) : 2 * (number % pairs) + 2]


def is_supervisor_number(number: int) -> bool:
    return number % SUPERVISOR_EVERY == 1


def _add_roles(users: list[User], group_ids: dict[str, int]) -> None:
    membership = User.groups.through
    rows = []
    for user in users:
        number = int(user.username.rsplit(".", 1)[1])
        role = roles.AGENCY_SUPERVISOR if is_supervisor_number(number) else roles.AGENCY_STAFF
        rows.append(membership(user_id=user.pk, group_id=group_ids[role]))
    membership.objects.bulk_create(rows, batch_size=_BATCH)


def seed_apps(*, stdout, scale: str = SCALE_DEMO) -> None:
    """Run every installed app's `demo.seed(stdout=..., scale=...)`; see the module docstring."""
    for config in apps.get_app_configs():
        try:
            module = import_module(f"{config.name}.demo")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.demo":
                raise
            continue
        seed = getattr(module, "seed", None)
        if seed is not None:
            seed(stdout=stdout, scale=scale)


__all__ = [
    "CITY_ACCOUNTS",
    "DEMO_PASSWORD",
    "SCALES",
    "CoreSeed",
    "account_username",
    "agency_sizes",
    "seed_apps",
    "seed_core",
]
