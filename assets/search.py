"""Catalogue search with one interface on both databases.

PostgreSQL: a stored, GIN-indexed tsvector (title A; summary, kind, roles, stages and tags B; how to
use it C; the file's text D), ranked with ts_rank, plus trigram word similarity on the title so a
typo ("calculater") still finds the asset, and highlighted snippets from ts_headline.
SQLite: every word must appear somewhere in the asset's text (case-insensitive); snippets are cut
around the first match. Facet counts, filters, sorting and pagination are the same on both.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser
from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchRank,
    SearchVector,
    TrigramWordSimilarity,
)
from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import (
    Case,
    Count,
    F,
    IntegerField,
    Q,
    QuerySet,
    Subquery,
    TextField,
    Value,
    When,
)
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from assets.choices import AssetKind
from assets.models import Asset, BuyerRole, FunnelStage, Industry, Product, SearchLog
from assets.selectors import assets_visible_to

CONFIG = "english"
PAGE_SIZE = 20
TYPO_SIMILARITY = 0.45
SORTS = {"": "Best match", "newest": "Newest", "used": "Most used", "lift": "Higher conversion"}
# Given a stage slug ("" for any), an expression per asset to rank "Higher conversion" by.
LiftRanking = Callable[[str], Subquery]
START, STOP = "\x02", "\x03"  # markers ts_headline puts around matches, turned into <mark> after escaping


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


# --- keeping the index current --------------------------------------------------------------------


def asset_search_refresh(asset: Asset) -> None:
    """Rebuild the asset's search document (and vector on PostgreSQL) from its fields and file."""
    tags = " ".join(
        [asset.get_kind_display()]
        + [r.name for r in asset.buyer_roles.all()]
        + [s.name for s in asset.stages.all()]
        + [t.name for t in asset.industries.all()]
        + [t.name for t in asset.products.all()]
    )
    file_text = asset.current_version.text if asset.current_version_id else ""
    parts = {"A": asset.title, "B": f"{asset.summary} {tags}", "C": asset.guidance, "D": file_text}
    values: dict = {"search_document": "\n".join(p for p in parts.values() if p)}
    if is_postgres():
        vector = None
        for weight, text in parts.items():
            part = SearchVector(Value(text, output_field=TextField()), weight=weight, config=CONFIG)
            vector = part if vector is None else vector + part
        values["search_vector"] = vector
    Asset.objects.filter(pk=asset.pk).update(**values)


# --- searching ------------------------------------------------------------------------------------


@dataclass
class SearchParams:
    q: str = ""
    buyer_role: str = ""
    stage: str = ""
    kind: str = ""
    industry: str = ""
    product: str = ""
    sort: str = ""
    page: int = 1

    @property
    def filters(self) -> dict[str, str]:
        names = ["buyer_role", "stage", "kind", "industry", "product"]
        return {name: getattr(self, name) for name in names if getattr(self, name)}


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


def _filtered(qs: QuerySet[Asset], params: SearchParams) -> QuerySet[Asset]:
    # Filters on many-to-many relations go through pk subqueries, so no row is counted twice.
    related = {
        "buyer_role": Asset.objects.filter(buyer_roles__slug=params.buyer_role),
        "stage": Asset.objects.filter(stages__slug=params.stage),
        "industry": Asset.objects.filter(industries__slug=params.industry),
        "product": Asset.objects.filter(products__slug=params.product),
    }
    for name, subset in related.items():
        if getattr(params, name):
            qs = qs.filter(pk__in=subset.values("pk"))
    if params.kind:
        qs = qs.filter(kind=params.kind)
    return qs


def _words(q: str) -> list[str]:
    return [w for w in re.findall(r"\w+", q.lower()) if len(w) > 1][:12]


def _matching(qs: QuerySet[Asset], q: str) -> QuerySet[Asset]:
    if is_postgres():
        query = SearchQuery(q, search_type="websearch", config=CONFIG)
        return qs.annotate(
            rank=SearchRank(F("search_vector"), query),
            similarity=TrigramWordSimilarity(q, "title"),
        ).filter(Q(search_vector=query) | Q(similarity__gte=TYPO_SIMILARITY))
    for word in _words(q):
        qs = qs.filter(search_document__icontains=word)
    in_title = Q(*[Q(title__icontains=w) for w in _words(q)]) if _words(q) else Q(pk__in=[])
    return qs.annotate(rank=Case(When(in_title, then=1), default=0, output_field=IntegerField()))


