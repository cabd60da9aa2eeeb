"""LOAD-01..05 of RELIABILITY.md against gunicorn on PostgreSQL, on loopback, bounded in time.

    bench/load.sh                      # 10 s per wrk run (about 2 minutes in all)
    LOAD_SECONDS=30 bench/load.sh      # the catalogue's 30 s figures
    bench/load.sh --no-docs            # print only; do not rewrite docs/performance.md

What it sets up (all of it its own, removed at the end): the database ``newsroom_load`` on
the PostgreSQL server of ``LOAD_DATABASE_URL`` (default ``postgres://postgres@127.0.0.1:5432``;
dropped and recreated, migrated, ``seed_demo``), a private Redis on a free port as the
cache, and gunicorn with the production configuration (``cms/gunicorn.conf.py``) and
production settings (``DJANGO_ENV=production``, ``CONN_MAX_AGE=60``, Redis cache).

- LOAD-01 reads: ``wrk -t4 -c50 --latency`` on ``/api/v1/articles/`` and on one article
  page. Pass: 0 non-2xx, 0 socket errors, p99 < 500 ms.
- LOAD-02 writes: token-authenticated POST (unique slugs) and PATCH (If-Match), c=32.
  Pass: 0 5xx.
- LOAD-03 saturation: c=200 on both read URLs. Pass: 0 5xx (client timeouts are queueing).
- LOAD-04 login: 50 wrong passwords a minute from one address on the token endpoint, and
  6 on the admin login form. Pass: the 6th per address + user name is 429, another user
  name from the same address is not; Basic authentication is refused.
- LOAD-05 throttle accuracy: 4 workers, anonymous rate R/min, a burst of 3R, then HUP
  (every worker replaced) and another burst of 3R. Pass: allowed = R ± 10 % in all.

All traffic comes from one address, so for LOAD-01..03 the per-client API rates are raised
(``API_ANON_RATE``/``API_USER_RATE`` in the server's environment, per second so DRF's
timestamp lists stay short); LOAD-04 uses the product's login and token rates, LOAD-05 its
own anonymous rate (``LOAD_RATE``, default 100/min). The exit status is 1 if any pass
figure fails.
"""

import argparse
import base64
import json
import os
import platform
import re
import secrets
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from http.client import HTTPConnection
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bench import harness  # noqa: E402

LUA = ROOT / "bench" / "load"
DOC = ROOT / "docs" / "performance.md"
BEGIN, END = "<!-- load:begin (bench/load.py writes this section) -->", "<!-- load:end -->"
SEED = """
from django.contrib.auth.models import Group, User
from rest_framework.authtoken.models import Token
editor = User.objects.create_user("load-editor", password="load-editor-pw-1")
editor.groups.add(Group.objects.get(name="Editor"))
User.objects.create_user("load-victim", password="load-victim-pw-1")
print(Token.objects.create(user=editor).key)
"""


# --- Set-up ----------------------------------------------------------------------------


def manage(env: dict, *args: str, stdin: str | None = None) -> str:
    done = subprocess.run(  # noqa: S603
        [str(harness.PYTHON), "manage.py", *args], cwd=ROOT, env=env, input=stdin, capture_output=True, text=True
    )
    if done.returncode != 0:
        raise SystemExit(f"manage.py {' '.join(args)} failed:\n{done.stderr[-3000:]}")
    return done.stdout


def recreate_database(server_url: str, name: str) -> str:
    import psycopg

    parts = urllib.parse.urlsplit(server_url)
    admin = {"host": parts.hostname or "127.0.0.1", "port": parts.port or 5432, "user": parts.username or "postgres"}
    if parts.password:
        admin["password"] = parts.password
    with psycopg.connect(**admin, dbname="postgres", autocommit=True, connect_timeout=5) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, f"/{name}", "", ""))


