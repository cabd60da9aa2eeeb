""" "DB unchanged", as RELIABILITY.md defines it: per-table row counts and a sha256 of the
serialized rows are equal before and after.

Usage::

    from tests.reliability.dbstate import db_unchanged, snapshot

    with db_unchanged():                 # AssertionError naming the tables that changed
        client.post("/api/v1/articles/", ...)

    before = snapshot()
    ...
    assert snapshot() == before

A snapshot covers every installed model's table, including auto-created many-to-many tables,
read with the default connection (so it sees what the request under test committed, or what
it left in the test's transaction). Rows are read ordered by primary key, every concrete
column in field order, and serialized as JSON (``default=str`` for dates, decimals, files and
UUIDs), so any change to any column of any row changes the hash.

Tables whose change is not "data" are left out by default: ``django_session`` (a login or a
CSRF-protected form may write one). Pass ``exclude=()`` to include them, or more labels
(``"app_label.model_name"``) to leave other tables out.
"""

from __future__ import annotations

import hashlib
import json
from contextlib import contextmanager
from dataclasses import dataclass

from django.apps import apps

DEFAULT_EXCLUDE = frozenset({"sessions.session"})


@dataclass(frozen=True)
class TableState:
    rows: int
    sha256: str


def table_state(model) -> TableState:
    """Row count and sha256 of one model's rows (ordered by primary key)."""
    columns = [field.attname for field in model._meta.concrete_fields]
    digest = hashlib.sha256()
    count = 0
    for row in model._base_manager.order_by("pk").values_list(*columns).iterator(chunk_size=2000):
        digest.update(json.dumps(row, default=str, ensure_ascii=False).encode("utf-8", "surrogatepass"))
        digest.update(b"\n")
        count += 1
    return TableState(count, digest.hexdigest())


def snapshot(exclude=DEFAULT_EXCLUDE) -> dict[str, TableState]:
    """``{"app_label.model_name": TableState}`` for every table with a model."""
    state = {}
    for model in apps.get_models(include_auto_created=True):
        label = model._meta.label_lower
        if label in exclude or model._meta.proxy or not model._meta.managed:
            continue
        state[label] = table_state(model)
    return state


def diff(before: dict[str, TableState], after: dict[str, TableState]) -> list[str]:
    """Human-readable differences: ``"articles.article: rows 3 → 4"`` or ``"… rows changed"``."""
    changes = []
    for label in sorted(set(before) | set(after)):
        old, new = before.get(label), after.get(label)
        if old == new:
            continue
        if old is None or new is None or old.rows != new.rows:
            changes.append(f"{label}: rows {old.rows if old else '-'} → {new.rows if new else '-'}")
        else:
            changes.append(f"{label}: same {old.rows} rows, content changed")
    return changes


@contextmanager
def db_unchanged(exclude=DEFAULT_EXCLUDE):
    """Assert that the block leaves every table as it found it."""
    before = snapshot(exclude)
    yield before
    changes = diff(before, snapshot(exclude))
    assert not changes, "the database changed: " + "; ".join(changes)
