"""Highlighted snippets of the words searched for: ts_headline on PostgreSQL, cut around the first
match on SQLite; escaped, then marked."""

from __future__ import annotations

import re

from django.contrib.postgres.search import SearchHeadline, SearchQuery
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from assets.models import Asset
from assets.search.index import CONFIG
from assets.search.matching import search_words

START, STOP = "\x02", "\x03"  # markers ts_headline puts around matches, turned into <mark> after escaping


def snippets_pg(page_ids: list[int], q: str) -> dict[int, SafeString]:
    query = SearchQuery(q, search_type="websearch", config=CONFIG)
    rows = (
        Asset.objects.filter(pk__in=page_ids)
        .annotate(
            headline=SearchHeadline(
                "search_document",
                query,
                config=CONFIG,
                start_sel=START,
                stop_sel=STOP,
                max_words=30,
                min_words=12,
                max_fragments=2,
                fragment_delimiter=" … ",
            )
        )
        .values_list("pk", "headline")
    )
    return {pk: _marked(text) for pk, text in rows if START in (text or "")}


def _marked(text: str) -> SafeString:
    return mark_safe(escape(text).replace(START, "<mark>").replace(STOP, "</mark>"))


def snippet_text(document: str, q: str, width: int = 110) -> SafeString | None:
    words = search_words(q)
    lower = document.lower()
    hits = [lower.find(w) for w in words if w in lower]
    if not hits:
        return None
    start = max(0, min(hits) - width)
    text = document[start : min(hits) + width * 2]
    pattern = re.compile("|".join(re.escape(w) for w in words), re.IGNORECASE)
    marked = pattern.sub(lambda m: f"{START}{m.group(0)}{STOP}", text)
    return _marked(("… " if start else "") + marked.replace("\n", " ") + " …")
