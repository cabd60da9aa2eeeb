"""API rate limits that hold across worker processes (RELIABILITY.md LOAD-05).

DRF's ``SimpleRateThrottle`` reads a client's list of request times from the cache, adds
one and writes it back. Two workers doing that at once both read the same list and one
write is lost, so a burst spread over four gunicorn workers got 139 requests through a
100/min limit. Here, on Redis, the check-and-count is one Lua script (a sliding log in a
sorted set, timed by Redis's own clock), so every request is counted exactly once whatever
the number of workers or hosts. Other caches (local memory in development and tests, one
process) keep DRF's own logic.

When Redis is down the request is let through (``cms/cache.py``: the cache degrades, it
never fails the request).
"""

import uuid

from django.core.cache import caches
from redis.exceptions import RedisError
from rest_framework import throttling

from cms.cache import ResilientRedisCache

SLIDING_LOG = """
local now = redis.call('TIME')
local t = tonumber(now[1]) + tonumber(now[2]) / 1000000
local window = tonumber(ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', t - window)
local count = redis.call('ZCARD', KEYS[1])
if count < tonumber(ARGV[2]) then
  redis.call('ZADD', KEYS[1], t, ARGV[3])
  redis.call('EXPIRE', KEYS[1], math.ceil(window))
  return {1, '0'}
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return {0, tostring(window - (t - tonumber(oldest[2])))}
"""


class SharedCountMixin:
    """Count requests atomically on Redis; DRF's logic on any other cache. Mix it in
    before a ``SimpleRateThrottle`` whose rate is known from ``__init__`` (not before
    ``ScopedRateThrottle``, which sets its rate inside ``allow_request``)."""

    _script = None

    def allow_request(self, request, view):
        backend = caches["default"]
        if self.rate is None or not isinstance(backend, ResilientRedisCache):
            return super().allow_request(request, view)
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        self._wait = None
        if not backend.available:  # Redis is down: not counted meanwhile
            return True
        try:
            client = backend._cache.get_client(write=True)
            if SharedCountMixin._script is None:
                SharedCountMixin._script = client.register_script(SLIDING_LOG)
            allowed, wait = self._script(
                keys=[backend.make_key(f"{self.key}:log")],
                args=[self.duration, self.num_requests, uuid.uuid4().hex],
                client=client,
            )
        except RedisError as error:
            backend._failed(error, "throttle")
            return True
        if not allowed:
            self._wait = max(0.0, float(wait))
        return bool(allowed)

    def wait(self):
        if getattr(self, "_wait", None) is not None:
            return self._wait
        return super().wait()


class AnonRateThrottle(SharedCountMixin, throttling.AnonRateThrottle):
    pass


class UserRateThrottle(SharedCountMixin, throttling.UserRateThrottle):
    pass
