"""Keyset ("cursor") pagination, stable under inserts.

A page ends at a row; the next page starts strictly after that row's sort key and id, so
articles published meanwhile neither repeat nor shift a page. Cursors are opaque tokens
(base64 JSON) tied to one ordering; page size is bounded.
"""

import base64
import binascii
import json
from dataclasses import dataclass

from django.db.models import F, Q
from django.utils.dateparse import parse_datetime
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import BasePagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

BAD_CURSOR = "The cursor is not valid for this list; start again from the first page."
BAD_PAGE_SIZE = "page_size must be a whole number from 1 to {max}."
BAD_ORDERING = "ordering must be one of: {choices}."


@dataclass(frozen=True)
class Ordering:
    field: str
    descending: bool
    nullable: bool = False
    kind: str = "dt"  # the sort key's type in cursors: "dt" datetime, "s" text, "i" integer

    def order_by(self):
        key = F(self.field).desc(nulls_last=True) if self.descending else F(self.field).asc(nulls_last=True)
        return (key, "-pk" if self.descending else "pk")

    def after(self, value, pk: int) -> Q:
        """Rows strictly after (value, pk) in this order; NULLs sort last."""
        before = "lt" if self.descending else "gt"
        if value is None:
            return Q(**{f"{self.field}__isnull": True, f"pk__{before}": pk})
        condition = Q(**{f"{self.field}__{before}": value}) | Q(**{self.field: value, f"pk__{before}": pk})
        if self.nullable:
            condition |= Q(**{f"{self.field}__isnull": True})
            return condition
        # The same rows, with a plain bound the database can start an index scan at (an OR
        # alone is a filter: a page 10,000 rows deep would read the 10,000 rows before it).
        return Q(**{f"{self.field}__{before}e": value}) & condition


class KeysetPagination(BasePagination):
    """Forward-only cursor pagination. The orderings (name → Ordering) and the default one
    come from the view (``orderings``, ``get_default_ordering()``) or, for a list served by
    an extra action, are given to the paginator; clients choose with ``?ordering=``."""

    page_size = 20
    max_page_size = 100
    cursor_query_param = "cursor"
    page_size_query_param = "page_size"

    def _page_size(self, request) -> int:
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        if not raw.isascii() or not raw.isdigit() or not 1 <= int(raw) <= self.max_page_size:
            raise ValidationError({self.page_size_query_param: BAD_PAGE_SIZE.format(max=self.max_page_size)})
        return int(raw)

    def __init__(self, *, orderings: dict[str, Ordering] | None = None, default: str | None = None):
        self.orderings = orderings
        self.default = default or (next(iter(orderings)) if orderings else None)

    def _ordering(self, request, view) -> tuple[str, Ordering]:
        orderings = self.orderings or view.orderings
        name = request.query_params.get("ordering") or self.default or view.get_default_ordering()
        if name not in orderings:
            raise ValidationError({"ordering": BAD_ORDERING.format(choices=", ".join(orderings))})
        return name, orderings[name]

    def _decode(self, token: str, name: str, ordering: Ordering):
        """Read a cursor; anything malformed, of another ordering or of the wrong type is
        refused with BAD_CURSOR (400), never passed to the database."""
        bad = ValidationError({self.cursor_query_param: BAD_CURSOR})
        try:
            padded = token + "=" * (-len(token) % 4)
            cursor_name, kind, value, pk = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
        except (ValueError, TypeError, binascii.Error, UnicodeError):
            raise bad from None
        valid_pk = isinstance(pk, int) and not isinstance(pk, bool) and 0 < pk < 2**63
        if cursor_name != name or not valid_pk:
            raise bad
        if kind == "n" and value is None and ordering.nullable:
            return None, pk
        if kind != ordering.kind:
            raise bad
        if kind == "dt":
            try:
                value = parse_datetime(value) if isinstance(value, str) else None
            except ValueError:
                value = None
            if value is None or value.tzinfo is None:
                raise bad
        elif kind == "i":
            if not (isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**63):
                raise bad
        elif not isinstance(value, str) or "\x00" in value or len(value) > 1000:
            raise bad
        return value, pk

    @staticmethod
    def _encode(name: str, ordering: Ordering, value, pk: int) -> str:
        if value is None:
            kind = "n"
        elif ordering.kind == "dt":
            kind, value = "dt", value.isoformat()
        elif ordering.kind == "i":
            kind, value = "i", int(value)
        else:
            kind, value = "s", str(value)
        raw = json.dumps([name, kind, value, pk], separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")

    def paginate_queryset(self, queryset, request, view=None):
        size = self._page_size(request)
        name, ordering = self._ordering(request, view)
        token = request.query_params.get(self.cursor_query_param)
        if token:
            value, pk = self._decode(token, name, ordering)
            queryset = queryset.filter(ordering.after(value, pk))
        rows = list(queryset.order_by(*ordering.order_by())[: size + 1])
        self.request = request
        self.next_token = None
        if len(rows) > size:
            rows = rows[:size]
            last = rows[-1]
            self.next_token = self._encode(name, ordering, getattr(last, ordering.field), last.pk)
        return rows

    def get_next_link(self):
        if self.next_token is None:
            return None
        url = self.request.build_absolute_uri()
        return replace_query_param(url, self.cursor_query_param, self.next_token)

    def get_first_link(self):
        return remove_query_param(self.request.build_absolute_uri(), self.cursor_query_param)

    def get_paginated_response(self, data):
        return Response({"next": self.get_next_link(), "results": data})

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["next", "results"],
            "properties": {
                "next": {
                    "type": "string",
                    "nullable": True,
                    "format": "uri",
                    "description": "The next page, or null on the last page.",
                },
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": "Opaque cursor from a previous page's `next` link.",
                "schema": {"type": "string"},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": f"Items per page, 1 to {self.max_page_size} (default {self.page_size}).",
                "schema": {"type": "integer", "minimum": 1, "maximum": self.max_page_size},
            },
            {
                "name": "ordering",
                "required": False,
                "in": "query",
                "description": "Sort order of the list.",
                "schema": {"type": "string", "enum": list(view.orderings)},
            },
        ]
