"""Catalogue search with one interface on both databases.

PostgreSQL: a stored, GIN-indexed tsvector (title A; summary, kind, roles, stages and tags B; how to
use it C; the file's text D), ranked with ts_rank, plus trigram word similarity on the title so a
typo ("calculater") still finds the asset, and highlighted snippets from ts_headline. Both conditions
are written with operators their GIN indexes serve (`@@`, and `<%` at TYPO_SIMILARITY set for the
query's transaction), so a search reads the matching rows only, never the whole catalogue. The
matching ids, in result order, are fetched once and reused for the count, each facet and the page.
SQLite: every word must appear somewhere in the asset's text (case-insensitive); snippets are cut
around the first match. Facet counts, filters, sorting and pagination are the same on both.
"""

from assets.search.index import CONFIG, asset_search_refresh, is_postgres
from assets.search.matching import SORTS, TYPO_SIMILARITY, LiftRanking, SearchParams, assets_matching
from assets.search.results import HEAVY_FIELDS, PAGE_SIZE, Facet, SearchResult, asset_search

__all__ = [
    "CONFIG",
    "HEAVY_FIELDS",
    "PAGE_SIZE",
    "SORTS",
    "TYPO_SIMILARITY",
    "Facet",
    "LiftRanking",
    "SearchParams",
    "SearchResult",
    "asset_search",
    "asset_search_refresh",
    "assets_matching",
    "is_postgres",
]
