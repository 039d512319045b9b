"""POST requests: a value longer than its column is a 400 naming it, not a database error."""

import pytest
from django.core.cache import cache

from service_center.open311.intake import TEXT_MAX_LENGTHS
from service_center.petitions.models import Petition
from tests.service_center.open311.test_requests_post import form, post


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.mark.parametrize("name", ["address_string", "first_name", "last_name", "phone", "email"])
def test_a_value_over_its_limit_is_refused_by_name(client, frozen, lamp, api_key, name):
    limit = TEXT_MAX_LENGTHS[name]
    value = ("a" * (limit - 11) + "@example.com") if name == "email" else "1" * (limit + 1)

    response = post(client, form(api_key, **{name: value}), language="en")

    assert response.status_code == 400
    assert name in response.content.decode()
    assert not Petition.objects.exists()


def test_values_at_their_limits_are_taken(client, frozen, lamp, api_key):
    at_limit = {name: "1" * limit for name, limit in TEXT_MAX_LENGTHS.items() if name != "email"}

    response = post(client, form(api_key, **at_limit), language="en")

    assert response.status_code == 200, response.content
    assert Petition.objects.get().address == at_limit["address_string"]
