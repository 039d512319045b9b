"""Version numbers in the shared cache, for data every process keeps a copy of.

A process keys what it derived from some data (the working-day calendar, the category
catalogue, a rendered option list) by the data's version, and rereads when the version moves.
Whoever changes the data bumps the version after commit: bumped before, another process could
reload the old rows in between and keep them under the new version.
"""

import logging
import time

from django.core.cache import cache
from django.db import transaction

logger = logging.getLogger(__name__)


def shared_version(key: str):
    """The version under `key`, or None if the cache cannot be reached (callers then rely on
    their own time limit)."""
    try:
        # A first value no earlier version had, so an evicted key never brings an old one back.
        return cache.get_or_set(key, time.time_ns, timeout=None)
    except Exception:  # a cache outage must not stop the page
        logger.warning("could not read %s from the shared cache", key, exc_info=True)
        return None


def bump_shared_version(key: str) -> None:
    try:
        cache.incr(key)
    except ValueError:  # not there (never read, or evicted): any new value will do
        cache.set(key, time.time_ns(), timeout=None)
    except Exception:  # other processes then catch up within their own time limit
        logger.warning("could not publish a change of %s to the shared cache", key, exc_info=True)


def bump_shared_version_on_commit(key: str) -> None:
    """Bump `key` once the current transaction commits (at once outside one)."""
    transaction.on_commit(lambda: bump_shared_version(key))
