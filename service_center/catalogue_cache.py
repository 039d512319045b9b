"""Kept at its old path only for `tests/conftest.py`, which clears the cache between tests; the
module is `service_center.petitions.catalogue_cache`. Remove once the core clears registered
caches itself."""

from service_center.petitions.catalogue_cache import forget  # noqa: F401