def _ordered(
    qs: QuerySet[Asset], sort: str, searching: bool, stage: str = "", lift: LiftRanking | None = None
) -> QuerySet[Asset]:
    """Best match is relevance for a query and newest first without one. Higher conversion ranks by
    the expression `lift` gives for the chosen stage (the catalogue knows no analytics: the portal
    passes it); without one it falls back to newest first."""
    if sort == "lift" and lift is not None:
        return qs.annotate(higher_lift=lift(stage)).order_by(F("higher_lift").desc(nulls_last=True), "title")
    if sort == "used":
        return qs.annotate(uses=Count("usage_events")).order_by("-uses", "title")
    if sort == "newest" or not searching:
        return qs.order_by(F("published_at").desc(nulls_last=True), "title")
    if is_postgres():
        return qs.order_by("-rank", "-similarity", "title")
    return qs.order_by("-rank", "title")


def _facets(qs: QuerySet[Asset]) -> list[Facet]:
    ids = qs.values("pk")

    def counted(model, relation: str) -> list[tuple[str, str, int]]:
        rows = (
            model.objects.annotate(n=Count(relation, filter=Q(**{f"{relation}__in": ids}), distinct=True))
            .filter(n__gt=0)
            .values_list("slug", "name", "n")
        )
        return list(rows)

    kinds = dict(AssetKind.choices)
    kind_counts = qs.order_by().values_list("kind").annotate(n=Count("pk"))
    return [
        Facet("buyer_role", "Buyer role", counted(BuyerRole, "assets")),
        Facet("stage", "Funnel stage", counted(FunnelStage, "assets")),
        Facet("kind", "Asset type", sorted((k, kinds.get(k, k), n) for k, n in kind_counts)),
        Facet("industry", "Industry", counted(Industry, "tagged_assets__content_object")),
        Facet("product", "Product", counted(Product, "tagged_assets__content_object")),
    ]


def _snippets_pg(page_ids: list[int], q: str) -> dict[int, SafeString]:
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


def _snippet_text(document: str, q: str, width: int = 110) -> SafeString | None:
    words = _words(q)
    lower = document.lower()
    hits = [lower.find(w) for w in words if w in lower]
    if not hits:
        return None
    start = max(0, min(hits) - width)
    text = document[start : min(hits) + width * 2]
    pattern = re.compile("|".join(re.escape(w) for w in words), re.IGNORECASE)
    marked = pattern.sub(lambda m: f"{START}{m.group(0)}{STOP}", text)
    return _marked(("… " if start else "") + marked.replace("\n", " ") + " …")


def asset_search(
    *, user: AbstractBaseUser, params: SearchParams, log: bool = True, lift: LiftRanking | None = None
) -> SearchResult:
    """Search the assets this user may see; logs the search. `lift` ranks the "Higher conversion" sort."""
    q = params.q.strip()[:200]
    qs = _filtered(assets_visible_to(user), params)
    if q:
        qs = _matching(qs, q)
    sort = params.sort if params.sort in SORTS else ""
    paginator = Paginator(
        _ordered(qs, sort, bool(q), params.stage, lift)
        .prefetch_related("buyer_roles", "stages")
        .select_related("current_version__rendition"),
        PAGE_SIZE,
    )
    page = paginator.get_page(params.page)
    facets = _facets(qs.order_by())
    snippets: dict[int, SafeString] = {}
    if q and page.object_list:
        if is_postgres():
            snippets = _snippets_pg([a.pk for a in page.object_list], q)
        else:
            snippets = {a.pk: s for a in page.object_list if (s := _snippet_text(a.search_document, q))}
    if log:
        SearchLog.objects.create(
            user=user if user.is_authenticated else None,
            query=q,
            filters=params.filters,
            result_count=paginator.count,
        )
    return SearchResult(page=page, total=paginator.count, facets=facets, snippets=snippets, sort=sort)
