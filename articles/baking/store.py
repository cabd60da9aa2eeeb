"""Where baked pages live on disk, and how they are written.

Layout, one tree per host so that one nginx ``server`` serves every site
(``root <BAKE_ROOT>/$host/current``)::

    <root>/<host>/current -> g-<ns>          symlink, swapped atomically
    <root>/<host>/g-<ns>/index.html           the front page
    <root>/<host>/g-<ns>/2025/03/14/slug/index.html        an article (200)
    <root>/<host>/g-<ns>/2025/03/14/gone/index.410.html    a withdrawn article (410 body)
    <root>/<host>/g-<ns>/archive/2025/03/index.html        a date archive
    <root>/<host>/g-<ns>/feeds/rss/index.rss, feeds/atom/index.atom
    <root>/<host>/due/g-<ns>/<minute>/<sha1>   paths to bake again at that minute

Every file is written to a temporary file in its own directory and moved into place with
``os.replace`` (atomic on POSIX), so a reader sees the old or the new document, never half
of one. A file whose bytes did not change is not rewritten: its mtime and inode stay, so
nginx's ``ETag``/``Last-Modified`` (made from them) stay too.

A *generation* is one ``g-<ns>`` tree. A change that touches every page of a site (its
settings, the commenting notice) starts an empty generation and points ``current`` at it
with one atomic rename: no stale page can be served after that, and pages not baked yet fall
through to Django. Old generations are deleted later (``bake_archive --due``), not in the
request that made the change.
"""

import hashlib
import os
import re
import shutil
import tempfile
import time
from pathlib import Path

CURRENT = "current"
GONE_SUFFIX = ".410"
# File name of a baked page by Content-Type (nginx's mime.types maps the extension back).
EXTENSIONS = {"text/html": "html", "application/rss+xml": "rss", "application/atom+xml": "atom"}
_HOST = re.compile(r"^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$")


def host_dir(root: Path, domain: str) -> Path | None:
    """The tree of ``domain`` (its port left out, as nginx's ``$host``), or None for a
    domain that cannot be a directory name."""
    host = domain.lower().split(":")[0] if not domain.startswith("[") else ""
    if not _HOST.match(host) or ".." in host:
        return None
    return root / host


def current_generation(site_dir: Path, *, create: bool = True) -> Path | None:
    """The generation ``current`` points at (made on first use when ``create``)."""
    link = site_dir / CURRENT
    try:
        return site_dir / os.readlink(link)
    except FileNotFoundError:
        return new_generation(site_dir) if create else None


def new_generation(site_dir: Path) -> Path:
    """Start an empty generation and make it current (atomically: a new symlink renamed
    over the old one)."""
    site_dir.mkdir(parents=True, exist_ok=True)
    while True:
        name = f"g-{time.time_ns()}"
        try:
            (site_dir / name).mkdir()
            break
        except FileExistsError:  # two swaps in the same nanosecond: take the next one
            continue
    temp = site_dir / f".{CURRENT}-{name}"
    os.symlink(name, temp)
    os.replace(temp, site_dir / CURRENT)
    return site_dir / name


def old_generations(site_dir: Path, *, older_than: float) -> list[Path]:
    """Generations that are not current and were replaced more than ``older_than`` seconds
    ago (the name is the time it was made; it was replaced at or after the next one's)."""
    current = current_generation(site_dir, create=False)
    names = sorted((p for p in site_dir.glob("g-*") if p.is_dir()), key=lambda p: int(p.name[2:]))
    cutoff = time.time_ns() - older_than * 1e9
    old = []
    for older, newer in zip(names, names[1:], strict=False):
        if older != current and int(newer.name[2:]) < cutoff:
            old.append(older)
    return old


def remove_tree(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)


# --- Files of one page -----------------------------------------------------------------


def page_file(generation: Path, url_path: str, content_type: str, *, gone: bool = False) -> Path:
    """Where the page at ``url_path`` (``/…/``) is stored in ``generation``."""
    extension = EXTENSIONS[content_type.split(";")[0].strip()]
    folder = generation.joinpath(*[part for part in url_path.split("/") if part])
    return folder / f"index{GONE_SUFFIX if gone else ''}.{extension}"


def page_files(generation: Path, url_path: str) -> list[Path]:
    """Every file the page at ``url_path`` may have (200 or 410, any type)."""
    folder = generation.joinpath(*[part for part in url_path.split("/") if part])
    return [folder / f"index{suffix}.{ext}" for ext in EXTENSIONS.values() for suffix in ("", GONE_SUFFIX)]


def _temp_copy(target: Path, data: bytes) -> str:
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(dir=target.parent, prefix=".bake-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(data)
        os.chmod(temp, 0o644)  # mkstemp makes 0600; nginx runs as another user
    except BaseException:
        os.unlink(temp)
        raise
    return temp


def write_atomic(target: Path, data: bytes) -> bool:
    """Put ``data`` at ``target`` atomically; False (and nothing touched) when it is there."""
    try:
        if target.stat().st_size == len(data) and target.read_bytes() == data:
            return False
    except FileNotFoundError:
        pass
    os.replace(_temp_copy(target, data), target)
    return True


def write_if_absent(target: Path, data: bytes) -> bool:
    """Put ``data`` at ``target`` only if no file is there (``link`` refuses to replace),
    so a page baked on a cache miss never overwrites one baked after a change."""
    temp = _temp_copy(target, data)
    try:
        os.link(temp, target)
        return True
    except FileExistsError:
        return False
    finally:
        os.unlink(temp)


def remove(paths) -> int:
    removed = 0
    for path in paths:
        try:
            path.unlink()
            removed += 1
        except FileNotFoundError:
            pass
    return removed


# --- Pages to bake again later -----------------------------------------------------------

DUE = "due"
SLOT_SECONDS = 60


def schedule(site_dir: Path, generation: Path, url_path: str, at: float) -> None:
    """Note that ``url_path`` must be baked again at ``at`` (a Unix time)."""
    slot = site_dir / DUE / generation.name / str(int(at // SLOT_SECONDS) * SLOT_SECONDS)
    slot.mkdir(parents=True, exist_ok=True)
    name = hashlib.sha1(url_path.encode(), usedforsecurity=False).hexdigest()
    (slot / name).write_text(url_path, encoding="utf-8")


def take_due(site_dir: Path, generation: Path, now: float) -> list[str]:
    """Remove and return the paths noted for ``generation`` up to ``now``."""
    folder = site_dir / DUE / generation.name
    paths = set()
    if not folder.is_dir():
        return []
    for slot in folder.iterdir():
        if slot.name.isdigit() and int(slot.name) <= now:
            paths.update(note.read_text(encoding="utf-8") for note in slot.iterdir())
            remove_tree(slot)
    return sorted(paths)


def drop_schedules(site_dir: Path, keep: Path | None) -> None:
    """Forget the schedules of generations other than ``keep``."""
    folder = site_dir / DUE
    if folder.is_dir():
        for generation in folder.iterdir():
            if keep is None or generation.name != keep.name:
                remove_tree(generation)
