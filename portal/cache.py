"""The Redis cache backend: one client per connection pool, and never a reason for a 500.

Django's own backend builds a new `redis.Redis` for every cache call, and
with it a table of about 170 response callbacks; on a page served from the
cache that costs as much as the round trip itself. A `redis.Redis` is only a
thin, thread-safe handle on its connection pool, so one per pool is enough.

The cache makes pages fast; it is never needed for them to be right. When
Redis cannot be reached, a read is a miss and a write does nothing, the
failure is logged (at most once a minute per process), and Redis is left
alone for a few seconds before it is tried again, so an outage costs each
request nothing. A cache configured with `"OPTIONS": {"LOCAL_FALLBACK": True}`
(the rate-limit cache) instead keeps counting in the process's own memory
while Redis is away, so limits still hold per process rather than refusing
everyone or nobody.
"""

import logging
import threading
import time

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

RETRY_SECONDS = 5  # how long Redis is left alone after a failure
LOG_SECONDS = 60  # at most one warning per process in this long
_UNREACHABLE = (RedisError, OSError)


class _ReusingClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class _Outage:
    """When Redis last failed, shared by every cache alias of the process."""

    lock = threading.Lock()
    down_until = 0.0
    last_logged = 0.0

    @classmethod
    def is_down(cls):
        return time.monotonic() < cls.down_until

    @classmethod
    def record(cls, error, operation):
        now = time.monotonic()
        with cls.lock:
            cls.down_until = now + RETRY_SECONDS
            log = now - cls.last_logged >= LOG_SECONDS
            if log:
                cls.last_logged = now
        if log:
            logger.warning(
                "cache unavailable (%s failed: %s); serving without it, retrying every %ss",
                operation,
                error,
                RETRY_SECONDS,
            )


def cache_unavailable():
    """Whether Redis failed in the last few seconds (reads are misses meanwhile)."""
    return _Outage.is_down()


def rate_limit_cache():
    """The cache that counts rate limits (django-ratelimit's and the portal's own counters)."""
    return caches[getattr(settings, "RATELIMIT_USE_CACHE", "default")]


def _guarded(name, on_failure):
    method = getattr(DjangoRedisCache, name)

    def guarded(self, *args, **kwargs):
        if self._fallback is not None and _Outage.is_down():
            return getattr(self._fallback, name)(*args, **kwargs)
        if _Outage.is_down():
            return on_failure(*args, **kwargs)
        try:
            return method(self, *args, **kwargs)
        except _UNREACHABLE as error:
            _Outage.record(error, name)
            if self._fallback is not None:
                return getattr(self._fallback, name)(*args, **kwargs)
            return on_failure(*args, **kwargs)

    guarded.__name__ = name
    guarded.__doc__ = method.__doc__
    return guarded


def _missing(*args, **kwargs):
    raise ValueError("key not found (cache unavailable)")


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        options = dict(params.get("OPTIONS") or {})
        local_fallback = options.pop("LOCAL_FALLBACK", False)
        # An unreachable host must not hold a request for long.
        options.setdefault("socket_connect_timeout", 0.5)
        options.setdefault("socket_timeout", 1)
        super().__init__(server, {**params, "OPTIONS": options})
        self._class = _ReusingClient
        self._fallback = (
            LocMemCache(
                f"portal-fallback-{params.get('KEY_PREFIX', '')}", {"TIMEOUT": params.get("TIMEOUT", 300)}
            )
            if local_fallback
            else None
        )

    # Reads miss, writes do nothing; incr/decr behave as for a missing key.
    get = _guarded("get", lambda key, default=None, version=None: default)
    get_many = _guarded("get_many", lambda keys, version=None: {})
    has_key = _guarded("has_key", lambda key, version=None: False)
    set = _guarded("set", lambda *args, **kwargs: None)
    set_many = _guarded("set_many", lambda *args, **kwargs: [])
    add = _guarded("add", lambda *args, **kwargs: False)
    touch = _guarded("touch", lambda *args, **kwargs: False)
    delete = _guarded("delete", lambda *args, **kwargs: False)
    delete_many = _guarded("delete_many", lambda *args, **kwargs: None)
    incr = _guarded("incr", _missing)
    decr = _guarded("decr", _missing)
    clear = _guarded("clear", lambda *args, **kwargs: None)
