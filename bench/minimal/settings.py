"""Settings of the benchmark's gunicorn: the product's settings (``cms.settings``, read from
the same environment, so ``DJANGO_ENV=production`` gives the production mode) plus two
bench-only additions that never reach the product:

- the URLconf ``bench.minimal.urls``: the product's URLs and the minimal reference view
  at ``/__bench__/minimal/``;
- ``bench.minimal.middleware``: a query count and a page-cache miss on request, by header
  (requests without those headers are served untouched).
"""

from cms.settings import *  # noqa: F403
from cms.settings import BASE_DIR, MIDDLEWARE, TEMPLATES

ROOT_URLCONF = "bench.minimal.urls"
# The counter first (it sees every query); the miss after CurrentSiteMiddleware (it needs
# request.site).
MIDDLEWARE = [
    "bench.minimal.middleware.QueryCountMiddleware",
    *MIDDLEWARE,
    "bench.minimal.middleware.PageCacheMissMiddleware",
]
TEMPLATES = [{**TEMPLATES[0], "DIRS": [*TEMPLATES[0]["DIRS"], BASE_DIR / "bench" / "minimal" / "templates"]}]
