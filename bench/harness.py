"""Reusable pieces for HTTP benchmarks: start gunicorn, nginx and Redis as our own
processes on free loopback ports, run ``wrk`` and read its output, measure worker memory.

Every server runs in its own session (process group), dies with the benchmark (Linux
``PR_SET_PDEATHSIG``, so even a killed benchmark leaves nothing behind) and is stopped by
the context manager that started it, on success, error or Ctrl-C::

    from bench import harness

    with harness.gunicorn(port=harness.free_port(), env=env) as server:
        result = harness.run_wrk(f"http://127.0.0.1:{server.port}/", seconds=5)
        print(result.rps, result.p50_ms, result.p99_ms, harness.worker_rss_mib(server.pid))

Nothing here imports Django.
"""

import contextlib
import ctypes
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = ROOT / ".venv" / "bin" / "python"
GUNICORN_CONF = ROOT / "cms" / "gunicorn.conf.py"
_PR_SET_PDEATHSIG = 1


# --- Processes -------------------------------------------------------------------------


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _die_with_parent() -> None:  # runs in the child between fork and exec
    os.setsid()
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def spawn(args: list[str], *, env: dict | None = None, log: Path | None = None, cwd: Path = ROOT) -> subprocess.Popen:
    """Start ``args`` in a new process group that is sent SIGTERM if we die."""
    out = open(log, "ab") if log else subprocess.DEVNULL  # noqa: SIM115 (closed by stop())
    process = subprocess.Popen(  # noqa: S603
        args, env=env, cwd=cwd, stdout=out, stderr=subprocess.STDOUT, preexec_fn=_die_with_parent
    )
    process._bench_log = out  # noqa: SLF001
    return process


def stop(process: subprocess.Popen, *, grace: float = 10.0) -> None:
    """SIGTERM the process group, wait up to ``grace`` seconds, then SIGKILL it."""
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(grace)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)  # stragglers of the group (workers)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(5)
    log = getattr(process, "_bench_log", None)
    if log not in (None, subprocess.DEVNULL):
        log.close()


def wait_for_port(port: int, process: subprocess.Popen, *, timeout: float = 60.0, log: Path | None = None) -> None:
    """Wait until something accepts connections on ``port``; fail if ``process`` exits."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            tail = log.read_text(errors="replace")[-3000:] if log and log.exists() else ""
            raise RuntimeError(f"{process.args[0]} exited with {process.returncode} before listening:\n{tail}")
        with socket.socket() as sock:
            sock.settimeout(0.2)
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port} after {timeout:.0f} s")


@dataclass
class Server:
    """A running server: its port, master pid and log file."""

    port: int
    pid: int
    log: Path
    process: subprocess.Popen = field(repr=False)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@contextlib.contextmanager
def gunicorn(
    *,
    port: int,
    env: dict,
    app: str = "cms.wsgi:application",
    config: Path = GUNICORN_CONF,
    log: Path | None = None,
    extra_args: tuple[str, ...] = (),
):
    """Run gunicorn with ``config`` (the production configuration) on 127.0.0.1:``port``.
    ``env`` is the whole environment of the server (settings come from it)."""
    log = log or Path(tempfile.mkstemp(prefix="gunicorn-", suffix=".log")[1])
    args = [str(PYTHON), "-m", "gunicorn", "-c", str(config), "-b", f"127.0.0.1:{port}", *extra_args, app]
    process = spawn(args, env=env, log=log)
    try:
        wait_for_port(port, process, log=log)
        yield Server(port=port, pid=process.pid, log=log, process=process)
    finally:
        stop(process)


NGINX_CONF = """\
worker_processes {workers};
daemon off;
master_process on;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {prefix}/client_body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
    types {{
        text/html html; application/json json; text/css css; application/javascript js;
        application/rss+xml rss; application/atom+xml atom;
    }}
    default_type application/octet-stream;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 100000;
    {http_extra}
    server {{
        listen 127.0.0.1:{port};
        server_name _;
        root {root};
        {locations}
    }}
}}
"""


@contextlib.contextmanager
def nginx(*, port: int, root: Path | str, locations: str = "location / { try_files $uri $uri/index.html =404; }",
          http_extra: str = "", workers: str = "auto", binary: str | None = None):  # fmt: skip
    """Run nginx as our own process (no root-owned paths) serving ``root`` on ``port``.
    ``locations`` is pasted into the server block, ``http_extra`` (upstreams, maps) into the
    http block. Run as root,
    nginx's workers are ``nobody``: ``root`` and its parents must be readable by all."""
    binary = binary or shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(binary).exists():
        raise RuntimeError("nginx is not installed: sudo apt-get install -y nginx-light")
    with tempfile.TemporaryDirectory(prefix="bench-nginx-") as prefix:
        conf = Path(prefix) / "nginx.conf"
        conf.write_text(
            NGINX_CONF.format(
                workers=workers, prefix=prefix, port=port, root=root, locations=locations, http_extra=http_extra
            )
        )
        log = Path(prefix) / "stdout.log"
        process = spawn([binary, "-c", str(conf), "-p", prefix, "-e", f"{prefix}/error.log"], log=log)
        try:
            wait_for_port(port, process, log=Path(prefix) / "error.log")
            yield Server(port=port, pid=process.pid, log=Path(prefix) / "error.log", process=process)
        finally:
            stop(process)


