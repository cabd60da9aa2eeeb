"""In-process timing and profiling of the benchmark's endpoints (no HTTP server, no wrk).

Times N requests of each endpoint through Django's test client (the whole middleware and
view stack, DEBUG off) and prints milliseconds per request and queries per request; with
``--profile NAME`` it runs pyinstrument over that endpoint and prints the call tree.
Relative gains (before/after a change) are what this is for; throughput under load is
``bench/run.py``'s job.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/newsroom_perf \\
        .venv/bin/python bench/profile_requests.py --seed 300 -n 200
    .venv/bin/python bench/profile_requests.py -n 200 --profile article_uncached

``--seed N`` fills an empty database with N published articles (300–1,500 words, 1–3
bylines, 0–4 photos sharing a few real files, tags, corrections) through the services.
"""

import argparse
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings")
os.environ.setdefault("DJANGO_DEBUG", "false")

import django  # noqa: E402

django.setup()

from django.contrib.sites.models import Site  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from articles import services  # noqa: E402
from articles.models import Article, Author, Image, SiteSettings, Tag  # noqa: E402

WORDS = [
    "council",
    "harbour",
    "tram",
    "line",
    "vote",
    "budget",
    "river",
    "bridge",
    "school",
    "hospital",
    "minister",
    "port",
    "ferry",
    "storm",
    "election",
    "museum",
    "market",
    "festival",
    "court",
    "police",
    "union",
    "strike",
    "rail",
    "airport",
    "housing",
    "water",
    "energy",
    "coast",
    "fishing",
    "tourism",
    "weather",
    "museum",
    "library",
    "archive",
    "newspaper",
    "reporter",
]


def _paragraphs(rng: random.Random, words: int) -> str:
    out, left = [], words
    while left > 0:
        n = min(left, rng.randint(40, 90))
        out.append("<p>" + " ".join(rng.choice(WORDS) for _ in range(n)).capitalize() + ".</p>")
        left -= n
    return "\n".join(out)


def seed(count: int) -> None:
    """Fill the database with ``count`` published articles (deterministic)."""
    from tests.factories import image_upload

    rng = random.Random(8)
    site = Site.objects.get(pk=1)
    SiteSettings.objects.get_or_create(site=site, defaults={"publisher_name": "The Harbour Courier"})
    authors = [services.author_save(author=Author(name=f"Reporter {n}", slug=f"reporter-{n}")) for n in range(40)]
    tags = [Tag.objects.get_or_create(slug=f"topic-{n}", defaults={"name": f"Topic {n}"})[0] for n in range(30)]
    files = [
        services.image_create(
            file=image_upload(name=f"p{n}.jpg", width=1600, height=1067, color=(20 * n, 90, 140)),
            alt_text=f"Photo {n}",
            caption=f"Boats in the harbour, picture {n}.",
            creator="Anatolii Stepanov",
            agency="AFP",
            distributor="Getty Images",
        )[0]
        for n in range(4)
    ]
    images = list(files)
    for n in range(200):
        source = files[n % len(files)]
        images.append(
            Image.objects.create(
                file=source.file.name,
                width=source.width,
                height=source.height,
                renditions=source.renditions,
                alt_text=f"Photo {n}",
                caption=f"A scene from the story, number {n}.",
                creator=f"Photographer {n % 17}",
                agency="Reuters",
            )
        )
    start = timezone.now()
    for n in range(count):
        placements = [
            services.PlacementSpec(image=img, role="lead" if i == 0 else "inline")
            for i, img in enumerate(rng.sample(images, rng.randint(0, 4)))
        ]
        article = services.article_create(
            site=site,
            headline=f"Harbour council story number {n} about {rng.choice(WORDS)}",
            dek="The council voted on Tuesday to rebuild the tram line along the harbour.",
            body=_paragraphs(rng, rng.randint(300, 1500)),
            dateline_place="Lisbon",
            bylines=[services.BylineSpec(author=a) for a in rng.sample(authors, rng.randint(1, 3))],
            placements=placements,
            tags=rng.sample(tags, 3),
        )
        services.article_publish(article=article, published_at=start - timezone.timedelta(hours=n))
        if n % 10 == 0:
            services.correction_add(article=article, text="An earlier version misspelt a name.")
        if n % 100 == 0:
            print(f"seeded {n}/{count}", file=sys.stderr)


