"""Shared fixtures: two agencies and a user for every role, as STYLE.md's owner/member/outsider."""

import pytest

from rdec_portal.accounts import roles
from tests.accounts.factories import PASSWORD, AgencyFactory, UserFactory


@pytest.fixture(autouse=True)
def _media_and_mail(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture(autouse=True)
def _fresh_caches():
    # A rolled-back row sends no signal: what a test cached (the working-day calendar, the
    # catalogue, an unread count) must not reach the next one. Every app registers its
    # in-process caches (rdec_portal/local_caches.py).
    # The page shells' fragments too: a test may change the URLs or settings they are made of.
    from django.core.cache import cache, caches

    from rdec_portal.local_caches import clear_local_caches

    def forget():
        cache.clear()
        caches["fragments"].clear()
        clear_local_caches()

    forget()
    yield
    forget()


@pytest.fixture
def password():
    return PASSWORD


@pytest.fixture
def agency_a(db):
    return AgencyFactory(code="PWB", name_zh="高雄市政府工務局", name_en="Public Works Bureau")


@pytest.fixture
def agency_b(db):
    return AgencyFactory(code="WRB", name_zh="高雄市政府水利局", name_en="Water Resources Bureau")


@pytest.fixture
def rdec_agency(db):
    return AgencyFactory(
        code="RDEC",
        name_zh="高雄市政府研究發展考核委員會",
        name_en="Research, Development and Evaluation Commission",
    )


@pytest.fixture
def staff_a(agency_a):
    """Agency staff of agency A: the owner in permission tests."""
    return UserFactory(username="staff_a", agency=agency_a, roles=[roles.AGENCY_STAFF])


@pytest.fixture
def colleague_a(agency_a):
    """Another member of agency A."""
    return UserFactory(username="colleague_a", agency=agency_a, roles=[roles.AGENCY_STAFF])


@pytest.fixture
def supervisor_a(agency_a):
    return UserFactory(username="supervisor_a", agency=agency_a, roles=[roles.AGENCY_SUPERVISOR])


@pytest.fixture
def staff_b(agency_b):
    """Agency staff of agency B: the outsider."""
    return UserFactory(username="staff_b", agency=agency_b, roles=[roles.AGENCY_STAFF])


@pytest.fixture
def mayor_office(rdec_agency):
    return UserFactory(username="mayor", agency=rdec_agency, roles=[roles.MAYOR_OFFICE])


@pytest.fixture
def administrator(rdec_agency):
    return UserFactory(
        username="administrator",
        agency=rdec_agency,
        roles=[roles.ADMINISTRATOR],
        is_staff=True,
        is_superuser=True,
    )


@pytest.fixture
def rdec_user(rdec_agency):
    """Factory: an RDEC staff user of the given business line."""

    def make(line: str):
        role = roles.LINE_ROLE[line]
        return UserFactory(username=f"rdec_{line}", agency=rdec_agency, roles=[role])

    return make