def server_env(folder: Path, database_url: str, redis_url: str, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "GUNICORN_"))}
    for name in ("DATABASE_URL", "REDIS_URL", "CACHE_URL", "STATIC_ROOT", "MEDIA_ROOT"):
        env.pop(name, None)
    env.update(
        DJANGO_ENV="production",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(64),
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        DJANGO_SECURE_SSL_REDIRECT="false",  # plain HTTP on loopback (TLS is the proxy's)
        DATABASE_URL=database_url,
        DATABASE_CONN_MAX_AGE="60",
        REDIS_URL=redis_url,
        STATIC_ROOT=str(folder / "static"),
        MEDIA_ROOT=str(folder / "media"),
        GUNICORN_LOGLEVEL="warning",
        **extra,
    )
    return env


# --- wrk -------------------------------------------------------------------------------


def wrk(url: str, *, seconds: int, threads: int, connections: int, script: str, args=(), env=None) -> dict:
    """Run wrk with a Lua script from bench/load/. Requests carry ``Connection: close``:
    gunicorn's sync workers close every connection after one response anyway, and wrk's
    keep-alive requests then stalled for up to 2 s on the 36 kB API list (measuring wrk,
    not the app)."""
    command = [harness.wrk_binary(), f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency",
               "--timeout", "5s", "-H", "Connection: close", "-s", str(LUA / script), url]  # fmt: skip
    if args:
        command += ["--", *args]
    done = subprocess.run(  # noqa: S603
        command, capture_output=True, text=True, timeout=seconds + 120, env={**os.environ, **(env or {})}
    )
    if done.returncode != 0:
        raise RuntimeError(f"wrk failed: {done.stderr or done.stdout}")
    result = harness.parse_wrk(done.stdout).as_dict()
    statuses = re.search(r"^STATUSES (\{.*\})$", done.stdout, re.M)
    result["statuses"] = {int(k): v for k, v in json.loads(statuses.group(1)).items()} if statuses else {}
    writes = re.search(r"^WRITES (\{.*\})$", done.stdout, re.M)
    if writes:
        result["writes"] = json.loads(writes.group(1))
    result["5xx"] = sum(v for k, v in result["statuses"].items() if k >= 500)
    result["non_2xx"] = sum(v for k, v in result["statuses"].items() if not 200 <= k < 300)
    result["socket"] = sum(result["socket_errors"].values())
    return result


def warm_up(base: str, paths, token: str, seconds: int = 3) -> None:
    """A fresh worker's first requests are slow (connections, templates, URL resolver):
    give every worker some of each kind before anything is measured."""
    for path in paths:
        wrk(base + path, seconds=seconds, threads=2, connections=10, script="read.lua")
    wrk(base + paths[0], seconds=seconds, threads=2, connections=10, script="write.lua",
        env={"LOAD_TOKEN": token, "LOAD_RUN": "warm" + secrets.token_hex(3)})  # fmt: skip


# --- Plain requests (LOAD-04/05) -------------------------------------------------------


def request(port: int, method: str, path: str, body: str | None = None, headers: dict | None = None):
    conn = HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read().decode("utf-8", "replace")
    finally:
        conn.close()


def token_attempt(port: int, username: str) -> int:
    body = json.dumps({"username": username, "password": "wrong-password"})
    return request(port, "POST", "/api/v1/auth/token/", body, {"Content-Type": "application/json"})[0]


def admin_attempt(port: int, username: str) -> int:
    _, headers, _ = request(port, "GET", "/admin/login/")
    cookie = re.search(r"csrftoken=([^;]+)", headers.get("Set-Cookie", ""))
    token = cookie.group(1) if cookie else ""
    form = urllib.parse.urlencode({"csrfmiddlewaretoken": token, "username": username, "password": "wrong"})
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": f"csrftoken={token}"}
    return request(port, "POST", "/admin/login/?next=/admin/", form, headers)[0]


