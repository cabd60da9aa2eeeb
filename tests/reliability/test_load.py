"""LOAD-05 at unit level: the API throttles count every request once across processes, on
Redis. The full load rows (LOAD-01..05 against gunicorn) are ``bench/load.sh``."""

import threading
from collections import Counter

from django.core.cache import caches
from django.test import RequestFactory
from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle

from articles.api.throttling import AnonRateThrottle

from .liveservices import free_port


def _anonymous_request(address="192.0.2.7"):
    return Request(RequestFactory().get("/api/v1/articles/", REMOTE_ADDR=address))


def test_load_05_burst_from_eight_workers_is_allowed_exactly_the_rate(redis_cache, monkeypatch):
    """300 requests (3× the rate) from 8 threads, each with its own Redis connection (as
    gunicorn workers have): exactly 100 allowed. DRF's own read-modify-write let 139 through
    with 4 workers (bench/load.sh before this throttle)."""
    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "anon", "100/min")
    answers = Counter()
    barrier = threading.Barrier(8)

    def worker():
        barrier.wait()
        for _ in range(300 // 8 + 1):
            answers[AnonRateThrottle().allow_request(_anonymous_request(), None)] += 1

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert answers[True] == 100
    throttle = AnonRateThrottle()
    assert throttle.allow_request(_anonymous_request(), None) is False
    assert 0 < throttle.wait() <= 60
    assert AnonRateThrottle().allow_request(_anonymous_request("192.0.2.8"), None) is True  # per address


def test_load_05_counts_survive_a_new_connection(redis_cache, monkeypatch):
    """A restarted worker (new cache connection) sees the counts made before."""
    from asgiref.local import Local

    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "anon", "5/min")
    assert [AnonRateThrottle().allow_request(_anonymous_request(), None) for _ in range(3)] == [True] * 3
    caches._connections = Local()  # as after a restart: new backend, new connections
    assert [AnonRateThrottle().allow_request(_anonymous_request(), None) for _ in range(3)] == [True, True, False]


def test_load_05_dead_redis_lets_requests_through(settings, monkeypatch):
    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "anon", "1/min")
    settings.CACHES = {
        "default": {
            "BACKEND": "cms.cache.ResilientRedisCache",
            "LOCATION": f"redis://127.0.0.1:{free_port()}/0",  # nothing listens
            "OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.5},
        }
    }
    assert all(AnonRateThrottle().allow_request(_anonymous_request(), None) for _ in range(5))
