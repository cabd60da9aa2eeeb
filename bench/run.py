"""Web benchmark: the app under gunicorn as in production, loaded with wrk on loopback,
side by side with nginx serving a saved copy of the page (the ceiling) and a minimal
Django view (the framework floor). See bench/README.md.

    .venv/bin/python bench/run.py --dataset 10k            # make bench
    BENCH_SECONDS=3 .venv/bin/python bench/run.py --dataset dev --no-docs
    .venv/bin/python bench/run.py --database-url postgres://postgres@127.0.0.1:5432/mydb

Everything it starts (a private Redis, gunicorn, two nginx) runs on free loopback ports in
its own process group and stops at the end, on error or on Ctrl-C.
"""

import argparse
import contextlib
import json
import os
import secrets
import shlex
import signal
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import harness, web_report, web_targets  # noqa: E402

ROOT = harness.ROOT
PG = "postgres://postgres@127.0.0.1:5432"
DATASETS = {  # name → (database, articles, sites) made by generate_archive when missing
    "10k": ("newsroom_bench_10k", 10_000, 2),
    "1m": ("newsroom_bench_1m", 1_000_000, 2),
    "dev": ("newsroom_bench_dev", 0, 0),  # seed_demo
}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dataset", choices=sorted(DATASETS), default="10k")
    parser.add_argument("--database-url", help="benchmark this PostgreSQL database instead of a named dataset")
    parser.add_argument("--seconds", type=float, default=float(os.environ.get("BENCH_SECONDS", 8)))
    parser.add_argument("--warmup", type=float, default=float(os.environ.get("BENCH_WARMUP", 1)))
    parser.add_argument("--threads", type=int, default=int(os.environ.get("BENCH_THREADS", 2)), help="wrk -t")
    parser.add_argument("--connections", type=int, default=int(os.environ.get("BENCH_CONNECTIONS", 16)), help="wrk -c")
    parser.add_argument("--only", help="comma-separated endpoint keys (see --list)")
    parser.add_argument("--list", action="store_true", help="list the endpoint keys and exit")
    parser.add_argument(
        "--rewrite-docs", action="store_true", help="rewrite docs/performance.md from bench/results/ without running"
    )
    parser.add_argument("--search", help="search term (default: picked from the data for ~0.5%% selectivity)")
    parser.add_argument("--docs", action=argparse.BooleanOptionalAction, default=None,
                        help="write docs/performance.md (default: for the 10k and 1m datasets)")  # fmt: skip
    args = parser.parse_args(argv)
    if args.docs is None:
        args.docs = args.database_url is None and args.dataset in {"10k", "1m"} and not args.only
    return args


# --- Tools and database ----------------------------------------------------------------


def check_tools() -> None:
    missing = [tool for tool in ("wrk", "nginx", "redis-server") if not _which(tool)]
    if missing and os.geteuid() == 0 and _which("apt-get"):
        packages = {"wrk": "wrk", "nginx": "nginx-light", "redis-server": "redis-server"}
        print(f"Installing {', '.join(missing)} (apt-get)…", flush=True)
        subprocess.run(["apt-get", "install", "-y", "-q", *(packages[m] for m in missing)], check=False)  # noqa: S603,S607
        missing = [tool for tool in missing if not _which(tool)]
    if missing:
        sys.exit(f"Missing {', '.join(missing)}: sudo apt-get install -y wrk nginx-light redis-server")


def _which(tool: str) -> str | None:
    import shutil

    return shutil.which(tool) or next((p for p in (f"/usr/sbin/{tool}", f"/usr/bin/{tool}") if Path(p).exists()), None)


def _database_exists(name: str) -> bool:
    import psycopg

    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None


