import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from rdec_portal.accounts.models import ApiToken


@pytest.fixture(autouse=True)
def _fresh_throttle_counts():
    # Throttle counts live in the cache; one test's requests must not throttle the next.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def make_token():
    """Factory: a personal token for user; returns (token, key) like api_token_create."""

    def make(user, name="CI script"):
        key = ApiToken.generate_key()
        token = ApiToken.objects.create(
            user=user,
            name=name,
            prefix=key[: ApiToken.PREFIX_LENGTH],
            key_hash=ApiToken.hash_key(key),
        )
        return token, key

    return make