@contextlib.contextmanager
def redis(*, port: int, maxmemory: str = "512mb", binary: str | None = None):
    """Run a private redis-server (no persistence, LRU eviction) on ``port``."""
    binary = binary or shutil.which("redis-server") or "/usr/bin/redis-server"
    args = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    args += ["--maxmemory", maxmemory, "--maxmemory-policy", "allkeys-lru", "--daemonize", "no"]
    process = spawn(args)
    try:
        wait_for_port(port, process)
        yield Server(port=port, pid=process.pid, log=Path(os.devnull), process=process)
    finally:
        stop(process)


# --- Memory ----------------------------------------------------------------------------


def children(pid: int) -> list[int]:
    """Direct children of ``pid`` (gunicorn's workers, nginx's workers)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError, ValueError, IndexError):
            stat = (entry / "stat").read_text()
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            if ppid == pid:
                found.append(int(entry.name))
    return sorted(found)


def rss_mib(pid: int) -> float:
    """Resident memory of ``pid`` in MiB (VmRSS)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def worker_rss_mib(master_pid: int) -> list[float]:
    """RSS of each worker of a gunicorn (or nginx) master, in MiB."""
    sizes = []
    for pid in children(master_pid):
        with contextlib.suppress(OSError):
            sizes.append(rss_mib(pid))
    return sizes


# --- HTTP ------------------------------------------------------------------------------


def fetch(url: str, headers: dict | None = None, timeout: float = 30.0) -> tuple[int, dict, bytes]:
    """GET ``url``; return (status, headers, body) without raising on 4xx/5xx."""
    request = urllib.request.Request(url, headers=headers or {})  # noqa: S310 (our own loopback server)

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=timeout) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


# --- wrk -------------------------------------------------------------------------------


@dataclass
class WrkResult:
    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    non_2xx_3xx: int = 0
    socket_errors: dict = field(default_factory=dict)
    transfer_per_s: str = ""

    @property
    def errors(self) -> int:
        return self.non_2xx_3xx + sum(self.socket_errors.values())

    def as_dict(self) -> dict:
        return {
            "rps": round(self.rps, 1),
            "p50_ms": round(self.p50_ms, 3),
            "p99_ms": round(self.p99_ms, 3),
            "requests": self.requests,
            "non_2xx_3xx": self.non_2xx_3xx,
            "socket_errors": self.socket_errors,
        }


_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(value: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value.strip())
    if not match:
        raise ValueError(f"not a wrk duration: {value!r}")
    return float(match.group(1)) * _UNITS_MS[match.group(2)]


def parse_wrk(output: str) -> WrkResult:
    """Read requests/s, p50 and p99 latency, request count and errors from ``wrk --latency``."""
    rps = re.search(r"^Requests/sec:\s+([\d.]+)", output, re.M)
    total = re.search(r"^\s*(\d+) requests in ", output, re.M)
    p50 = re.search(r"^\s+50(?:\.0+)?%\s+(\S+)", output, re.M)
    p99 = re.search(r"^\s+99(?:\.0+)?%\s+(\S+)", output, re.M)
    if not (rps and total and p50 and p99):
        raise ValueError("wrk output has no requests/s or latency distribution (was --latency given?):\n" + output)
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    transfer = re.search(r"^Transfer/sec:\s+(\S+)", output, re.M)
    socket_errors = {}
    if errors:
        socket_errors = dict(zip(("connect", "read", "write", "timeout"), map(int, errors.groups()), strict=True))
    return WrkResult(
        rps=float(rps.group(1)),
        p50_ms=_ms(p50.group(1)),
        p99_ms=_ms(p99.group(1)),
        requests=int(total.group(1)),
        non_2xx_3xx=int(non_2xx.group(1)) if non_2xx else 0,
        socket_errors=socket_errors,
        transfer_per_s=transfer.group(1) if transfer else "",
    )


def wrk_binary() -> str:
    found = shutil.which("wrk")
    if not found:
        raise RuntimeError("wrk is not installed: sudo apt-get install -y wrk (Debian package)")
    return found


def run_wrk(
    url: str,
    *,
    seconds: float = 8,
    threads: int = 2,
    connections: int = 16,
    headers: dict | None = None,
    timeout: str = "30s",
) -> WrkResult:
    """Load ``url`` with wrk for ``seconds`` (whole seconds, at least 1) and return what it
    measured."""
    seconds = max(1, round(seconds))
    args = [wrk_binary(), f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", f"--timeout={timeout}"]
    for name, value in (headers or {}).items():
        args += ["-H", f"{name}: {value}"]
    done = subprocess.run([*args, url], capture_output=True, text=True, timeout=seconds + 60, check=False)  # noqa: S603
    if done.returncode != 0:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stderr or done.stdout}")
    return parse_wrk(done.stdout)
