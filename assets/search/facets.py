"""A search's facets: how many of the matching assets have each buyer role, stage, type, industry
and product."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Count, QuerySet

from assets.choices import AssetKind
from assets.models import Asset, BuyerRole, FunnelStage, Industry, Product

KINDS = dict(AssetKind.choices)
# (facet, label, model, its key's letter in Asset.facet_keys, the model's relation to the assets)
RELATED = [
    ("buyer_role", "Buyer role", BuyerRole, "r", "assets"),
    ("stage", "Funnel stage", FunnelStage, "s", "assets"),
    ("industry", "Industry", Industry, "i", "tagged_assets__content_object"),
    ("product", "Product", Product, "p", "tagged_assets__content_object"),
]


@dataclass
class Facet:
    name: str
    label: str
    options: list[tuple[str, str, int]]  # (value, label, count)


def facet_counts(ids) -> list[Facet]:
    """Facet counts over the assets whose ids `ids` gives (a subquery), by joining their links."""

    def counted(model, relation: str) -> list[tuple[str, str, int]]:
        # Filtered before it is annotated, so the count runs over the matching assets' links only.
        rows = (
            model.objects.filter(**{f"{relation}__in": ids})
            .annotate(n=Count(relation))
            .order_by(*model._meta.ordering)  # a grouped query ignores Meta.ordering
            .values_list("slug", "name", "n")
        )
        return list(rows)

    facets = {
        name: Facet(name, label, counted(model, relation)) for name, label, model, _, relation in RELATED
    }
    kind_counts = Asset.objects.filter(pk__in=ids).order_by().values_list("kind").annotate(n=Count("pk"))
    return _in_order(facets, sorted((k, KINDS.get(k, k), n) for k, n in kind_counts))


def _in_order(facets: dict[str, Facet], kinds: list[tuple[str, str, int]]) -> list[Facet]:
    kind = Facet("kind", "Asset type", kinds)
    return [facets["buyer_role"], facets["stage"], kind, facets["industry"], facets["product"]]


def facets_of_rows(rows: list[tuple[str, str]]) -> list[Facet]:
    """The facets of the matching assets' (kind, facet_keys), counted here: the same counts as
    facet_counts, without another pass over the matches and their links."""
    kinds = Counter(kind for kind, _ in rows)
    keys = Counter(key for _, facet_keys in rows for key in facet_keys.split())
    return _facets_of_counts(kinds, keys)


def facets_of_keys(qs: QuerySet[Asset]) -> list[Facet]:
    """facet_counts for the assets of `qs` on PostgreSQL, counted in the database from their
    facet_keys: one statement, two grouped passes over the assets, no join of their links (a list
    without words matches most of the catalogue, and the joins took most of its time)."""
    try:
        assets, params = qs.order_by().values("kind", "facet_keys").query.sql_with_params()
    except EmptyResultSet:
        return _facets_of_counts(Counter(), Counter())
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT 'kind', a.kind, COUNT(*) FROM ({assets}) a GROUP BY a.kind
            UNION ALL
            SELECT 'key', k.key, COUNT(*)
            FROM ({assets}) a, unnest(string_to_array(a.facet_keys, ' ')) AS k(key)
            WHERE k.key <> '' GROUP BY k.key
            """,
            [*params, *params],
        )
        counted = cursor.fetchall()
    kinds = Counter({value: n for what, value, n in counted if what == "kind"})
    keys = Counter({value: n for what, value, n in counted if what == "key"})
    return _facets_of_counts(kinds, keys)


def _facets_of_counts(kinds: Counter, keys: Counter) -> list[Facet]:
    facets: dict[str, Facet] = {}
    for name, label, model, letter, _ in RELATED:
        present = [int(key[1:]) for key in keys if key[0] == letter]
        options = model.objects.filter(pk__in=present).order_by(*model._meta.ordering)
        counts = [
            (slug, title, keys[f"{letter}{pk}"])
            for pk, slug, title in options.values_list("pk", "slug", "name")
        ]
        facets[name] = Facet(name, label, counts)
    return _in_order(facets, sorted((k, KINDS.get(k, k), n) for k, n in kinds.items()))