def ensure_database(args, env: dict) -> str:
    """Return the database URL, creating and filling a named dataset if it is missing."""
    if args.database_url:
        return args.database_url
    name, articles, sites = DATASETS[args.dataset]
    url = f"{PG}/{name}"
    if _database_exists(name):
        return url
    import psycopg

    print(f"Database {name} is missing: creating it…", flush=True)
    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    started = time.monotonic()
    manage = [str(harness.PYTHON), "manage.py"]
    build_env = {**env, "DATABASE_URL": url}
    subprocess.run([*manage, "migrate", "--noinput", "-v0"], env=build_env, cwd=ROOT, check=True)  # noqa: S603
    if articles:
        command = [*manage, "generate_archive", "--articles", str(articles), "--sites", str(sites)]
    else:
        command = [*manage, "seed_demo"]
    print("  " + shlex.join(command[1:]), flush=True)
    subprocess.run(command, env=build_env, cwd=ROOT, check=True)  # noqa: S603
    print(f"  filled in {time.monotonic() - started:.0f} s", flush=True)
    return url


def server_env(database_url: str, redis_port: int, tmp: Path, hosts: list[str]) -> dict:
    """The environment of gunicorn and of this process's Django: production mode."""
    env = {k: v for k, v in os.environ.items() if k not in {"CACHE_URL", "REDIS_URL", "DJANGO_DEBUG", "DEBUG"}}
    env.update(
        DJANGO_SETTINGS_MODULE="bench.minimal.settings",
        DJANGO_ENV="production",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(64),
        DJANGO_ALLOWED_HOSTS=",".join(hosts),
        DATABASE_URL=database_url,
        CACHE_URL=f"redis://127.0.0.1:{redis_port}/0",
        DJANGO_STATIC_ROOT=str(tmp / "static"),
        # Throttling stays on (its cache read and write are part of every API request), at a
        # rate no benchmark reaches: every wrk request comes from the same address.
        # DRF's user throttle counts anonymous clients by address too: lift both.
        DJANGO_API_ANON_RATE="1000000/s",
        DJANGO_API_USER_RATE="1000000/s",
        DJANGO_LOG_LEVEL="WARNING",
        GUNICORN_MAX_REQUESTS="0",  # memory is measured after the whole run: no recycling
    )
    if web_targets.baking_available():  # baked pages, as production has them
        (tmp / "baked").mkdir(mode=0o755, exist_ok=True)
        env["ARCHIVE_BAKE_ROOT"] = str(tmp / "baked")
    return env


def site_hosts(database_url: str) -> list[str]:
    import psycopg

    with psycopg.connect(database_url) as conn:
        domains = [row[0] for row in conn.execute("SELECT domain FROM django_site ORDER BY id")]
    return sorted({d.split(":")[0] for d in domains} | {"127.0.0.1", "localhost"})


def setup_django(env: dict) -> None:
    os.environ.update(env)
    import django

    django.setup()


# --- Measuring -------------------------------------------------------------------------


def measure(endpoint: dict, args, servers: dict) -> dict:
    """Check one endpoint answers 200, count its queries, then load it with wrk."""
    base = servers[endpoint["server"]].url
    url = base + endpoint["path"]
    headers = dict(endpoint.get("headers", {}))
    row = {"key": endpoint["key"], "label": endpoint["label"], "url": endpoint["path"], "server": endpoint["server"]}
    status, _, body = harness.fetch(url, headers)  # also fills the page cache
    row["status"], row["bytes"] = status, len(body)
    if status != 200:
        row["error"] = f"HTTP {status}: {body[:200]!r}"
        print(f"  {endpoint['label']}: {row['error']}", flush=True)
        return row
    options = {"threads": args.threads, "connections": args.connections, "headers": headers}
    if args.warmup > 0:
        harness.run_wrk(url, seconds=args.warmup, **options)
        # Sync workers finish every request they accepted, even from a client that left:
        # this request waits behind what the warm-up left queued, so the run starts idle.
        harness.fetch(url, headers, timeout=120)
    result = harness.run_wrk(url, seconds=args.seconds, **options)
    row.update(result.as_dict())
    row["queries"] = count_queries(url, headers)
    queries = "-" if row["queries"] is None else row["queries"]
    print(
        f"  {endpoint['label']:<38} {result.rps:>9.0f} req/s  p50 {result.p50_ms:7.2f} ms  "
        f"p99 {result.p99_ms:7.2f} ms  {queries} queries  {len(body) / 1024:.1f} KiB"
        + (f"  ({result.errors} errors)" if result.errors else ""),
        flush=True,
    )
    return row


