"""Liveness and dependency check for load balancers and monitors: ``GET /healthz``.

JSON ``{"status": …, "checks": {"database": "ok" | "down: <error>", "cache": …}}``:

- ``ok`` (200): everything answers;
- ``degraded`` (200): the cache (Redis) is down; pages and the API are served uncached,
  throttles and rate limits are not counted meanwhile (``cms/cache.py``);
- ``unavailable`` (503, with ``Retry-After``): the database is down, so pages and the API
  answer 503 too (``articles/unavailable.py``).

If the database fails before this view runs (a middleware's query), the 503 handler
answers with this same report.
"""

from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache

REQUIRED = ("database",)  # down → 503; the others down → "degraded"


def check_database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as error:  # noqa: BLE001 - any driver error means "down" here
        return f"down: {type(error).__name__}"
    return "ok"


def check_cache() -> str:
    ping = getattr(cache, "ping", None)  # cms.cache.ResilientRedisCache asks Redis itself
    if ping is not None:
        return "ok" if ping() else f"down: {cache.last_error.split(':')[0] or 'no answer'}"
    try:
        cache.set("healthz", "1", 5)
        return "ok" if cache.get("healthz") == "1" else "down: no round trip"
    except Exception as error:  # noqa: BLE001
        return f"down: {type(error).__name__}"


def report() -> tuple[dict, int]:
    """The health report and its HTTP status."""
    checks = {"database": check_database(), "cache": check_cache()}
    if any(checks[name] != "ok" for name in REQUIRED):
        status = "unavailable"
    elif any(value != "ok" for value in checks.values()):
        status = "degraded"
    else:
        status = "ok"
    return {"status": status, "checks": checks}, 503 if status == "unavailable" else 200


@never_cache
def healthz(request):
    """200 when the database answers (``degraded`` without the cache), 503 naming what is down."""
    body, status = report()
    response = JsonResponse(body, status=status)
    if status == 503:
        from .unavailable import RETRY_AFTER, log_outage

        response["Retry-After"] = str(RETRY_AFTER)
        log_outage(request, "database", RuntimeError(body["checks"]["database"]))
        response._has_been_logged = True  # once per interval above, not per probe
    return response