def load_04(port: int) -> dict:
    token = [token_attempt(port, "load-victim") for _ in range(6)]
    other = token_attempt(port, "load-editor")  # same address, another user name
    rest = [token_attempt(port, "load-victim") for _ in range(50 - 7)]
    admin = [admin_attempt(port, "load-admin-guess") for _ in range(6)]
    basic_auth = "Basic " + base64.b64encode(b"load-editor:load-editor-pw-1").decode()
    headers = {"Content-Type": "application/json", "Authorization": basic_auth}
    basic = request(port, "POST", "/api/v1/articles/", json.dumps({"headline": "Basic"}), headers)[0]
    attempts = token + [other] + rest
    passed = (
        all(s == 400 for s in token[:5]) and token[5] == 429 and other == 400
        and all(s == 429 for s in rest) and all(s == 200 for s in admin[:5]) and admin[5] == 429
        and basic in (401, 403)
    )  # fmt: skip
    return {
        "token_endpoint_first_6": token,
        "other_username_7th": other,
        "attempts": len(attempts),
        "statuses": dict(Counter(attempts)),
        "admin_login_first_6": admin,
        "basic_auth_write": basic,
        "pass": passed,
    }


def burst(port: int, count: int, concurrency: int = 8) -> Counter:
    with ThreadPoolExecutor(concurrency) as pool:
        return Counter(pool.map(lambda _: request(port, "GET", "/api/v1/articles/?page_size=1")[0], range(count)))


def load_05(folder: Path, database_url: str, redis_url: str, rate: int) -> dict:
    env = server_env(folder, database_url, redis_url, API_ANON_RATE=f"{rate}/min", GUNICORN_WORKERS="4")
    port = harness.free_port()
    with harness.gunicorn(port=port, env=env, log=folder / "gunicorn-05.log") as server:
        wait_healthy(port)
        for _ in range(20):  # every worker warm (healthz is not throttled)
            request(port, "GET", "/healthz")
        started = time.monotonic()
        first = burst(port, 3 * rate)
        before = set(harness.children(server.pid))
        os.kill(server.pid, signal.SIGHUP)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            now = set(harness.children(server.pid))
            if len(now) == 4 and not now & before:
                break
            time.sleep(0.2)
        replaced = not set(harness.children(server.pid)) & before
        wait_healthy(port, expect=(200, 429))
        second = burst(port, 3 * rate)
        elapsed = time.monotonic() - started
    allowed = first[200] + second[200]
    return {
        "rate_per_min": rate,
        "burst_1": dict(first),
        "burst_2_after_hup": dict(second),
        "workers_replaced": replaced,
        "allowed": allowed,
        "seconds": round(elapsed, 1),
        "pass": replaced
        and abs(allowed - rate) <= 0.1 * rate
        and elapsed < 60
        and set(first) | set(second) <= {200, 429},
    }


def wait_healthy(port: int, expect=(200,), seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if request(port, "GET", "/healthz")[0] in expect:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"the app on port {port} is not healthy after {seconds:.0f} s")


# --- Report ----------------------------------------------------------------------------


def machine() -> str:
    cpu = "?"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    load = os.getloadavg()[0]
    system = f"{platform.system()} {platform.release()}"
    return f"{os.cpu_count()} CPUs ({cpu}), load average {load:.1f} at the start, {system}"


