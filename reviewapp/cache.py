"""A Redis cache that degrades to 'nothing cached' while Redis is down.

The cache holds only what can be recomputed (rate-limit counters, import progress heartbeats),
so with Redis unreachable the app keeps serving pages — screening goes on — instead of failing
every request that touches the cache.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)
_DOWN = (RedisConnectionError, RedisTimeoutError, ConnectionError, OSError)
# After a failure the cache is skipped for this long: a page touching it ten times while Redis
# hangs costs one timeout, not ten.
PAUSE_SECONDS = 3.0


def _guard(name: str, fallback: Any):
    def method(self, *args, **kwargs):
        if self._paused():
            return fallback() if callable(fallback) else fallback
        try:
            return getattr(super(ResilientRedisCache, self), name)(*args, **kwargs)
        except _DOWN as exc:
            self._failed(name, exc)
            return fallback() if callable(fallback) else fallback

    method.__name__ = name
    return method


class ResilientRedisCache(RedisCache):
    # "Added": callers that use add() as a lock (allauth's rate limits) go ahead rather than
    # spin, and rate limiting pauses until Redis is back.
    add = _guard("add", True)
    set = _guard("set", None)
    touch = _guard("touch", False)
    delete = _guard("delete", False)
    get_many = _guard("get_many", dict)
    set_many = _guard("set_many", list)
    delete_many = _guard("delete_many", None)
    has_key = _guard("has_key", False)
    incr = _guard("incr", 0)
    clear = _guard("clear", None)

    def get(self, key, default=None, version=None):
        if self._paused():
            return default
        try:
            return super().get(key, default, version)
        except _DOWN as exc:
            self._failed("get", exc)
            return default

    _down_until = 0.0

    def _failed(self, name: str, exc: Exception) -> None:
        self._down_until = time.monotonic() + PAUSE_SECONDS
        logger.warning("Cache unavailable (%s): %s", name, exc)

    def _paused(self) -> bool:
        return time.monotonic() < self._down_until
