"""A circuit breaker for the Elasticsearch backend, its state in the cache (shared by workers).

Closed: calls go through. After ``RECOMMENDATIONS_BREAKER_FAILURES`` consecutive failures it
opens for ``RECOMMENDATIONS_BREAKER_COOLDOWN`` seconds, during which reads go straight to the
database backend without waiting on a timeout. The first call after the cool-down tries again.
"""

from __future__ import annotations

import logging
import time

from django.core.cache import cache

from .conf import reco_setting

logger = logging.getLogger(__name__)

FAILURES_KEY = "recommendations:breaker:failures"
OPEN_UNTIL_KEY = "recommendations:breaker:open_until"


class CircuitBreaker:
    def __init__(self, name: str = "elasticsearch"):
        self.name = name

    def _key(self, key: str) -> str:
        return f"{key}:{self.name}"

    def is_open(self) -> bool:
        until = cache.get(self._key(OPEN_UNTIL_KEY))
        return until is not None and until > time.time()

    def record_success(self) -> None:
        cache.delete_many([self._key(FAILURES_KEY), self._key(OPEN_UNTIL_KEY)])

    def record_failure(self, error: BaseException | None = None) -> None:
        key = self._key(FAILURES_KEY)
        cache.add(key, 0, timeout=3600)
        try:
            failures = cache.incr(key)
        except ValueError:
            cache.set(key, 1, timeout=3600)
            failures = 1
        if failures >= int(reco_setting("RECOMMENDATIONS_BREAKER_FAILURES")):
            cooldown = float(reco_setting("RECOMMENDATIONS_BREAKER_COOLDOWN"))
            cache.set(self._key(OPEN_UNTIL_KEY), time.time() + cooldown, timeout=int(cooldown) + 1)
            logger.warning(
                "recommendations: %s circuit open for %ss after %s failures (%s)",
                self.name,
                cooldown,
                failures,
                error,
            )

    def reset(self) -> None:
        self.record_success()


breaker = CircuitBreaker()
