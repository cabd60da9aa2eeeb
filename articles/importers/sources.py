"""Turn the paths given to ``import_articles`` into items to import, by file type.

=====================  ================================================================
``.txt``               a text capture (one article)
``.html``, ``.htm``    a saved article page (one article)
``.json``              a ninjs object, or a JSON array of them
``.jsonl``, ``.ndjson`` a backup from ``export_articles --format jsonl`` (its first line
                       says so), or one ninjs object a line; ``.gz`` compressed too
``.warc``, ``.warc.gz`` a web archive: every response is an item
a directory            every file above inside it, recursively, in name order
=====================  ================================================================

Each item has a label for the report and a ``load()`` that reads it, raising
``ImportRejected`` (or ``NotAnArticle``) with the reason when it cannot. A file that cannot
be opened at all is one failed item; the others go on.
"""

import gzip
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from .base import ImportRejected
from .html_page import parse_html_page
from .ninjs import is_ninjs, parse_ninjs
from .text_capture import parse_text_capture
from .warc import index_archive, parse_entry

MAX_FILE_BYTES = 20 * 1024 * 1024  # a single page, capture or ninjs file
KNOWN_SUFFIXES = (".txt", ".html", ".htm", ".json", ".jsonl", ".ndjson", ".jsonl.gz", ".ndjson.gz", ".warc", ".warc.gz")


@dataclass
class Item:
    label: str
    load: Callable[[], object]
    kind: str = "article"  # "article": an ImportedArticle; "backup": a backup record (dict)


def _suffix(path: Path) -> str:
    name = path.name.lower()
    return next((s for s in sorted(KNOWN_SUFFIXES, key=len, reverse=True) if name.endswith(s)), path.suffix.lower())


def _read(path: Path) -> bytes:
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise ImportRejected(f"the file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB")
    return path.read_bytes()


def _text(path: Path) -> str:
    try:
        return _read(path).decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportRejected(f"not UTF-8 text ({error.reason} at byte {error.start})") from error


def _failing(label: str, error: Exception) -> Item:
    def load():
        raise error

    return Item(label=label, load=load)


def expand(paths) -> list[Path]:
    """The files to read: the paths given, and the known files inside given directories."""
    files = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*") if p.is_file() and _suffix(p) in KNOWN_SUFFIXES))
        else:
            files.append(path)
    return files


def count_items(files: list[Path]) -> int | None:
    """How many items the files hold, when that is cheap to know (None otherwise)."""
    total = 0
    for path in files:
        suffix = _suffix(path)
        if suffix in {".warc", ".warc.gz", ".json"}:
            return None
        if suffix in {".jsonl", ".ndjson", ".jsonl.gz", ".ndjson.gz"}:
            try:
                with _open_lines(path) as stream:
                    lines = sum(1 for line in stream if line.strip())
                    total += max(0, lines - 1) if _is_backup(path) else lines
            except (OSError, EOFError, gzip.BadGzipFile, UnicodeDecodeError):
                total += 1
        else:
            total += 1
    return total


def _open_lines(path: Path):
    if path.name.lower().endswith(".gz"):
        return gzip.open(path, "rt", encoding="utf-8")
    return open(path, encoding="utf-8")  # noqa: SIM115 - closed by the caller's with


def _is_backup(path: Path) -> bool:
    with _open_lines(path) as stream:
        first = stream.readline()
    try:
        data = json.loads(first)
    except ValueError:
        return False
    return isinstance(data, dict) and data.get("type") == "header" and data.get("format") == "newsroom-backup"


def iter_items(paths) -> Iterator[Item]:
    """Yield the items of every path, in order."""
    for path in expand(paths):
        label = str(path)
        if not path.exists():
            yield _failing(label, ImportRejected("no such file"))
            continue
        suffix = _suffix(path)
        if suffix == ".txt":
            yield Item(label=label, load=lambda p=path: parse_text_capture(_text(p), name=p.name))
        elif suffix in {".html", ".htm"}:
            yield Item(label=label, load=lambda p=path: parse_html_page(_read(p)))
        elif suffix == ".json":
            yield from _json_items(path)
        elif suffix in {".jsonl", ".ndjson", ".jsonl.gz", ".ndjson.gz"}:
            yield from _line_items(path)
        elif suffix in {".warc", ".warc.gz"}:
            yield from _warc_items(path)
        else:
            yield _failing(label, ImportRejected(f"unknown file type “{path.suffix or path.name}”"))


def _ninjs_item(label: str, data) -> Item:
    def load():
        if not is_ninjs(data):
            raise ImportRejected("not a ninjs news object (no uri, headline or body)")
        return parse_ninjs(data)

    return Item(label=label, load=load)


def _json_items(path: Path) -> Iterator[Item]:
    try:
        data = json.loads(_text(path))
    except ImportRejected as error:
        yield _failing(str(path), error)
        return
    except ValueError as error:
        yield _failing(str(path), ImportRejected(f"not valid JSON ({error})"))
        return
    if isinstance(data, list):
        for number, entry in enumerate(data, start=1):
            yield _ninjs_item(f"{path}[{number}]", entry)
    else:
        yield _ninjs_item(str(path), data)


def _line_items(path: Path) -> Iterator[Item]:
    backup = None
    try:
        with _open_lines(path) as stream:
            for number, line in enumerate(stream, start=1):
                if not line.strip():
                    continue
                label = f"{path}:{number}"
                try:
                    data = json.loads(line)
                except ValueError as error:
                    yield _failing(label, ImportRejected(f"not valid JSON ({error})"))
                    continue
                if backup is None:
                    backup = isinstance(data, dict) and data.get("format") == "newsroom-backup"
                    if backup:
                        if data.get("version") not in {1}:
                            yield _failing(label, ImportRejected(f"unknown backup version {data.get('version')!r}"))
                            return
                        continue
                if backup:
                    yield Item(label=label, load=lambda d=data: d, kind="backup")
                else:
                    yield _ninjs_item(label, data)
    except (OSError, EOFError, gzip.BadGzipFile, UnicodeDecodeError) as error:
        yield _failing(str(path), ImportRejected(f"cannot read the file: {error}"))


def _warc_items(path: Path) -> Iterator[Item]:
    try:
        entries, images, error = index_archive(path)
    except OSError as failure:
        yield _failing(str(path), ImportRejected(f"cannot read the archive: {failure}"))
        return
    for number, entry in enumerate(entries, start=1):
        yield Item(label=f"{path}#{number} {entry.uri}", load=lambda e=entry: parse_entry(path, e, images))
    if error:
        yield _failing(f"{path} (rest of the archive)", ImportRejected(error))
