"""A Redis cache that degrades to "always a miss" while Redis is down.

Django's ``RedisCache`` raises ``redis.ConnectionError`` from every call when the server is
gone, so a dead Redis would turn every page (page cache), every API call (throttles) and
every comment (rate limits) into a 500. Here the cache is an optimisation and never a
reason to fail:

- every call that fails with a Redis error returns what a miss would (``get`` → default,
  ``get_many`` → ``{}``, ``add``/``delete``/``touch``/``has_key`` → False, ``set`` and
  ``set_many`` do nothing, ``incr`` raises ``ValueError`` as for a missing key);
- a connection failure or timeout opens a small circuit breaker: for ``RETRY_AFTER``
  seconds (default 2) the worker does not try Redis at all, so a dead server costs one
  short connect timeout per worker per interval, not one per call; then one call tries
  again, and the first that works closes the circuit (recovery needs nothing else);
- the failure is logged once when the circuit opens (and at most once a minute while it
  stays open), and the recovery once.

``ping()`` asks Redis directly, past the breaker, for the health check. Short socket
timeouts belong in ``OPTIONS`` (``socket_connect_timeout``, ``socket_timeout``, seconds);
``cms/settings.py`` sets them.
"""

import logging
import threading
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger("cms.cache")

LOG_EVERY = 60.0  # seconds between two "still down" warnings of one process


class ResilientRedisCache(RedisCache):
    def __init__(self, server, params):
        params = dict(params)
        options = dict(params.get("OPTIONS") or {})
        self.retry_after = float(options.pop("RETRY_AFTER", 2.0))
        params["OPTIONS"] = options
        super().__init__(server, params)
        self._lock = threading.Lock()
        self._open_until = 0.0  # monotonic time until which Redis is not tried
        self._down_since = None  # monotonic time of the first failure of this outage
        self._last_log = -LOG_EVERY
        self.last_error = ""

    # --- The breaker ---------------------------------------------------------------

    @property
    def available(self) -> bool:
        """False while the circuit is open (Redis failed less than ``retry_after`` ago)."""
        return time.monotonic() >= self._open_until

    def _failed(self, error: Exception, operation: str) -> None:
        now = time.monotonic()
        self.last_error = f"{type(error).__name__}: {error}"
        if not isinstance(error, RedisConnectionError | RedisTimeoutError):
            # The server answered with an error (out of memory, read-only replica…): a
            # miss for this call, but no reason to stop asking.
            logger.warning("Cache %s failed, treated as a miss: %s", operation, self.last_error)
            return
        with self._lock:
            self._open_until = now + self.retry_after
            first = self._down_since is None
            if first:
                self._down_since = now
            if first or now - self._last_log >= LOG_EVERY:
                self._last_log = now
                logger.warning(
                    "Cache unavailable (%s on %s); serving uncached, next try in %.0f s",
                    self.last_error,
                    operation,
                    self.retry_after,
                )

    def _succeeded(self) -> None:
        if self._down_since is not None:
            with self._lock:
                if self._down_since is not None:
                    logger.warning("Cache available again after %.1f s", time.monotonic() - self._down_since)
                    self._down_since = None
                    self._open_until = 0.0

    def _call(self, operation: str, miss, method, *args, **kwargs):
        if not self.available:
            return miss()
        try:
            result = method(*args, **kwargs)
        except RedisError as error:
            self._failed(error, operation)
            return miss()
        self._succeeded()
        return result

    def ping(self) -> bool:
        """Ask Redis itself (past the breaker); True when it answers. Raises nothing."""
        try:
            self._cache.get_client(write=True).ping()
        except RedisError as error:
            self._failed(error, "ping")
            return False
        self._succeeded()
        return True

    # --- Django's cache API ----------------------------------------------------------

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("add", lambda: False, super().add, key, value, timeout, version)

    def get(self, key, default=None, version=None):
        return self._call("get", lambda: default, super().get, key, default, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        self._call("set", lambda: None, super().set, key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("touch", lambda: False, super().touch, key, timeout, version)

    def delete(self, key, version=None):
        return self._call("delete", lambda: False, super().delete, key, version)

    def get_many(self, keys, version=None):
        return self._call("get_many", dict, super().get_many, keys, version)

    def has_key(self, key, version=None):
        return self._call("has_key", lambda: False, super().has_key, key, version)

    def incr(self, key, delta=1, version=None):
        def missing():
            raise ValueError(f"Key '{key}' not found (the cache is unavailable).")

        return self._call("incr", missing, super().incr, key, delta, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set_many", lambda: list(data), super().set_many, data, timeout, version)

    def delete_many(self, keys, version=None):
        self._call("delete_many", lambda: None, super().delete_many, keys, version)

    def clear(self):
        return self._call("clear", lambda: False, super().clear)