REFERENCES = ("nginx", "minimal")


def other_search_term(args) -> str | None:
    """The search term of the other dataset's last run, so that 10k and 1M search alike."""
    other = {"10k": "1m", "1m": "10k"}.get(args.dataset) if not args.database_url else None
    path = ROOT / "bench" / "results" / f"web-{other}.json"
    if other and path.exists():
        return json.loads(path.read_text()).get("targets", {}).get("search")
    return None


def prime(endpoints: list[dict], servers: dict) -> None:
    """One request to every endpoint before any load: each worker has imported and
    connected what the app needs, and a broken URL shows now, not minutes later."""
    for endpoint in endpoints:
        status, _, body = harness.fetch(servers[endpoint["server"]].url + endpoint["path"], endpoint["headers"])
        if status != 200:
            print(f"  {endpoint['label']}: HTTP {status} {body[:200]!r}", flush=True)


def merge_reference(first: dict, last: dict) -> None:
    """A reference measured at the start and at the end: the ratios use the mean of both."""
    if "rps" not in first or "rps" not in last:
        return
    first["rps_start"], first["rps_end"] = first["rps"], last["rps"]
    for name in ("rps", "p50_ms", "p99_ms"):
        first[name] = round((first[name] + last[name]) / 2, 3)


def count_queries(url: str, headers: dict, tries: int = 5) -> int | None:
    """SQL queries per request in the steady state: the most any of ``tries`` requests ran
    after the load (every worker warm), as counted by the bench middleware."""
    counts = []
    for _ in range(tries):
        _, answer, _ = harness.fetch(url, {**headers, "X-Bench-Queries": "1"})
        if "X-Bench-Query-Count" in answer:
            counts.append(int(answer["X-Bench-Query-Count"]))
    return max(counts) if counts else None


def machine_info(database_url: str) -> dict:
    import django
    import gunicorn
    import psycopg

    memory = next(
        (
            int(line.split()[1])
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        ),
        0,
    )
    with psycopg.connect(database_url) as conn:
        pg_version = conn.execute("SHOW server_version").fetchone()[0]
    workers = os.environ.get("GUNICORN_WORKERS") or str(2 * os.cpu_count() + 1)
    worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "sync")
    threads = os.environ.get("GUNICORN_THREADS", "1")
    return {
        "nproc": os.cpu_count(),
        "memory_gib": round(memory / 1024 / 1024, 1),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "postgresql": pg_version,
        "python": sys.version.split()[0],
        "django": django.get_version(),
        "gunicorn": gunicorn.__version__,
        "workers": f"{workers} × {worker_class}" + (f" ({threads} threads)" if worker_class == "gthread" else ""),
    }


