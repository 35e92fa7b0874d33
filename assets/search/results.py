"""A search's results: the page, the total, the facets and the snippets."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser
from django.core.paginator import Page, Paginator
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils.safestring import SafeString

from assets.models import Asset, SearchLog
from assets.search.facets import Facet, facet_counts, facets_of_keys, facets_of_rows
from assets.search.index import is_postgres
from assets.search.matching import (
    SORTS,
    LiftRanking,
    SearchParams,
    filtered,
    in_order,
    matching,
    typo_threshold,
)
from assets.search.snippets import snippet_text, snippets_pg
from assets.selectors import assets_visible_to

PAGE_SIZE = 20
# What a list of assets never loads: the search text and vector, and the file's text.
HEAVY_FIELDS = ("search_document", "search_vector", "current_version__text")


@dataclass
class SearchResult:
    page: Page
    total: int
    facets: list[Facet]
    snippets: dict[int, SafeString] = field(default_factory=dict)
    sort: str = ""


def _listed(qs: QuerySet[Asset]) -> QuerySet[Asset]:
    return qs.prefetch_related("buyer_roles", "stages").select_related("current_version__rendition")


def _page_pg(ids: list[int], number: int, sort: str) -> tuple[Page, Paginator]:
    """The page of `ids` (every match, in result order): its assets in that order, one query."""
    paginator = Paginator(ids, PAGE_SIZE)
    page = paginator.get_page(number)
    rows = _listed(Asset.objects.filter(pk__in=list(page.object_list)).defer(*HEAVY_FIELDS))
    if sort == "used":
        rows = rows.annotate(uses=F("use_count"))
    by_pk = {a.pk: a for a in rows}
    page.object_list = [by_pk[pk] for pk in page.object_list if pk in by_pk]
    return page, paginator


def _search_pg(qs: QuerySet[Asset], q: str, params: SearchParams, sort: str, lift: LiftRanking | None):
    with transaction.atomic():
        typo_threshold()
        ordered = in_order(matching(qs, q), sort, True, params.stage, lift)
        rows = list(ordered.values_list("pk", "kind", "facet_keys"))
    page, paginator = _page_pg([pk for pk, _, _ in rows], params.page, sort)
    # The facets are counted from the matching rows themselves: the matches are not searched again.
    facets = facets_of_rows([(kind, keys) for _, kind, keys in rows])
    snippets = snippets_pg([a.pk for a in page.object_list], q) if page.object_list else {}
    return page, paginator, facets, snippets


def asset_search(
    *, user: AbstractBaseUser, params: SearchParams, log: bool = True, lift: LiftRanking | None = None
) -> SearchResult:
    """Search the assets this user may see; logs the search. `lift` ranks the "Higher conversion" sort."""
    q = params.q.strip()[:200]
    qs = filtered(assets_visible_to(user), params)
    sort = params.sort if params.sort in SORTS else ""
    snippets: dict[int, SafeString] = {}
    if q and is_postgres():
        page, paginator, facets, snippets = _search_pg(qs, q, params, sort, lift)
    else:
        if q:
            qs = matching(qs, q)
        listed = _listed(in_order(qs, sort, bool(q), params.stage, lift)).defer(*HEAVY_FIELDS)
        paginator = Paginator(listed, PAGE_SIZE)
        page = paginator.get_page(params.page)
        facets = facets_of_keys(qs) if is_postgres() else facet_counts(qs.order_by().values("pk"))
        if q and page.object_list:
            documents = Asset.objects.filter(pk__in=[a.pk for a in page.object_list])
            for pk, document in documents.values_list("pk", "search_document"):
                if snippet := snippet_text(document, q):
                    snippets[pk] = snippet
    if log:
        SearchLog.objects.create(
            user=user if user.is_authenticated else None,
            query=q,
            filters=params.filters,
            result_count=paginator.count,
        )
    return SearchResult(page=page, total=paginator.count, facets=facets, snippets=snippets, sort=sort)