def rows(results: dict) -> list[tuple[str, str, str, str]]:
    """(row, what was run, figures, pass/FAIL) for the summary and the docs."""
    out = []
    for label in ("LOAD-01 API list", "LOAD-01 article page"):
        r = results[label]
        figures = (
            f"{r['rps']:.0f} req/s, p50 {r['p50_ms']:.0f} ms, p99 {r['p99_ms']:.0f} ms, "
            f"{r['requests']} requests, {r['non_2xx']} non-2xx, {r['socket']} socket errors"
        )
        out.append((label, f"wrk -t4 -c50 -d{r['seconds']}s --latency", figures, ok(r["pass"])))
    r = results["LOAD-02 writes"]
    figures = (
        f"{r['rps']:.0f} req/s, p99 {r['p99_ms']:.0f} ms, statuses {r['statuses']}, {r['5xx']} 5xx, "
        f"{r['socket_errors'].get('timeout', 0)} client timeouts"
    )
    out.append(("LOAD-02 writes", f"wrk -t4 -c32 -d{r['seconds']}s, POST + PATCH (If-Match)", figures, ok(r["pass"])))
    r = results["LOAD-03 saturation"]
    figures = (
        f"{r['rps']:.0f} req/s, p99 {r['p99_ms']:.0f} ms, statuses {r['statuses']}, {r['5xx']} 5xx, "
        f"{r['socket_errors'].get('timeout', 0)} client timeouts"
    )
    out.append(("LOAD-03 saturation", f"wrk -t4 -c200 -d{r['seconds']}s, both read URLs", figures, ok(r["pass"])))
    r = results["LOAD-04 login"]
    figures = (
        f"token endpoint {r['token_endpoint_first_6']}, other user name {r['other_username_7th']}, "
        f"all 50 {r['statuses']}, admin form {r['admin_login_first_6']}, Basic auth write {r['basic_auth_write']}"
    )
    out.append(("LOAD-04 login", "50 wrong passwords from one address; 6 on the admin form", figures, ok(r["pass"])))
    r = results["LOAD-05 throttle"]
    what = f"4 workers, {r['rate_per_min']}/min, 2 bursts of {3 * r['rate_per_min']} around a HUP"
    figures = (
        f"allowed {r['allowed']} (burst 1 {r['burst_1']}, after HUP {r['burst_2_after_hup']}), "
        f"workers replaced {r['workers_replaced']}, {r['seconds']} s"
    )
    out.append(("LOAD-05 throttle", what, figures, ok(r["pass"])))
    return out


def ok(passed: bool) -> str:
    return "pass" if passed else "FAIL"


def write_docs(table: list[tuple[str, str, str, str]], command: str, when: str) -> None:
    load = os.getloadavg()[0]
    busy = []
    if load > (os.cpu_count() or 1):
        busy = [
            f"- **Busy machine**: the load average was {load:.1f} on {os.cpu_count()} CPUs (other work running),",
            "  so rates and latencies here are a fraction of the app's; rerun on a quiet machine for the",
            "  p99 figure. The counts (non-2xx, 5xx, 429s, allowed) do not depend on it.",
        ]
    lines = [
        BEGIN,
        "## Load (LOAD-01..05)",
        "",
        "RELIABILITY.md's load rows against gunicorn (production configuration and settings, sync",
        "workers, `CONN_MAX_AGE=60`) on PostgreSQL with a Redis cache, all on loopback, written by:",
        "",
        "```sh",
        command,
        "```",
        "",
        f"Measured {when}. The script exits 1 if a pass figure fails.",
        "",
        "| row | what | figures | status |",
        "|---|---|---|---|",
        *[f"| {a} | {b} | {c} | {d} |" for a, b, c, d in table],
        "",
        "- All traffic comes from one address, so LOAD-01..03 raise the per-client API rates",
        "  (`API_ANON_RATE`, `API_USER_RATE`); LOAD-04 uses the product's login and token rates",
        "  (`LOGIN_RATE` 5/min per address + user name, `API_TOKEN_RATE` 10/min per address).",
        "- wrk's socket timeouts under saturation (LOAD-03) are requests still queued after 5 s:",
        "  overload shows as queueing, never as a 5xx.",
        "- wrk sends `Connection: close`: gunicorn's sync workers close every connection after one",
        "  response anyway, and with keep-alive requests wrk stalled up to 2 s on the 36 kB API list.",
        "- LOAD-05 found DRF's throttle losing counts between workers (139 of a 100/min burst got",
        "  through 4 workers: each reads the list of request times, adds one and writes it back).",
        "  The API's anonymous and per-user throttles now count in one Redis Lua script",
        "  (`articles/api/throttling.py`): exactly 100.",
        *busy,
        END,
    ]
    text = DOC.read_text(encoding="utf-8") if DOC.exists() else "# Performance\n"
    section = "\n".join(lines)
    if BEGIN in text and END in text:
        text = text[: text.index(BEGIN)] + section + text[text.index(END) + len(END) :]
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    DOC.write_text(text, encoding="utf-8")


