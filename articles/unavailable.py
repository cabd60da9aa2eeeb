"""503 Service Unavailable when a backing service is down, in one place.

A request that fails because PostgreSQL (or SQLite's file) cannot be reached, or because a
Redis call escaped the resilient cache (``cms/cache.py``), answers 503 with a short
message and ``Retry-After`` — HTML for pages, JSON under /api/, the health report for
/healthz — never a traceback or a 500. Any other database error (a deadlock, a timeout, a
missing column) is a bug to see: the usual logged 500 (``database_unreachable``). Two
doors lead here: the project's 500 handler (``articles/handlers.py``: errors in views and
middleware) and the API's exception handler (``articles/api/errors.py``: errors inside
DRF views). Nothing here touches the database. Persistent connections are health-checked
before reuse (``CONN_HEALTH_CHECKS``), so the first request after the service returns
reconnects by itself.
"""

import logging
import sqlite3
import time

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger("articles.unavailable")

RETRY_AFTER = 30  # seconds, in the Retry-After header
LOG_EVERY = 10.0  # seconds between two log lines about the same outage, per process
_last_logged: dict[str, float] = {}
API_MESSAGE = "The service is temporarily unavailable ({dependency} down). Try again in {seconds} seconds."
PAGE_FALLBACK = (
    "<!doctype html><title>Temporarily unavailable</title><h1>Temporarily unavailable</h1>"
    "<p>The archive cannot be reached right now. Please try again in a minute.</p>"
)


# PostgreSQL answers that mean "cannot serve you now", not "your statement failed": the
# connection class (08…), the server shutting down or starting up, no connection slot free.
OUTAGE_SQLSTATES = ("08", "57P01", "57P02", "57P03", "53300")
SQLITE_OUTAGE = ("unable to open database",)  # the file (or its folder) cannot be reached


def database_unreachable(error: BaseException | None) -> bool:
    """Whether the database error ``error`` shows the database cannot be reached.

    Only connection failures count: Django's ``InterfaceError`` (the connection is closed
    or unusable); an ``OperationalError`` whose driver error (Django chains it as
    ``__cause__``) is psycopg's with no SQLSTATE (connect refused or timed out, the
    connection lost: the server never answered) or one of ``OUTAGE_SQLSTATES``, or
    SQLite's "unable to open database file"; and one with no driver error at all. Every
    other ``OperationalError`` is the statement's own failure, a bug to see with its
    traceback (a 500): a deadlock, a statement or lock timeout, SQLite's "no such column"
    after a missed migration, and SQLite's "database is locked" (a writer held the lock
    past the 20 s busy timeout). No query is made to find out."""
    if isinstance(error, InterfaceError):
        return True
    if not isinstance(error, OperationalError):
        return False
    cause = error.__cause__
    if cause is None:
        return True
    if isinstance(cause, sqlite3.Error):
        return str(cause).lower().startswith(SQLITE_OUTAGE)
    if not hasattr(cause, "sqlstate"):  # another driver: trust its class
        return True
    sqlstate = cause.sqlstate or ""
    return not sqlstate or sqlstate.startswith(OUTAGE_SQLSTATES)


def dependency_down(error: BaseException | None) -> str | None:
    """The service whose outage ``error`` shows ("database", "cache"), or None."""
    if database_unreachable(error):
        return "database"
    if isinstance(error, RedisConnectionError | RedisTimeoutError):
        return "cache"
    return None


def log_outage(request, dependency: str, error) -> None:
    """One line per outage and interval, not a traceback (and a mail to ADMINS) per request."""
    now = time.monotonic()
    if now - _last_logged.get(dependency, -LOG_EVERY) >= LOG_EVERY:
        _last_logged[dependency] = now
        text = str(error).strip()
        logger.error(
            "The %s is unavailable (%s: %s); answering 503 (first: %s %s)",
            dependency,
            type(error).__name__,
            text.splitlines()[0] if text else "",
            request.method,
            request.path,
        )


def outage_response(request, dependency: str, error: BaseException | None = None) -> HttpResponse:
    """The 503 answer for ``request`` while ``dependency`` is down."""
    log_outage(request, dependency, error)
    if request.path == "/healthz":
        from .health import report

        body, status = report()
        response = JsonResponse(body, status=status if status != 200 else 503)
    elif request.path.startswith("/api/"):
        detail = API_MESSAGE.format(dependency=dependency, seconds=RETRY_AFTER)
        response = JsonResponse({"detail": detail}, status=503)
    else:
        try:
            page = render_to_string("503.html")
        except Exception:  # noqa: BLE001 - a missing static manifest must not turn this into a 500
            page = PAGE_FALLBACK
        response = HttpResponse(page, status=503, content_type="text/html; charset=utf-8")
    response["Retry-After"] = str(RETRY_AFTER)
    response["Cache-Control"] = "no-store"
    response._has_been_logged = True  # django.utils.log.log_response: logged above, once
    return response
