"""A search's results: the page, the total, the facets and the snippets."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser
from django.core.paginator import Page, Paginator
from django.db import transaction
from django.db.models import Count, F, QuerySet
from django.utils.safestring import SafeString

from assets.choices import AssetKind
from assets.models import Asset, BuyerRole, FunnelStage, Industry, Product, SearchLog
from assets.search.index import is_postgres
from assets.search.matching import (
    SORTS,
    LiftRanking,
    SearchParams,
    filtered,
    ids_param,
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
class Facet:
    name: str
    label: str
    options: list[tuple[str, str, int]]  # (value, label, count)


@dataclass
class SearchResult:
    page: Page
    total: int
    facets: list[Facet]
    snippets: dict[int, SafeString] = field(default_factory=dict)
    sort: str = ""


def facet_counts(ids) -> list[Facet]:
    """Facet counts over the assets whose ids `ids` gives: a subquery, or an expression listing them."""

    def counted(model, relation: str) -> list[tuple[str, str, int]]:
        # Filtered before it is annotated, so the count runs over the matching assets' links only.
        rows = (
            model.objects.filter(**{f"{relation}__in": ids})
            .annotate(n=Count(relation))
            .order_by(*model._meta.ordering)  # a grouped query ignores Meta.ordering
            .values_list("slug", "name", "n")
        )
        return list(rows)

    kinds = dict(AssetKind.choices)
    kind_counts = Asset.objects.filter(pk__in=ids).order_by().values_list("kind").annotate(n=Count("pk"))
    return [
        Facet("buyer_role", "Buyer role", counted(BuyerRole, "assets")),
        Facet("stage", "Funnel stage", counted(FunnelStage, "assets")),
        Facet("kind", "Asset type", sorted((k, kinds.get(k, k), n) for k, n in kind_counts)),
        Facet("industry", "Industry", counted(Industry, "tagged_assets__content_object")),
        Facet("product", "Product", counted(Product, "tagged_assets__content_object")),
    ]


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
        ids = list(ordered.values_list("pk", flat=True))
    page, paginator = _page_pg(ids, params.page, sort)
    # One array parameter for every facet: the matches are not searched again.
    facets = facet_counts(ids_param(ids))
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
        facets = facet_counts(qs.order_by().values("pk"))
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
