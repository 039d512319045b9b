import io

from rdec_portal.accounts import roles
from rdec_portal.accounts.models import Agency
from rdec_portal.accounts.services import agencies_load
from service_center import demo
from service_center.models import Petition, Status
from tests.accounts.factories import UserFactory


def test_demo_data_covers_every_queue_and_is_idempotent(db, frozen):
    agencies_load()
    UserFactory(
        username="desk", agency=Agency.objects.get(code="RDEC"), roles=[roles.RDEC_SERVICE_CENTER]
    )
    for code in ("PWB", "WRB", "EPB", "POLICE", "RDEC"):
        UserFactory(
            username=f"staff-{code}",
            agency=Agency.objects.get(code=code),
            roles=[roles.AGENCY_STAFF],
        )
    out = io.StringIO()

    demo.seed(stdout=out, scale="demo")
    demo.seed(stdout=out, scale="demo")

    assert Petition.objects.count() == demo.DEMO_PETITIONS
    statuses = set(Petition.objects.values_list("status", flat=True))
    assert {
        Status.VERIFIED,
        Status.ASSIGNED,
        Status.IN_PROGRESS,
        Status.REPLIED,
        Status.CLOSED,
    } <= statuses
    assert "already present" in out.getvalue()
