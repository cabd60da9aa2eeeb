"""A race harness for the concurrency rows (CON-01, CON-03, CON-08).

``count`` threads, each with its own test client (the full WSGI handler: middleware, DRF,
exception handler) and its own database connection, run ``rounds`` rounds; a barrier
releases every thread of a round at the same moment. Requests that raise are kept as the
exception, so a crash shows up in the status counter instead of hanging the run.
"""

import logging
import threading
from collections import Counter
from collections.abc import Callable

from django.db import connection
from django.urls import get_resolver
from rest_framework.test import APIClient


class ServerErrors(logging.Handler):
    """Counts the ``django.request`` errors ("Internal Server Error: …") logged meanwhile."""

    def __init__(self):
        super().__init__(level=logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record):
        self.records.append(record)

    def __enter__(self):
        logging.getLogger("django.request").addHandler(self)
        return self

    def __exit__(self, *exc):
        logging.getLogger("django.request").removeHandler(self)


def race_rounds(count: int, rounds: int, request: Callable, *, setup: Callable | None = None) -> list[list]:
    """Run ``request(client, round_index, thread_index)`` in ``count`` threads, ``rounds``
    times; return ``results[round][thread]`` (a response, or the exception raised)."""
    # Import the URLconf (and so every view module) before the threads start: 64 threads
    # importing it at once would see half-imported modules, a test artefact, not a race.
    get_resolver().url_patterns  # noqa: B018
    get_resolver().resolve_error_handler(500)
    barrier = threading.Barrier(count)
    results = [[None] * count for _ in range(rounds)]

    def worker(index: int) -> None:
        client = APIClient(raise_request_exception=False)
        if setup is not None:
            setup(client)
        try:
            for round_index in range(rounds):
                barrier.wait(timeout=120)
                try:
                    results[round_index][index] = request(client, round_index, index)
                except Exception as error:  # noqa: BLE001 - counted by the caller's assertions
                    results[round_index][index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=600)
    assert not any(thread.is_alive() for thread in threads), "a request never finished"
    return results


def statuses(results) -> Counter:
    return Counter(r.status_code if hasattr(r, "status_code") else repr(r) for r in results)