# --- Main ------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=int(os.environ.get("LOAD_SECONDS", 10)))
    parser.add_argument("--rate", type=int, default=int(os.environ.get("LOAD_RATE", 100)), help="LOAD-05, per minute")
    parser.add_argument("--no-docs", action="store_true", help="do not rewrite the section of docs/performance.md")
    options = parser.parse_args()
    seconds = options.seconds
    when = f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {machine()}"
    server_url = os.environ.get("LOAD_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    database_url = recreate_database(server_url, os.environ.get("LOAD_DATABASE_NAME", "newsroom_load"))
    results = {}
    with tempfile.TemporaryDirectory(prefix="bench-load-") as tmp, harness.redis(port=harness.free_port()) as redis:
        folder = Path(tmp)
        redis_url = f"redis://127.0.0.1:{redis.port}/0"
        fast = {"API_ANON_RATE": "100000/s", "API_USER_RATE": "100000/s"}
        env = server_env(folder, database_url, redis_url, **fast)
        print(f"set-up: migrate, seed_demo, collectstatic into {database_url}", flush=True)
        manage(env, "migrate", "--noinput", "-v0")
        manage(env, "seed_demo", "-v0")
        manage(env, "collectstatic", "--noinput", "-v0")
        token = manage(env, "shell", "-c", SEED).strip().splitlines()[-1]
        port = harness.free_port()
        with harness.gunicorn(port=port, env=env, log=folder / "gunicorn.log") as server:
            wait_healthy(port)
            base = server.url
            page = re.search(r'href="(/\d{4}/\d{2}/\d{2}/[^"/]+/)"', request(port, "GET", "/")[2]).group(1)
            api = "/api/v1/articles/"
            print("warm-up: every worker renders both pages and writes once (not measured)", flush=True)
            warm_up(base, (api, page), token)
            for label, path in (("LOAD-01 API list", api), ("LOAD-01 article page", page)):
                print(f"{label}: {path} for {seconds} s", flush=True)
                r = wrk(base + path, seconds=seconds, threads=4, connections=50, script="read.lua")
                r["pass"] = r["non_2xx"] == 0 and r["socket"] == 0 and r["p99_ms"] < 500 and r["requests"] > 0
                results[label] = {**r, "seconds": seconds}
            print(f"LOAD-02 writes for {seconds} s", flush=True)
            r = wrk(base + api, seconds=seconds, threads=4, connections=32, script="write.lua",
                    env={"LOAD_TOKEN": token, "LOAD_RUN": secrets.token_hex(3)})  # fmt: skip
            r["pass"] = r["5xx"] == 0 and r["statuses"].get(201, 0) > 0 and r["statuses"].get(200, 0) > 0
            results["LOAD-02 writes"] = {**r, "seconds": seconds}
            print(f"LOAD-03 saturation for {seconds} s", flush=True)
            r = wrk(base + api, seconds=seconds, threads=4, connections=200, script="read.lua", args=(api, page))
            r["pass"] = r["5xx"] == 0 and r["requests"] > 0
            results["LOAD-03 saturation"] = {**r, "seconds": seconds}
            print("LOAD-04 login throttle", flush=True)
            results["LOAD-04 login"] = load_04(port)
        print(f"LOAD-05 throttle accuracy at {options.rate}/min", flush=True)
        redis_client_flush(redis_url)
        results["LOAD-05 throttle"] = load_05(folder, database_url, redis_url, options.rate)
    table = rows(results)
    width = max(len(r[0]) for r in table)
    print("\n" + "\n".join(f"{a:<{width}}  {d:<4}  {c}" for a, b, c, d in table))
    print(f"\n{when}")
    if not options.no_docs:
        command = "bench/load.sh" if seconds == 10 else f"LOAD_SECONDS={seconds} bench/load.sh"
        write_docs(table, command, when)
        print(f"wrote the Load section of {DOC.relative_to(ROOT)}")
    failed = [r[0] for r in table if r[3] != "pass"]
    if failed:
        print("FAILED: " + ", ".join(failed))
        return 1
    return 0


def redis_client_flush(url: str) -> None:
    """Start LOAD-05 from an empty cache (no throttle history from LOAD-01..04)."""
    import redis

    redis.Redis.from_url(url).flushdb()


if __name__ == "__main__":
    sys.exit(main())
