"""Article search for `q=`: PostgreSQL full-text search on its GIN index, a plain
substring match elsewhere (SQLite, for development)."""

import re

from django.conf import settings
from django.db import connection
from django.db.models import Q, QuerySet

MAX_TERMS = 12


def websearch_text(query: str) -> str:
    """``query`` reduced to what ``websearch_to_tsquery`` reads (words, quotes, ``-`` and
    ``or``), at most ``MAX_TERMS`` words: PostgreSQL fails with "tsquery stack too small" on
    a run of 33 or more ``-`` operators, so runs collapse to one and bare operators go."""
    text = re.sub(r"-{2,}", "-", re.sub(r"[^\w\s\"-]", " ", query))
    return " ".join([token for token in text.split() if re.search(r"\w", token)][:MAX_TERMS])


def search_articles(queryset: QuerySet, query: str) -> QuerySet:
    """Filter ``queryset`` to articles matching ``query`` in headline, dek or body.

    On PostgreSQL the query is read like a web search box (quoted phrases, ``-word``,
    ``or``) and matched with stemming (``websearch_to_tsquery``); the vector expression is
    the one indexed by migration 0005. Elsewhere every word must appear somewhere. An empty
    ``query`` leaves ``queryset`` as it is; one with no word at all (``!!!``) matches nothing.
    """
    query = " ".join(query.split())
    if not query:
        return queryset
    if not websearch_text(query):  # only punctuation ("!!!"): nothing to match, so no results
        return queryset.none()
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchVector

        config = settings.NEWSROOM["SEARCH_CONFIG"]
        vector = SearchVector("headline", "dek", "body", config=config)
        query = websearch_text(query)
        search_query = SearchQuery(query, config=config, search_type="websearch")
        # alias(), not annotate(): the vector is only matched, never selected (computing it
        # for the rows of a page cost 2-3 ms each: docs/performance.md, "Profile findings").
        return queryset.alias(search=vector).filter(search=search_query)
    for term in query.split()[:MAX_TERMS]:
        queryset = queryset.filter(Q(headline__icontains=term) | Q(dek__icontains=term) | Q(body__icontains=term))
    return queryset


def search_sort_key(field: str):
    """``field`` plus nothing, as an expression: search results sorted by it cannot be read
    in order from a B-tree index, so the planner takes the matches from the GIN index and
    sorts them, instead of walking the whole newest-first index and recomputing
    to_tsvector() for each row (which it costs as nearly free). docs/performance.md."""
    from datetime import timedelta

    from django.db.models import DateTimeField, ExpressionWrapper, F, Value

    if connection.vendor != "postgresql":
        return F(field)
    return ExpressionWrapper(F(field) + Value(timedelta(0)), output_field=DateTimeField())