def endpoints() -> dict[str, tuple[str, dict]]:
    article = Article.objects.published().exclude(placements=None).order_by("-published_at").first()
    url = article.get_absolute_url()
    day = article.pub_date
    word = "harbour"
    return {
        "minimal": ("/robots.txt", {}),
        "article_uncached": (url, {"uncached": True}),
        "article_cached": (url, {}),
        "front": ("/", {"uncached": True}),
        "archive_day": (f"/archive/{day:%Y/%m/%d}/", {"uncached": True}),
        "api_list": ("/api/v1/articles/", {}),
        "api_detail": (f"/api/v1/articles/{article.pk}/", {}),
        "api_search": (f"/api/v1/articles/?q={word}", {}),
        "change_feed": ("/api/v1/articles/?updated_since=2000-01-01T00:00:00Z", {}),
    }


def timed(client: Client, path: str, n: int, uncached: bool, cold: bool) -> tuple[float, float, int, int]:
    """Wall ms and CPU ms (this process) per request, queries of one request, bytes. ``uncached``: the page cache is off
    (as the benchmark's "cache bypassed"); ``cold``: the whole cache is emptied before each
    request (fragments too)."""
    from django.conf import settings
    from django.core.cache import cache

    saved = settings.ARCHIVE_PAGES
    if uncached:
        settings.ARCHIVE_PAGES = {**saved, "PAGE_CACHE_TIMEOUT": 0}
    try:
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        if cold:
            cache.clear()
        queries = []
        with connection.execute_wrapper(lambda execute, sql, *rest: queries.append(sql) or execute(sql, *rest)):
            client.get(path)
        spent = cpu = 0.0
        for _ in range(n):
            if cold:
                cache.clear()
            began, began_cpu = time.perf_counter(), time.process_time()
            client.get(path)
            spent += time.perf_counter() - began
            cpu += time.process_time() - began_cpu
    finally:
        settings.ARCHIVE_PAGES = saved
    return spent / n * 1000, cpu / n * 1000, len(queries), len(response.content)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", type=int, default=200, help="requests per endpoint")
    parser.add_argument("--seed", type=int, default=0, help="create N articles first if the database has none")
    parser.add_argument("--only", nargs="*", help="endpoint names to time")
    parser.add_argument("--profile", help="run pyinstrument over this endpoint")
    parser.add_argument("--cold", action="store_true", help="empty the whole cache (fragments too) before each request")
    args = parser.parse_args()
    if args.seed and not Article.objects.exists():
        seed(args.seed)
    client = Client(HTTP_HOST="localhost")
    found = endpoints()
    names = [args.profile] if args.profile else (args.only or list(found))
    print(
        f"{'endpoint':18} {'ms/req':>8} {'cpu ms':>8} {'queries':>8} {'bytes':>8}   ({connection.vendor}, n={args.n})"
    )
    for name in names:
        path, options = found[name]
        uncached = options.get("uncached", False)
        if args.profile:
            from pyinstrument import Profiler

            timed(client, path, 5, uncached, args.cold)
            profiler = Profiler(interval=0.0005)
            profiler.start()
            timed(client, path, args.n, uncached, args.cold)
            profiler.stop()
            print(profiler.output_text(unicode=True, color=False, show_all=False))
        ms, cpu, queries, size = timed(client, path, args.n, uncached, args.cold)
        print(f"{name:18} {ms:8.2f} {cpu:8.2f} {queries:8d} {size:8d}")
    reset_queries()


if __name__ == "__main__":
    main()
