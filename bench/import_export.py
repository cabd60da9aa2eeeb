"""Benchmark: import and export throughput, and peak memory, at 10,000 articles.

    .venv/bin/python bench/import_export.py                 # 10,000 articles (about 10 minutes)
    .venv/bin/python bench/import_export.py --quick         # 1,000 articles, for a quick look
    .venv/bin/python bench/import_export.py --articles 2000 --database-url postgres://postgres@127.0.0.1:5432/bench

Synthetic inputs are generated in a temporary folder: N text captures (about 300 words
and one photo each) and a JSON Lines backup of N published articles (two bylines from a
pool of 50 authors, one photo, three revisions, a correction on every tenth). Each step
runs in a fresh Python process, through the management commands' own code, and reports
its wall time, its rate and the process's peak resident memory above what Django itself
used before the step (``VmHWM`` from ``/proc/self/status``, else ``ru_maxrss``):

- import text captures (into an empty database);
- import (restore) the JSON Lines backup (into another empty database);
- export that database as JSON Lines, as ninjs and as a WARC of rendered pages.

Every step also runs on a tenth of the articles first: if memory is bounded (streamed),
the peak is the same at both sizes while the time grows tenfold. The default database is
a temporary SQLite file; ``--database-url`` names another (it is dropped and recreated:
use a scratch database).
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORDS = [
    "council", "harbour", "ferry", "tram", "line", "residents", "station", "river", "bridge", "budget",
    "mayor", "vote", "plan", "district", "market", "school", "hospital", "weather", "storm", "repair",
    "crew", "route", "timetable", "service", "fund",
]  # fmt: skip
STEPS = (
    ("import text captures", "import", "captures"),
    ("import JSON Lines backup", "import", "backup.jsonl"),
    ("export JSON Lines", "export", "jsonl"),
    ("export ninjs", "export", "ninjs"),
    ("export WARC", "export", "warc"),
)


# --- Synthetic inputs ------------------------------------------------------------------


def sentence(number: int, length: int = 18) -> str:
    words = [WORDS[(number * 7 + i * 3) % len(WORDS)] for i in range(length)]
    return " ".join(words).capitalize() + "."


def paragraph(number: int) -> str:
    return " ".join(sentence(number * 5 + i) for i in range(3))


def write_captures(folder: Path, count: int) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for number in range(count):
        body = [f"LISBON — {paragraph(number)}"] + [paragraph(number + i) for i in range(1, 6)]
        photo = [f"Photo {number}: the harbour at dawn.", f"Boats leave the harbour, story {number}. (Ana Reis/Lusa)"]
        headline = f"Story {number}: council votes on the harbour plan"
        text = "\n\n".join([headline, "·2 min read", *body[:3], "\n".join(photo), *body[3:]])
        (folder / f"{number:06d}.txt").write_text(text + "\n", encoding="utf-8")


def write_backup(path: Path, count: int, domain: str) -> None:
    start = datetime(2024, 1, 1, 6, 0, tzinfo=UTC)
    with open(path, "w", encoding="utf-8") as out:
        out.write(json.dumps({"type": "header", "format": "newsroom-backup", "version": 1}) + "\n")
        for number in range(count):
            published = start + timedelta(minutes=37 * number)
            slug = f"story-{number}"
            body = "".join(f"<p>{paragraph(number + i)}</p>" for i in range(6))
            snapshot = {"headline": f"Story {number}", "slug": slug, "body": body}
            authors = [
                {"name": f"Reporter {n}", "slug": f"reporter-{n}", "kind": "person"}
                for n in (number % 50, (number + 1) % 50)
            ]
            record = {
                "type": "article",
                "site": {"id": 1, "domain": domain, "name": domain},
                "sites": [],
                "article": {
                    "headline": f"Story {number}: council votes on the harbour plan",
                    "slug": slug,
                    "dek": sentence(number),
                    "dateline_place": "LISBON",
                    "body": body,
                    "word_count": 6 * 54,
                    "language": "en",
                    "status": "published",
                    "published_at": published.isoformat(),
                    "pub_date": published.date().isoformat(),
                    "created_at": (published - timedelta(hours=1)).isoformat(),
                    "modified_at": published.isoformat(),
                    "version": 3,
                    "section": {"slug": "local", "name": "Local"},
                },
                "tags": [{"slug": "harbour", "name": "Harbour"}],
                "bylines": [
                    {"position": i, "role": "author", "credit_text": "", "author": author}
                    for i, author in enumerate(authors)
                ],
                "placements": [
                    {
                        "position": 0,
                        "role": "lead",
                        "caption": "",
                        "alt_text": "",
                        "credit_text": "",
                        "image": {
                            "alt_text": f"Photo {number}: the harbour at dawn.",
                            "caption": f"Boats leave the harbour, story {number}.",
                            "creator": "Ana Reis",
                            "agency": "Lusa",
                            "created_at": published.isoformat(),
                            "updated_at": published.isoformat(),
                        },
                    }
                ],
                "corrections": (
                    [
                        {
                            "kind": "correction",
                            "text": "An earlier version misspelt a name.",
                            "created_at": published.isoformat(),
                            "revision": 3,
                        }
                    ]
                    if number % 10 == 0
                    else []
                ),  # fmt: skip
                "revisions": [
                    {
                        "number": n,
                        "snapshot": snapshot,
                        "status": "published" if n > 1 else "draft",
                        "is_published": n > 1,
                        "message": message,
                        "user": None,
                        "created_at": (published + timedelta(minutes=n)).isoformat(),
                    }
                    for n, message in ((1, "Created"), (2, "Published"), (3, "Edited"))
                ],
                "slug_history": [],
            }
            out.write(json.dumps(record, separators=(",", ":")) + "\n")


# --- One step, in its own process ------------------------------------------------------


def peak_rss_kib() -> int:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def run_step(kind: str, target: str, out: str) -> None:
    """Run one import or export in this process and print its figures as JSON."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings")
    import io

    import django

    django.setup()
    from django.core.management import call_command

    from articles.models import Article

    baseline = peak_rss_kib()
    sink = io.StringIO()
    started = time.perf_counter()
    if kind == "import":
        call_command("import_articles", target, verbosity=0, stdout=sink)
        items = Article.objects.count()
    else:
        call_command("export_articles", "--format", target, "--out", out, stdout=sink)
        items = Article.objects.published().count() if target != "jsonl" else Article.objects.count()
    elapsed = time.perf_counter() - started
    summary = [line for line in sink.getvalue().splitlines() if line.strip()][-1:]
    print(
        json.dumps(
            {
                "seconds": elapsed,
                "items": items,
                "peak_mib": (peak_rss_kib() - baseline) / 1024,
                "bytes": Path(out).stat().st_size if kind == "export" else None,
                "summary": summary[0] if summary else "",
            }
        )
    )


