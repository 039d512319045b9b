import sys
from io import StringIO
from types import ModuleType, SimpleNamespace

import pytest
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.db.models import Count, Q

from rdec_portal import seeding
from rdec_portal.accounts import roles
from rdec_portal.accounts.models import Agency, User
from rdec_portal.performance.models import MonthlyMetric
from rdec_portal.performance.months import add_months, current_month
from service_center import demo as service_center_demo
from service_center.petitions import demo as demo_history
from service_center.petitions.models import Petition


@pytest.fixture(autouse=True)
def small_history(monkeypatch):
    # The past year's petitions at a tenth of the demo size: enough for every month's figures.
    monkeypatch.setattr(demo_history, "HISTORY_PER_MONTH", 10)
    # These tests are about the accounts: the city's half-year of petitions would only slow them.
    monkeypatch.setattr(service_center_demo, "CITY_PETITIONS", 2_000)


def seed(**options) -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out, **options)
    return out.getvalue()


def snapshot() -> tuple[int, ...]:
    memberships = User.groups.through.objects.count()
    return (
        Agency.objects.count(),
        User.objects.count(),
        memberships,
        Petition.objects.count(),
        MonthlyMetric.objects.count(),
    )


def test_demo_scale_creates_every_agency_the_role_users_and_a_few_accounts_each(db):
    seed()
    agencies = Agency.objects.count()
    assert agencies == 72
    generated = User.objects.filter(username__contains=".")
    assert generated.count() == agencies * seeding.DEMO_ACCOUNTS_PER_AGENCY
    assert User.objects.count() == len(seeding.DEMO_USERS) + generated.count()
    per_agency = generated.values("agency").annotate(
        supervisors=Count("pk", filter=Q(groups__name=roles.AGENCY_SUPERVISOR)),
        staff=Count("pk", filter=Q(groups__name=roles.AGENCY_STAFF)),
    )
    assert {(row["supervisors"], row["staff"]) for row in per_agency} == {(1, 6)}
    for username, role, *_rest in seeding.DEMO_USERS:
        assert User.objects.get(username=username).groups.filter(name=role).exists()


def test_seed_demo_twice_creates_nothing_new(db):
    seed()
    before = snapshot()
    output = seed()
    assert snapshot() == before
    assert "(0 new)" in output


def test_the_dashboard_has_a_year_of_figures_after_every_app_seeded(db):
    output = seed()
    months = [add_months(current_month(), -back) for back in range(13)]
    for code in ("service_center.received", "service_center.closed", "accounts.active_staff"):
        stored = set(MonthlyMetric.objects.filter(code=code).values_list("month", flat=True))
        assert stored == set(months), code
    # The active-staff series grows as the generated accounts were opened over the year.
    active = MonthlyMetric.objects.filter(code="accounts.active_staff")
    first = sum(active.filter(month=months[-1]).values_list("value", flat=True))
    last = sum(active.filter(month=months[0]).values_list("value", flat=True))
    assert 0 < first < last == User.objects.exclude(agency=None).count()
    assert output.index("Monthly metrics") > output.index("service_center:")


def test_printed_logins_give_the_url_usernames_roles_and_password(db, settings):
    output = seed()
    assert f"{settings.SITE_URL}/accounts/login/" in output
    assert seeding.DEMO_PASSWORD in output
    for username, role, *_rest in seeding.DEMO_USERS:
        line = next(line for line in output.splitlines() if line.split()[:1] == [username])
        assert str(roles.ROLE_LABELS[role]) in line
    assert "pwb.00001" in output


def test_every_demo_account_has_the_demo_password(db):
    seed()
    for username in ("admin", "staff_pwb", "pwb.00001", "d-sanmin.00007"):
        assert User.objects.get(username=username).check_password(seeding.DEMO_PASSWORD)


def test_an_existing_demo_users_changed_password_is_kept(db):
    seed()
    admin = User.objects.get(username="admin")
    admin.set_password("a-new-secret-password")
    admin.save()
    seed()
    admin.refresh_from_db()
    assert admin.check_password("a-new-secret-password")


@pytest.mark.parametrize("accounts", [300, 700])
def test_city_scale_splits_the_accounts_by_agency_size_and_is_idempotent(db, accounts):
    seed(scale="city", accounts=accounts)
    generated = User.objects.filter(username__contains=".")
    assert generated.count() == accounts
    sizes = dict(generated.values_list("agency__code").annotate(n=Count("pk")))
    assert len(sizes) == 72
    assert min(sizes.values()) >= 2
    assert max(sizes, key=sizes.get) == "POLICE"
    assert sizes["D-FENGSHAN"] > sizes["D-NAMAXIA"]
    # Every agency has a supervisor and a staff member.
    for role in (roles.AGENCY_SUPERVISOR, roles.AGENCY_STAFF):
        group = Group.objects.get(name=role)
        assert generated.filter(groups=group).values("agency").distinct().count() == 72
    before = snapshot()
    assert "(0 new)" in seed(scale="city", accounts=accounts)
    assert snapshot() == before


def test_city_scale_after_demo_scale_only_adds_the_missing_accounts(db):
    seed()
    demo_accounts = set(User.objects.values_list("username", flat=True))
    seed(scale="city", accounts=400)
    assert demo_accounts <= set(User.objects.values_list("username", flat=True))
    assert User.objects.filter(username__contains=".").count() == 72 * 7 + _extra_over_demo(400)


def _extra_over_demo(accounts: int) -> int:
    # An agency keeps its 7 demo accounts when its city size is smaller.
    sizes = seeding.split_by_weight(accounts, _weights())
    return sum(max(size - 7, 0) for size in sizes.values())


def _weights() -> dict[str, int]:
    codes = Agency.objects.values_list("code", flat=True)
    return {code: seeding.CITY_WEIGHTS.get(code, 1) for code in codes}


def test_split_by_weight_gives_the_exact_total():
    sizes = seeding.split_by_weight(37_000, {"A": 40, "B": 3, "C": 1})
    assert sum(sizes.values()) == 37_000
    assert sizes["A"] > sizes["B"] > sizes["C"] >= 2


def test_bad_accounts_number_is_refused(db):
    with pytest.raises(CommandError):
        seed(scale="city", accounts=0)
    assert User.objects.count() == 0


def test_each_apps_demo_module_is_called_with_stdout_and_scale(db, monkeypatch):
    calls = []
    module = ModuleType("fake_line.demo")
    module.seed = lambda *, stdout, scale: calls.append((stdout, scale))
    monkeypatch.setitem(sys.modules, "fake_line", ModuleType("fake_line"))
    monkeypatch.setitem(sys.modules, "fake_line.demo", module)
    monkeypatch.setattr(
        seeding.apps, "get_app_configs", lambda: [SimpleNamespace(name="fake_line")]
    )
    out = StringIO()
    seeding.seed_apps(stdout=out, scale="city")
    assert calls == [(out, "city")]
