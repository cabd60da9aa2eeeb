"""What the web benchmark loads: URLs picked from the database (needs Django set up), the
saved copy of the article page for nginx, and the baked pages (articles/baking.py)."""

import contextlib
import re
import time
from pathlib import Path

from bench import harness

LABELS = {
    "nginx": "nginx, saved copy (ceiling)",
    "minimal": "minimal Django view (floor)",
    "article_uncached": "article page, uncached",
    "article_cold": "article page, uncached, cold fragments",
    "article_cached": "article page, page cache",
    "article_baked": "article page, baked (nginx)",
    "front": "front page",
    "archive": "date archive (month)",
    "api_list": "API list, 20 nested",
    "api_list_cold": "API list, 20 nested, cold fragments",
    "api_detail": "API detail",
    "api_search": "API search q=",
    "api_changes": "API change feed updated_since",
    "api_deep": "API list, cursor 10,000 deep",
}
DEPTH = 10_000
SELECTIVITY = 0.005  # the search term's share of published articles we aim for
STOPWORDS = {"about", "after", "again", "their", "there", "these", "those", "which", "while", "would", "where"}


def pick(*, search: str | None = None) -> dict:
    """Pick the URLs: a recent published article with the most photos and bylines, its
    month archive, a search term matching about 0.5 % of articles, a change-feed moment
    100 changes back, and a cursor 10,000 articles deep (less on a smaller archive)."""
    from django.db.models import Count

    from articles.api.pagination import KeysetPagination
    from articles.api.views import ArticleViewSet
    from articles.models import Article

    published = Article.objects.published()
    total, count = Article.objects.count(), published.count()
    if count < 2:
        raise SystemExit("The benchmark database has fewer than 2 published articles.")
    recent = list(
        published.filter(pub_date__isnull=False).order_by("-published_at", "-pk")[:200].values_list("pk", flat=True)
    )
    article = (
        Article.objects.filter(pk__in=recent)
        .annotate(photos=Count("placements", distinct=True), authors=Count("bylines", distinct=True))
        .select_related("site")
        .order_by("-photos", "-authors", "-pk")
        .first()
    )
    depth = max(1, min(DEPTH, count - 21))
    order = ArticleViewSet.orderings["-published_at"]
    value, pk = published.order_by(*order.order_by()).values_list("published_at", "pk")[depth - 1]
    cursor = KeysetPagination._encode("-published_at", order, value, pk)
    feed = Article.objects.in_change_feed().order_by("-modified_at", "-pk").values_list("modified_at", flat=True)
    moment = list(feed[:100])[-1]
    term = search or pick_search_term(published, recent, count)
    return {
        "article": article,
        "host": article.site.domain.split(":")[0],
        "article_path": article.get_absolute_url(),
        "article_id": article.pk,
        "archive_path": f"/archive/{article.pub_date.year}/{article.pub_date.month:02d}/",
        "search": term,
        "search_matches": _matches(published, term, cap=count),
        "updated_since": moment.isoformat().replace("+00:00", "Z"),
        "depth": depth,
        "cursor": cursor,
        "dataset": {
            "articles": total,
            "published": count,
            "photos": article.photos,
            "bylines": article.authors,
            "sites": _count_sites(),
        },
    }


def _count_sites() -> int:
    from django.contrib.sites.models import Site

    return Site.objects.count()


def _matches(published, term: str, *, cap: int) -> int:
    from articles.search import search_articles

    return search_articles(published, term).values("pk")[:cap].count()


def pick_search_term(published, recent_ids, count: int) -> str:
    """The headline word whose share of matching articles is closest to SELECTIVITY."""
    from articles.models import Article

    words = []
    for headline in Article.objects.filter(pk__in=recent_ids[:40]).values_list("headline", flat=True):
        for word in re.findall(r"[^\W\d_]{5,}", headline.lower()):
            if word not in STOPWORDS and word not in words:
                words.append(word)
    cap = max(50, int(count * SELECTIVITY * 4))
    best, best_gap = None, None
    for word in words[:25]:
        matches = _matches(published, word, cap=cap)
        if not matches:
            continue
        gap = abs((matches / count) - SELECTIVITY)
        if best_gap is None or gap < best_gap:
            best, best_gap = word, gap
    return best or "the"


def app_headers(plan: dict) -> dict:
    # As nginx forwards a request: the site's host name, and HTTPS already terminated.
    return {"Host": plan["host"], "X-Forwarded-Proto": "https"}


def endpoints(plan: dict, *, baked: bool) -> list[dict]:
    from urllib.parse import urlencode

    app = app_headers(plan)
    api = "/api/v1/articles/"
    rows = [
        ("nginx", "nginx", plan["article_path"], {}),
        ("minimal", "app", "/__bench__/minimal/", app),
        ("article_uncached", "app", plan["article_path"], {**app, "X-Bench-Page-Cache": "miss"}),
        ("article_cold", "app", plan["article_path"], {**app, "X-Bench-Page-Cache": "cold"}),
        ("article_cached", "app", plan["article_path"], app),
        ("article_baked", "baked", plan["article_path"], {}),
        ("front", "app", "/", app),
        ("archive", "app", plan["archive_path"], app),
        ("api_list", "app", api, app),
        ("api_list_cold", "app", api, {**app, "X-Bench-Page-Cache": "cold"}),
        ("api_detail", "app", f"{api}{plan['article_id']}/", app),
        ("api_search", "app", f"{api}?{urlencode({'q': plan['search']})}", app),
        ("api_changes", "app", f"{api}?{urlencode({'updated_since': plan['updated_since']})}", app),
        ("api_deep", "app", f"{api}?{urlencode({'cursor': plan['cursor']})}", app),
    ]
    return [
        {"key": key, "label": LABELS[key], "server": server, "path": path, "headers": headers}
        for key, server, path, headers in rows
        if baked or key != "article_baked"
    ]


