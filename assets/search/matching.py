"""Which assets a search matches and in what order: filters, the words (full text and typos on
PostgreSQL, every word somewhere in the asset's text on SQLite) and the sorts."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.postgres.search import SearchQuery, SearchRank, TrigramWordSimilarity
from django.db import connection, transaction
from django.db.models import Case, F, IntegerField, Q, QuerySet, Subquery, When
from django.db.models.expressions import RawSQL

from assets.models import Asset
from assets.search.index import CONFIG, is_postgres

TYPO_SIMILARITY = 0.45
SORTS = {"": "Best match", "newest": "Newest", "used": "Most used", "lift": "Higher conversion"}
# Given a stage slug ("" for any), an expression per asset to rank "Higher conversion" by.
LiftRanking = Callable[[str], Subquery]


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


def filtered(qs: QuerySet[Asset], params: SearchParams) -> QuerySet[Asset]:
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


def search_words(q: str) -> list[str]:
    return [w for w in re.findall(r"\w+", q.lower()) if len(w) > 1][:12]


def matching(qs: QuerySet[Asset], q: str) -> QuerySet[Asset]:
    if is_postgres():
        query = SearchQuery(q, search_type="websearch", config=CONFIG)
        # `title %> q` is `q <% title`: word similarity at least the session's threshold, which
        # typo_threshold sets to TYPO_SIMILARITY; unlike a comparison of word_similarity() with a
        # number, the title's trigram index serves it, and the vector's GIN index serves `@@`.
        return qs.filter(Q(search_vector=query) | Q(title__trigram_word_similar=q)).annotate(
            rank=SearchRank(F("search_vector"), query),
            similarity=TrigramWordSimilarity(q, "title"),
        )
    for word in search_words(q):
        qs = qs.filter(search_document__icontains=word)
    in_title = Q(*[Q(title__icontains=w) for w in search_words(q)]) if search_words(q) else Q(pk__in=[])
    return qs.annotate(rank=Case(When(in_title, then=1), default=0, output_field=IntegerField()))


def typo_threshold() -> None:
    """Set the `<%` operator's threshold for the current transaction only (SET LOCAL)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config('pg_trgm.word_similarity_threshold', %s, true)", [str(TYPO_SIMILARITY)]
        )


def ids_param(ids: list[int]) -> RawSQL:
    """The assets with these ids, as one array parameter (not one parameter per id)."""
    return RawSQL("SELECT unnest(%s::bigint[])", (ids,))


def assets_matching(qs: QuerySet[Asset], q: str) -> QuerySet[Asset]:
    """The assets of `qs` that the catalogue search finds for `q` (the API's `?q=`), in no order. On
    PostgreSQL the matches are found at once, with the typo threshold set, and named by id."""
    if not is_postgres():
        return matching(qs, q)
    with transaction.atomic():
        typo_threshold()
        ids = list(matching(qs, q).order_by().values_list("pk", flat=True))
    return qs.filter(pk__in=ids_param(ids))


def in_order(
    qs: QuerySet[Asset], sort: str, searching: bool, stage: str = "", lift: LiftRanking | None = None
) -> QuerySet[Asset]:
    """Best match is relevance for a query and newest first without one. Higher conversion ranks by
    the expression `lift` gives for the chosen stage (the catalogue knows no analytics: the portal
    passes it); without one it falls back to newest first."""
    if sort == "lift" and lift is not None:
        return qs.annotate(higher_lift=lift(stage)).order_by(F("higher_lift").desc(nulls_last=True), "title")
    if sort == "used":
        return qs.annotate(uses=F("use_count")).order_by("-uses", "title")
    if sort == "newest" or not searching:
        return qs.order_by(F("published_at").desc(nulls_last=True), "title")
    if is_postgres():
        return qs.order_by("-rank", "-similarity", "title")
    return qs.order_by("-rank", "title")
