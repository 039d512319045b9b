"""Property-based fuzzing of every operation in /api/schema/ with schemathesis.

Each operation gets generated requests (valid and invalid) sent in-process through the WSGI app,
authenticated with a personal API token. Every response must not be a 5xx, must carry a status
the schema documents, and must match the documented body. The examples are few enough for CI
(about a minute of CPU); `make fuzz` runs many more (FUZZ_EXAMPLES).

Path parameters are drawn partly from the rows the fixture creates, so the detail and action
operations reach real objects and not only 404s.
"""

import json
import os

import pytest
import schemathesis
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    response_schema_conformance,
    status_code_conformance,
)

from rdec_portal.accounts import roles
from rdec_portal.accounts.models import ApiToken
from rdec_portal.accounts.roles import Line
from rdec_portal.workflow.models import Notification
from rdec_portal.wsgi import application
from tests.accounts.factories import UserFactory
from tests.performance.factories import MonthlyMetricFactory
from tests.service_center.factories import AssignedPetitionFactory, PetitionFactory

MAX_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "15"))
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]


def _published_schema() -> dict:
    """What /api/schema/ serves to staff. Generated in-process: the URL needs a login (a token
    exists only once the test database does), and collection happens before that."""
    raw = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(raw, renderer_context={}))


schema = schemathesis.openapi.from_dict(_published_schema())
schema.app = application

# Real ids and codes per path prefix, filled by the `population` fixture before each operation.
KNOWN: dict[str, list] = {}


def _known_for(path: str) -> dict[str, list]:
    if path.startswith("/api/v1/service-center/petitions/"):
        return {"id": KNOWN.get("petition", [])}
    if path.startswith("/api/v1/performance/metrics/"):
        return {"id": KNOWN.get("metric", [])}
    if path.startswith("/api/v1/workflow/notifications/"):
        return {"id": KNOWN.get("notification", [])}
    if path.startswith("/api/v1/accounts/agencies/"):
        return {"code": KNOWN.get("agency", [])}
    return {}


@schema.hook
def flatmap_path_parameters(context, path_parameters):
    """Half the time, swap a generated id for one that exists."""
    known = _known_for(context.operation.path)
    if not path_parameters:
        return st.just(path_parameters)
    choices = [st.just(path_parameters)]
    for name, values in known.items():
        if name in path_parameters and values:
            choices.append(st.sampled_from(values).map(lambda v, n=name: {**path_parameters, n: v}))
    return st.one_of(*choices)


def _token(user) -> str:
    key = ApiToken.generate_key()
    ApiToken.objects.create(
        user=user,
        name="fuzz",
        prefix=key[: ApiToken.PREFIX_LENGTH],
        key_hash=ApiToken.hash_key(key),
    )
    return key


@pytest.fixture(autouse=True)
def _keep_test_connection():
    """The raw WSGI app closes the database connection after each request, as a server should;
    inside the test's transaction it must stay open (Django's test client does the same)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def population(db, rdec_agency, agency_a, staff_a):
    """A service-centre desk user (broad rights) with a token, and rows for it to act on."""
    desk = UserFactory(
        username="fuzz_desk", agency=rdec_agency, roles=[roles.LINE_ROLE[Line.SERVICE_CENTER]]
    )
    waiting = PetitionFactory(category__agency=agency_a)
    assigned = AssignedPetitionFactory(category__agency=agency_a, assignee=staff_a)
    metric = MonthlyMetricFactory(agency=agency_a)
    note = Notification.objects.create(recipient=desk, title="提醒", body="案件即將逾期")
    KNOWN.update(
        petition=[waiting.pk, assigned.pk],
        metric=[metric.pk],
        notification=[note.pk],
        agency=[agency_a.code, rdec_agency.code],
    )
    yield {"Authorization": f"Bearer {_token(desk)}"}
    KNOWN.clear()


@pytest.mark.fuzz
@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.data_too_large,
    ],
    derandomize=True,
)
def test_api_operation(case, population):
    # The throttle counts live in the cache; the fuzzer's hundreds of calls are not abuse.
    cache.clear()
    case.call_and_validate(headers=population, checks=CHECKS)


# ---- regressions the fuzzer found (each was a 500) ----------------------------------------------


def test_working_days_with_an_empty_start_is_a_400(population, client):
    response = client.get(
        "/api/v1/workflow/calendar/working-days/?start=&days=3",
        HTTP_AUTHORIZATION=population["Authorization"],
    )

    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "start"
    assert response.json()["errors"][0]["code"] == "required"


@pytest.mark.parametrize("due_within", ["-1.0525342323624092e+16", "1e12", "-1"])
def test_queue_due_within_out_of_range_is_a_400(population, client, due_within):
    response = client.get(
        "/api/v1/service-center/petitions/",
        {"due_within": due_within},
        HTTP_AUTHORIZATION=population["Authorization"],
    )

    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "due_within"


def test_a_list_item_error_is_documented_by_pattern(client, population):
    schema = client.get(
        "/api/schema/",
        HTTP_ACCEPT="application/vnd.oai.openapi+json",
        HTTP_AUTHORIZATION=population["Authorization"],
    ).json()

    component = schema["components"]["schemas"][
        "ServiceCenterPetitionsBulkAssignCreatePetitionsINDEXErrorComponent"
    ]
    assert component["properties"]["attr"] == {"type": "string", "pattern": r"^petitions\.\d+$"}