def run(args) -> dict:
    check_tools()
    started = time.monotonic()
    with contextlib.ExitStack() as stack, tempfile.TemporaryDirectory(prefix="bench-web-") as tmp:
        tmp = Path(tmp)
        tmp.chmod(0o755)  # nginx's workers (nobody, when run as root) read the saved copy
        database_url = ensure_database(args, dict(os.environ))
        redis = stack.enter_context(harness.redis(port=harness.free_port()))
        env = server_env(database_url, redis.port, tmp, site_hosts(database_url))
        subprocess.run(  # noqa: S603
            [str(harness.PYTHON), "manage.py", "collectstatic", "--noinput", "-v0"], env=env, cwd=ROOT, check=True
        )
        setup_django(env)
        plan = web_targets.pick(search=args.search or other_search_term(args))
        info = machine_info(database_url)
        print(f"Dataset: {plan['dataset']['articles']:,} articles ({plan['dataset']['published']:,} published), "
              f"PostgreSQL {info['postgresql']}, gunicorn {info['workers']}", flush=True)  # fmt: skip
        from django.db import connections

        connections.close_all()
        app = stack.enter_context(harness.gunicorn(port=harness.free_port(), env=env, log=tmp / "gunicorn.log"))
        saved = web_targets.save_copy(app.url, plan, tmp / "saved")
        servers = {"app": app, "nginx": stack.enter_context(harness.nginx(port=harness.free_port(), root=saved))}
        baked = "ARCHIVE_BAKE_ROOT" in env and web_targets.bake_article(env, plan, Path(env["ARCHIVE_BAKE_ROOT"]))
        if baked:
            servers["baked"] = stack.enter_context(web_targets.baked_nginx(Path(env["ARCHIVE_BAKE_ROOT"]), app))
        endpoints = web_targets.endpoints(plan, baked=bool(baked))
        if args.only:
            wanted = set(args.only.split(","))
            endpoints = [e for e in endpoints if e["key"] in wanted or e["key"] in {"nginx", "minimal"}]
        print(
            f"wrk -t{args.threads} -c{args.connections} -d{args.seconds:g}s --latency (after {args.warmup:g} s warm-up)"
        )
        prime(endpoints, servers)
        rows = [measure(endpoint, args, servers) for endpoint in endpoints]
        print("  (the two references again, to see how much the machine drifted)")
        again = {e["key"]: measure(e, args, servers) for e in endpoints if e["key"] in REFERENCES}
        for row in rows:
            if row["key"] in again:
                merge_reference(row, again[row["key"]])
        rss = harness.worker_rss_mib(app.pid)
        info["load_average_end"] = [round(x, 2) for x in os.getloadavg()]
        publish = web_targets.publish_latency(plan, servers.get("baked"))
        return {
            "dataset": args.database_url and "custom" or args.dataset,
            "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
            "command": command_line(args),
            "machine": info,
            "data": plan["dataset"],
            "targets": {
                k: plan[k]
                for k in ("article_path", "archive_path", "search", "search_matches", "updated_since", "depth")
            },
            "wrk": {"threads": args.threads, "connections": args.connections, "seconds": args.seconds},
            "rows": rows,
            "worker_rss_mb": [round(mib * 1.048576, 1) for mib in rss],
            "publish_to_baked_s": publish,
            "elapsed_s": round(time.monotonic() - started, 1),
        }


def command_line(args) -> str:
    parts = ["bench/run.py"] + (["--database-url", "…"] if args.database_url else ["--dataset", args.dataset])
    prefix = f"BENCH_SECONDS={args.seconds:g} " if args.seconds != 8 else ""
    return prefix + ".venv/bin/python " + " ".join(parts)


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.rewrite_docs:
        for path in sorted((ROOT / "bench" / "results").glob("web-*.json")):
            if path.stem in {"web-10k", "web-1m"}:
                web_report.write_docs(json.loads(path.read_text()))
                print(f"Rewrote the {path.stem} table of docs/performance.md")
        return 0
    if args.list:
        for key, label in web_targets.LABELS.items():
            print(f"{key:<16} {label}")
        return 0
    # Stop everything on Ctrl-C or kill, even when started in the background (where a shell
    # leaves SIGINT ignored): the finally blocks stop the servers.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        result = run(args)
    except KeyboardInterrupt:
        print("\nInterrupted: every server was stopped; nothing was written.", file=sys.stderr)
        return 130
    print()
    print(web_report.summary(result))
    # A partial run (--only) never replaces the full results the docs and growth table use.
    out = ROOT / "bench" / "results" / f"web-{result['dataset']}{'-partial' if args.only else ''}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(result, indent=1) + "\n")
    print(f"Raw results: {out.relative_to(ROOT)}")
    growth = web_report.growth()
    if growth:
        print(growth)
    if args.docs:
        web_report.write_docs(result)
        print("Wrote docs/performance.md (Web benchmark)")
    print(f"Done in {result['elapsed_s']:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
