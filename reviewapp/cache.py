"""A Redis cache that degrades to 'nothing cached' while Redis is down.

The cache holds only what can be recomputed (rate-limit counters, import progress heartbeats),
so with Redis unreachable the app keeps serving pages — screening goes on — instead of failing
every request that touches the cache.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)
_DOWN = (RedisConnectionError, RedisTimeoutError, ConnectionError, OSError)


def _guard(name: str, fallback: Any):
    def method(self, *args, **kwargs):
        try:
            return getattr(super(ResilientRedisCache, self), name)(*args, **kwargs)
        except _DOWN as exc:
            logger.warning("Cache unavailable (%s): %s", name, exc)
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
        try:
            return super().get(key, default, version)
        except _DOWN as exc:
            logger.warning("Cache unavailable (get): %s", exc)
            return default
