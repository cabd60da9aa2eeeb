"""Throwaway PostgreSQL clusters and Redis servers on free loopback ports, for tests that
stop and start the services under a running app (tests/reliability/test_faults.py).

They never touch the shared services on 5432/6379. PostgreSQL refuses to run as root, so
as root the cluster belongs to the ``postgres`` system user (``runuser``). Anything that
cannot be done here (no binaries, no such user) skips the test with the reason.
"""

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(condition, seconds: float, what: str, every: float = 0.05) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(every)
    raise AssertionError(f"gave up waiting {seconds:.0f} s for {what}")


def get(url: str, timeout: float = 10) -> tuple[int, dict, str]:
    """GET ``url`` without following redirects: (status, headers, body text)."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(url, timeout=timeout) as response:  # noqa: S310 - our loopback server
            return response.status, dict(response.headers), response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode("utf-8", "replace")
    except (urllib.error.URLError, ConnectionError, TimeoutError) as error:
        return 0, {}, str(error)


class PrivatePostgres:
    """``initdb`` + ``pg_ctl`` in a temporary folder, trust auth, one loopback port."""

    def __init__(self, bindir: Path, folder: Path, as_user: list[str]):
        self.bindir, self.folder, self.as_user = bindir, folder, as_user
        self.port = free_port()
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/postgres"

    @classmethod
    def create_or_skip(cls) -> "PrivatePostgres":
        found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[4]))
        if not found:
            pytest.skip("PostgreSQL server binaries (initdb, pg_ctl) are not installed: apt-get install postgresql")
        as_user = []
        folder = Path(tempfile.mkdtemp(prefix="fault-pg-", dir="/tmp"))
        if os.geteuid() == 0:  # initdb refuses root: the cluster belongs to the postgres user
            try:
                shutil.chown(folder, user="postgres")
            except (LookupError, PermissionError) as error:
                shutil.rmtree(folder, ignore_errors=True)
                pytest.skip(f"running as root and cannot hand a folder to the postgres user ({error})")
            as_user = ["runuser", "-u", "postgres", "--"]
        cluster = cls(Path(found[-1]).parent, folder, as_user)
        done = cluster._ctl("initdb", "-D", str(folder / "data"), "-U", "postgres", "--auth=trust", "--no-sync")
        if done.returncode != 0:
            shutil.rmtree(folder, ignore_errors=True)
            pytest.skip(f"initdb failed here, cannot run a private PostgreSQL: {done.stderr[-500:]}")
        cluster.start()
        return cluster

    def _ctl(self, program: str, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [*self.as_user, str(self.bindir / program), *args], capture_output=True, text=True, timeout=120
        )

    def start(self) -> None:
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        done = self._ctl("pg_ctl", "-D", str(self.folder / "data"), "-o", options, "-l", str(self.folder / "log"),
                         "-w", "-t", "60", "start")  # fmt: skip
        assert done.returncode == 0, done.stdout + done.stderr + (self.folder / "log").read_text()[-2000:]

    def stop(self) -> None:
        done = self._ctl("pg_ctl", "-D", str(self.folder / "data"), "-m", "fast", "-w", "-t", "60", "stop")
        assert done.returncode == 0, done.stdout + done.stderr

    def destroy(self) -> None:
        with contextlib.suppress(Exception):
            self._ctl("pg_ctl", "-D", str(self.folder / "data"), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.folder, ignore_errors=True)


class PrivateRedis:
    """A ``redis-server`` without persistence on one loopback port; stop and start again."""

    def __init__(self, binary: str):
        self.binary = binary
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None

    @classmethod
    def start_or_skip(cls) -> "PrivateRedis":
        binary = shutil.which("redis-server")
        if not binary:
            pytest.skip("redis-server is not installed: apt-get install redis-server")
        server = cls(binary)
        server.start()
        return server

    def client(self):
        import redis

        return redis.Redis.from_url(self.url, socket_connect_timeout=1)

    def start(self) -> None:
        args = [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        self.process = subprocess.Popen(args, stdout=subprocess.DEVNULL, start_new_session=True)

        def answers():
            with contextlib.suppress(Exception):
                return self.client().ping()
            return False

        wait_until(answers, 30, f"redis-server on port {self.port}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(15)
        self.process = None

    def destroy(self) -> None:
        with contextlib.suppress(Exception):
            self.stop()


def children(pid: int) -> list[int]:
    """The direct children of ``pid`` (a gunicorn master's workers)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, ValueError, IndexError):
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    found.append(int(entry.name))
    return sorted(found)