def save_copy(app_url: str, plan: dict, root: Path) -> Path:
    """Save the article page as the app serves it, where nginx finds it under the same path."""
    status, _, body = harness.fetch(app_url + plan["article_path"], app_headers(plan))
    if status != 200:
        raise RuntimeError(f"the article page answered {status}: {body[:300]!r}")
    target = root / plan["article_path"].strip("/") / "index.html"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(body)
    return root


# --- Baked pages (articles/baking.py) --------------------------------------------------


def baking_available() -> bool:
    """Whether the app bakes pages (articles/baking/); checked without Django."""
    return (harness.ROOT / "articles" / "baking" / "__init__.py").exists()


def bake_article(env: dict, plan: dict, root: Path) -> Path | None:
    """Bake the article page as a publish does (``bake_archive --article``) and return
    the file nginx will serve, or None when it was not written."""
    import subprocess

    command = [str(harness.PYTHON), "manage.py", "bake_archive", "--article", str(plan["article_id"])]
    subprocess.run(command, env=env, cwd=harness.ROOT, check=True, capture_output=True)  # noqa: S603
    page = root / plan["host"] / "current" / plan["article_path"].strip("/") / "index.html"
    return page if page.exists() else None


# The baked pages' part of docs/deploy.md's nginx configuration, without TLS and gzip (wrk
# asks for no compression, like the saved copy it is compared with).
BAKED_HTTP = r"""
    upstream newsroom_django { server 127.0.0.1:%(port)d; keepalive 32; }
    map $http_cookie $newsroom_signed_in { default 0; "~(^|;)\s*sessionid=" 1; }
    map $sent_http_content_type $newsroom_csp {
        "~^text/html" "default-src 'self'; img-src 'self' data:; script-src 'self'; style-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";
        default "";
    }
    map "$status $request_uri" $newsroom_memento_link {
        "~^200 (?<article>/[0-9]{4}/[0-9]{2}/[0-9]{2}/[^/]+/)$" "<$scheme://$host${article}timegate/>; rel=\"timegate\", <$scheme://$host${article}timemap/>; rel=\"timemap\"; type=\"application/link-format\"";
        default "";
    }
"""  # noqa: E501
BAKED_HEADERS = """
            add_header X-Frame-Options "DENY" always;
            add_header X-Content-Type-Options "nosniff" always;
            add_header Referrer-Policy "same-origin" always;
            add_header Cross-Origin-Opener-Policy "same-origin" always;
            add_header Content-Security-Policy $newsroom_csp always;
            add_header Link $newsroom_memento_link always;
            add_header Cache-Control "public, max-age=60" always;"""
PROXY = """proxy_pass http://newsroom_django; proxy_http_version 1.1; proxy_set_header Connection "";
            proxy_set_header Host $host; proxy_set_header X-Forwarded-Proto https;"""
BAKED_LOCATIONS = f"""
        charset utf-8;
        charset_types text/html application/rss+xml application/atom+xml;
        location / {{ {PROXY} }}
        location ~ /$ {{
            error_page 418 = @django;
            error_page 410 /.newsroom-gone$uri;
            if ($request_method !~ ^(GET|HEAD)$) {{ return 418; }}
            if ($args != "") {{ return 418; }}
            if ($newsroom_signed_in) {{ return 418; }}
            if (-f $document_root$uri/index.410.html) {{ return 410; }}
            try_files $uri/index.html $uri/index.rss $uri/index.atom @django;{BAKED_HEADERS}
        }}
        location ^~ /.newsroom-gone/ {{
            internal;
            rewrite ^/\\.newsroom-gone(/.*)$ $1index.410.html break;{BAKED_HEADERS}
        }}
        location @django {{ {PROXY} }}"""


@contextlib.contextmanager
def baked_nginx(root: Path, app: harness.Server):
    """nginx serving the baked files as docs/deploy.md configures it
    (``root <ARCHIVE_BAKE_ROOT>/$host/current``), falling through to gunicorn."""
    with harness.nginx(
        port=harness.free_port(),
        root=f"{root}/$host/current",
        locations=BAKED_LOCATIONS,
        http_extra=BAKED_HTTP % {"port": app.port},
    ) as server:
        yield server


def publish_latency(plan: dict, server) -> float | None:
    """Seconds from an edit's commit (through the services) to the baked page showing it."""
    if server is None:
        return None
    from articles import services
    from articles.models import Article

    article = Article.objects.get(pk=plan["article_id"])
    original = article.dek
    marker = f"Benchmark edit {time.time_ns()}"
    url = server.url + plan["article_path"]
    headers = {"Host": plan["host"]}
    try:
        started = time.monotonic()
        services.article_update(
            article=article, dek=marker, substantive=False, message="Benchmark: time to the baked page"
        )
        while time.monotonic() - started < 30:
            status, _, body = harness.fetch(url, headers)
            if status == 200 and marker.encode() in body:
                return round(time.monotonic() - started, 3)
            time.sleep(0.02)
        return None
    finally:
        services.article_update(
            article=Article.objects.get(pk=article.pk),
            dek=original,
            substantive=False,
            message="Benchmark: edit undone",
        )
