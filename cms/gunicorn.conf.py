"""gunicorn configuration for production (``gunicorn -c cms/gunicorn.conf.py cms.wsgi``).

The app runs behind nginx (or a CDN/load balancer), which terminates TLS, buffers slow
clients and serves baked pages and static files itself; gunicorn only ever talks to that
proxy over loopback or a private network. Under those conditions the fastest and most
predictable setup for this app is **synchronous workers, 2 × cores + 1**:

- a request is CPU work (Django, templates, JSON) interleaved with short waits on
  PostgreSQL and Redis; with 2 × cores + 1 processes one is always ready to use a core
  while another waits, and there is no GIL contention inside a process;
- the proxy buffers request and response bodies, so a slow client never holds a worker
  (the usual reason to prefer threads or async workers), and it keeps its own keep-alive
  connections to the clients;
- threads (``gthread``) would share one interpreter lock per process: with this app's
  requests mostly CPU-bound (templates, serialization), 2 processes × N threads use the two
  cores no better than 5 processes and add lock contention to the tail latency;
- 5 workers stay well under the 150 MB per worker memory budget (``bench/run.py`` measures
  each worker's RSS after a full benchmark), and the code is loaded once before the fork.

To compare on your hardware: ``GUNICORN_WORKER_CLASS=gthread GUNICORN_WORKERS=2
GUNICORN_THREADS=4 .venv/bin/python bench/run.py --no-docs``.

Every value can be changed with an environment variable (``GUNICORN_*``), e.g.
``GUNICORN_WORKERS=9`` on a 4-core host. Database connections persist across requests
(``CONN_MAX_AGE`` in cms/settings.py), one per worker.
"""

import multiprocessing
import os


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = _int("GUNICORN_WORKERS", 2 * multiprocessing.cpu_count() + 1)
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "sync")
threads = _int("GUNICORN_THREADS", 1)  # only used by the gthread worker class

# Load the app once in the master before forking: workers start faster and share the
# imported code's memory copy-on-write. Django opens database connections lazily, in the
# worker, so none is shared across the fork.
preload_app = True

# A request that takes longer than this is killed and logged (the worker is replaced).
timeout = _int("GUNICORN_TIMEOUT", 30)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
# Keep-alive towards the proxy, for the gthread worker class (the sync worker closes each
# connection after its response; on loopback a new connection costs a few microseconds).
keepalive = _int("GUNICORN_KEEPALIVE", 5)

# Recycling workers after N requests bounds slow memory growth; off by default because
# the benchmark shows a worker's memory flat after a full run (see docs/performance.md).
max_requests = _int("GUNICORN_MAX_REQUESTS", 0)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 0)

# The worker heartbeat file on tmpfs: a slow or full disk never makes a healthy worker
# look dead.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108

# The proxy logs every request; gunicorn logs errors only, unless asked to.
accesslog = os.environ.get("GUNICORN_ACCESSLOG") or None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOGLEVEL", "info")
# Trust X-Forwarded-* only from the local proxy.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
proc_name = "newsroom"
