"""The active category catalogue, kept in memory between requests.

Every public submission, Open311 POST and staff-recorded petition needs its category (agency,
handling limit, extra questions): a few dozen rows that change a few times a year. Reading one
from the database is most of what a submission does besides saving it (bench/), so each process
keeps the active catalogue and reads it again when the catalogue version changes: a category or
an agency saved or deleted anywhere bumps the version in the shared cache. A change made around
the signals (a queryset update in a shell) shows within MEMO_SECONDS.
"""

import copy
import threading
import time

from rdec_portal.cache_versions import bump_shared_version_on_commit, shared_version
from service_center.petitions.models import Category

_VERSION_KEY = "service_center:catalogue-version"
MEMO_SECONDS = 60

_lock = threading.Lock()
_memo: dict = {"version": None, "loaded": 0.0, "categories": {}}


def catalogue_version():
    """Changes whenever a category or an agency is saved or deleted: the key of everything
    cached from the catalogue (this memo, the queue's rendered filter form)."""
    return shared_version(_VERSION_KEY)


def bump_catalogue_version(**kwargs) -> None:
    """A category or agency saved or deleted: this process forgets its copy now (it must see
    its own change), every process rereads once the change is committed."""
    forget()
    bump_shared_version_on_commit(_VERSION_KEY)


def _active_categories() -> dict[int, Category]:
    version = catalogue_version()
    now = time.monotonic()
    with _lock:
        if _memo["version"] == version and now - _memo["loaded"] < MEMO_SECONDS:
            return _memo["categories"]
    categories = {c.pk: c for c in Category.objects.active().select_related("agency")}
    with _lock:
        _memo.update(version=version, loaded=now, categories=categories)
    return categories


def active_category(pk) -> Category | None:
    """The active category with this id (its agency loaded), or None; a copy the caller may
    change without touching the shared one."""
    try:
        found = _active_categories().get(int(pk))
    except (TypeError, ValueError):
        return None
    return copy.copy(found) if found is not None else None


def active_category_by_code(code: str) -> Category | None:
    """The active category with this code, or None; a copy, as active_category."""
    found = next((c for c in _active_categories().values() if c.code == code), None)
    return copy.copy(found) if found is not None else None


def forget() -> None:
    """Drop the memo (tests that change the catalogue without the signals)."""
    with _lock:
        _memo.update(version=None, loaded=0.0, categories={})