# --- The whole benchmark ---------------------------------------------------------------


def fresh_database(env: dict, url: str) -> None:
    if url.startswith("sqlite"):
        Path(url.split("sqlite:///", 1)[1]).unlink(missing_ok=True)
    else:
        reset = (
            "from django.db import connection\n"
            "with connection.cursor() as c:\n"
            "    c.execute('DROP SCHEMA public CASCADE'); c.execute('CREATE SCHEMA public')\n"
        )
        subprocess.run(  # noqa: S603 - our own interpreter and manage.py
            [sys.executable, "manage.py", "shell", "-c", reset], cwd=ROOT, env=env, check=True
        )
    subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True
    )


def step(env: dict, kind: str, target: str, out: str) -> dict:
    result = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, __file__, "--step", kind, target, out],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise SystemExit(f"step {kind} {target} failed:\n{result.stdout}\n{result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def measure(count: int, work: Path, database_url: str | None) -> list[dict]:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "cms.settings", "MEDIA_ROOT": str(work / "media")}
    env.pop("CACHE_URL", None), env.pop("REDIS_URL", None)
    url = database_url or f"sqlite:///{work / 'bench.sqlite3'}"
    env["DATABASE_URL"] = url
    inputs = work / f"inputs-{count}"
    write_captures(inputs / "captures", count)
    write_backup(inputs / "backup.jsonl", count, domain="localhost")
    rows = []
    for name, kind, target in STEPS:
        if kind == "import":
            fresh_database(env, url)
        out = str(work / f"export-{count}.{target}")
        figures = step(env, kind, str(inputs / target) if kind == "import" else target, out)
        rows.append({"step": name, "articles": count, **figures})
        print(
            f"  {name:<26} {count:>6} articles  {figures['seconds']:7.1f} s  "
            f"{figures['items'] / figures['seconds']:7.1f}/s  peak +{figures['peak_mib']:.0f} MiB",
            flush=True,
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=10_000, help="articles per step (default 10,000)")
    parser.add_argument("--quick", action="store_true", help="1,000 articles")
    parser.add_argument("--database-url", help="a scratch database (default: a temporary SQLite file)")
    parser.add_argument("--json", help="also write the figures to this file")
    parser.add_argument("--step", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.step:
        run_step(*args.step)
        return
    count = 1000 if args.quick else args.articles
    sizes = [max(1, count // 10), count]
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-import-export-") as folder:
        for size in sizes:
            print(f"{size} articles:", flush=True)
            rows.extend(measure(size, Path(folder), args.database_url))
    print()
    print("| step | articles | time (s) | articles/s | peak RSS above Django (MiB) | output |")
    print("|---|---:|---:|---:|---:|---|")
    for row in rows:
        output = f"{row['bytes'] / 1e6:.1f} MB" if row["bytes"] else ""
        print(
            f"| {row['step']} | {row['articles']:,} | {row['seconds']:.1f} | "
            f"{row['items'] / row['seconds']:.0f} | {row['peak_mib']:.0f} | {output} |"
        )
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
