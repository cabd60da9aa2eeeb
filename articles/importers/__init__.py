"""Importers: text captures, saved HTML pages, ninjs, web archives and JSON Lines backups.

``sources.iter_items(paths)`` reads files into items; ``run_item`` imports one item in its
own transaction and says what happened. The ``import_articles`` command and any other
door (an upload endpoint) use the same two, so they report and behave alike.
"""

import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from django.contrib.sites.models import Site
from django.core.exceptions import ValidationError

from .backup import Restorer
from .base import ImportRejected, NotAnArticle
from .sources import Item, iter_items
from .writer import import_article

SKIPPED, FAILED = "skipped", "failed"
STATUSES = ("created", "updated", "unchanged", SKIPPED, FAILED)


@dataclass
class Result:
    """What importing one item did: ``status`` is one of ``STATUSES``."""

    label: str
    status: str
    article: object = None
    reason: str = ""
    warnings: list[str] = field(default_factory=list)


def run_item(item: Item, *, site: Site | None, publish: bool = False, user=None, restorer: Restorer) -> Result:
    """Import one item in one transaction; never raises for bad input (the result says
    "failed" or "skipped" and why). ``site`` None: a backup record keeps its own site, any
    other item goes to the default site."""
    try:
        loaded = item.load()
        if item.kind == "backup":
            outcome = restorer.restore(loaded)
        else:
            outcome = import_article(loaded, site=site or default_site(), publish=publish, user=user, label=item.label)
    except NotAnArticle as error:
        return Result(item.label, SKIPPED, reason=str(error))
    except ImportRejected as error:
        return Result(item.label, FAILED, reason=str(error))
    except ValidationError as error:
        return Result(item.label, FAILED, reason="refused: " + " ".join(error.messages))
    except Exception as error:  # noqa: BLE001 - one bad item must not stop the others
        return Result(item.label, FAILED, reason=f"unexpected error: {type(error).__name__}: {error}")
    return Result(item.label, outcome.action, article=outcome.article, warnings=outcome.warnings)


def default_site() -> Site:
    from django.conf import settings

    return Site.objects.get(pk=settings.NEWSROOM["DEFAULT_SITE_ID"])


def import_upload(name: str, content: bytes, *, site: Site | None = None, publish: bool = False, user=None):
    """Import one uploaded file (its name decides the format) and return its results, for
    an upload endpoint. The file is written to a temporary folder first, since web archives
    are read by offset."""
    safe_name = Path(name or "upload").name or "upload"
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / safe_name
        path.write_bytes(content)
        restorer = Restorer(site=site)
        return [run_item(item, site=site, publish=publish, user=user, restorer=restorer) for item in iter_items([path])]
