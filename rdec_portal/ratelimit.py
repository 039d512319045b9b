"""One rate limiter for every limit in the portal: a fixed window counted in the cache.

    TRACKING = RateLimit("sc.track.address", limit=20, window=15 * 60)
    decision = TRACKING.hit(client_address(request))      # count one and decide
    if not decision.allowed: ... answer 429 with decision.retry_after
    TRACKING.check(key)                                    # decide without counting

The count is `cache.add` then `cache.incr`, both atomic in Redis, so concurrent requests never
lose a count. A window is a fixed slot of `window` seconds (the key names the slot), so a client
gets at most twice the limit across a slot boundary: simple, and enough to stop automation.

Operations can change any limit without a deploy (docs/operations.md): `RATE_LIMITS`
("scope=count/seconds,..."), and `RATE_LIMIT_MULTIPLIER` multiplies every count at once, for a
surge of genuine use such as a typhoon.
"""

import hashlib
import time
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured


@dataclass(frozen=True)
class Decision:
    allowed: bool
    count: int
    limit: int
    retry_after: int  # seconds until the window ends; 0 when allowed


@lru_cache(maxsize=8)
def parse_overrides(raw: str) -> dict[str, tuple[int, int]]:
    """ "scope=count/seconds,scope=count/seconds" → {scope: (count, seconds)}."""
    overrides = {}
    for item in filter(None, (part.strip() for part in raw.split(","))):
        scope, _, value = item.partition("=")
        count, _, seconds = value.partition("/")
        try:
            overrides[scope.strip()] = (int(count), int(seconds))
        except ValueError:
            raise ImproperlyConfigured(
                f"RATE_LIMITS must read scope=count/seconds, not {item!r}"
            ) from None
    return overrides


@dataclass(frozen=True)
class RateLimit:
    scope: str
    limit: int
    window: int  # seconds

    def current(self) -> tuple[int, int]:
        """(count, window) in force: the code's numbers unless operations changed them."""
        limit, window = parse_overrides(getattr(settings, "RATE_LIMITS", "")).get(
            self.scope, (self.limit, self.window)
        )
        return limit * max(1, getattr(settings, "RATE_LIMIT_MULTIPLIER", 1)), window

    def _key(self, key: str, window: int, now: float) -> str:
        # Hashed: a key may be an e-mail address or anything a client sent.
        digest = hashlib.sha256(str(key).encode()).hexdigest()[:32]
        return f"rl:{self.scope}:{digest}:{int(now) // window}"

    def _decide(self, count: int, limit: int, window: int, now: float) -> Decision:
        allowed = count <= limit
        retry = 0 if allowed else window - int(now) % window
        return Decision(allowed=allowed, count=count, limit=limit, retry_after=retry)

    def hit(self, key: str) -> Decision:
        """Count one request for `key` and say whether it is within the limit."""
        limit, window = self.current()
        now = time.time()
        cache_key = self._key(key, window, now)
        if cache.add(cache_key, 1, window + 1):
            count = 1
        else:
            try:
                count = cache.incr(cache_key)
            except ValueError:  # expired between add and incr
                cache.set(cache_key, 1, window + 1)
                count = 1
        return self._decide(count, limit, window, now)

    def check(self, key: str) -> Decision:
        """Whether one more request for `key` would be within the limit, counting nothing."""
        limit, window = self.current()
        now = time.time()
        count = cache.get(self._key(key, window, now), 0) + 1
        return self._decide(count, limit, window, now)
