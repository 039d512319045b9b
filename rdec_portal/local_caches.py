"""In-process caches, registered so that they can all be forgotten at once.

A module that keeps data in a process's memory between requests (the working-day calendar, the
service centre's category catalogue) registers the function that forgets it, from its app's
AppConfig.ready():

    from rdec_portal.local_caches import register_local_cache

    register_local_cache("service_center.catalogue", catalogue_cache.forget)

The test suite calls clear_local_caches() around every test: a rolled-back row sends no signal,
and what one test cached must not reach the next.
"""

from collections.abc import Callable

_FORGETTERS: dict[str, Callable[[], None]] = {}


def register_local_cache(name: str, forget: Callable[[], None]) -> None:
    """Declare an in-process cache by a unique name and the function that empties it."""
    if name in _FORGETTERS and _FORGETTERS[name] is not forget:
        raise ValueError(f"Local cache {name!r} is registered twice.")
    _FORGETTERS[name] = forget


def clear_local_caches() -> None:
    """Empty every registered in-process cache."""
    for forget in list(_FORGETTERS.values()):
        forget()


def local_cache_names() -> list[str]:
    return list(_FORGETTERS)
