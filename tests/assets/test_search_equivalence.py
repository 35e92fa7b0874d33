"""The index-served search finds what the search before it found, in the same order, with the same
facet counts: the query it replaced is kept here as the reference and both run over one seeded
catalogue on PostgreSQL, typos included."""

from __future__ import annotations

import random

import pytest
from django.contrib.postgres.search import SearchQuery, SearchRank, TrigramWordSimilarity
from django.db.models import Count, F, Q
from django.utils import timezone

from assets.models import BuyerRole, FunnelStage, Industry, Product
from assets.search import (
    CONFIG,
    PAGE_SIZE,
    TYPO_SIMILARITY,
    SearchParams,
    asset_search,
    asset_search_refresh,
)
from assets.search.facets import facet_counts
from assets.search.matching import filtered
from assets.selectors import assets_visible_to
from enablement.usage.services import usage_record
from tests.factories import AssetFactory, DealFactory

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

SUBJECTS = [
    "ROI calculator",
    "Security FAQ",
    "Pricing playbook",
    "Onboarding guide",
    "Customer story",
    "Integration overview",
    "Competitive battlecard",
    "Implementation plan",
    "Analyst report",
]
INDUSTRIES = ["logistics", "healthcare", "retail", "banking", "manufacturing"]
FILLER = [
    "renewal",
    "procurement",
    "compliance",
    "dashboard",
    "migration",
    "savings",
    "workflow",
    "champion",
    "rollout",
    "benchmark",
    "audit",
    "throughput",
]


def seed_catalogue(rep) -> None:
    """60 assets drawn from a fixed seed: overlapping subjects and words, tags, roles, stages, some
    drafts, published on different days, and uses recorded through the usage write path."""
    draw = random.Random(24)
    roles, stages = list(BuyerRole.objects.all()), list(FunnelStage.objects.filter(outcome="open"))
    deal = DealFactory(owner=rep)
    for n in range(60):
        subject, industry = draw.choice(SUBJECTS), draw.choice(INDUSTRIES)
        asset = AssetFactory(
            title=f"{subject} for {industry} {n}",
            slug=f"seeded-{n}",
            summary=" ".join(draw.sample(FILLER, 4)) + f" for {industry} teams.",
            published_at=timezone.now() - timezone.timedelta(days=draw.randint(0, 400)),
            buyer_roles=draw.sample(roles, 2),
            stages=draw.sample(stages, 2),
            draft=n % 13 == 0,
        )
        asset.industries.add(industry.title())
        asset.products.add(draw.choice(["Insight Cloud", "Insight Edge"]))
        asset_search_refresh(asset)
        if asset.status == "published":
            for use in range(draw.randint(0, 4)):
                usage_record(event_id=f"eq-{n}-{use}", asset=asset, deal=deal, rep=rep, action="viewed")


def reference(user, params: SearchParams) -> tuple[list[int], dict]:
    """The search before this change: full text OR word_similarity() ≥ 0.45, uses counted from the
    events, facets counted over a re-run of the match. Every matching id in order, and the facets."""
    qs = filtered(assets_visible_to(user), params)
    q = params.q.strip()
    query = SearchQuery(q, search_type="websearch", config=CONFIG)
    qs = qs.annotate(rank=SearchRank(F("search_vector"), query), similarity=TrigramWordSimilarity(q, "title"))
    qs = qs.filter(Q(search_vector=query) | Q(similarity__gte=TYPO_SIMILARITY))
    if params.sort == "used":
        ordered = qs.annotate(uses=Count("usage_events")).order_by("-uses", "title")
    elif params.sort == "newest":
        ordered = qs.order_by(F("published_at").desc(nulls_last=True), "title")
    else:
        ordered = qs.order_by("-rank", "-similarity", "title")
    ids = qs.order_by().values("pk")

    def counted(model, relation: str) -> list:
        rows = model.objects.annotate(n=Count(relation, filter=Q(**{f"{relation}__in": ids}), distinct=True))
        return list(rows.filter(n__gt=0).values_list("slug", "name", "n"))

    facets = {
        "buyer_role": counted(BuyerRole, "assets"),
        "stage": counted(FunnelStage, "assets"),
        "kind": sorted(qs.order_by().values_list("kind").annotate(n=Count("pk"))),
        "industry": counted(Industry, "tagged_assets__content_object"),
        "product": counted(Product, "tagged_assets__content_object"),
    }
    return list(ordered.values_list("pk", flat=True)), facets


def searched(user, params: SearchParams) -> tuple[list[int], dict]:
    """Every page of the new search, concatenated, and the first page's facets."""
    first = asset_search(user=user, params=params, log=False)
    ids = [a.pk for a in first.page.object_list]
    for number in range(2, first.page.paginator.num_pages + 1):
        params.page = number
        ids += [a.pk for a in asset_search(user=user, params=params, log=False).page.object_list]
    facets = {
        f.name: [(v, label, n) if f.name != "kind" else (v, n) for v, label, n in f.options]
        for f in first.facets
    }
    return ids, facets


QUERIES = [
    "calculator",  # a title word
    "calculater",  # a typo, found by title similarity only
    "secruity faq",  # typos in two words
    "ROI calculater",  # a right word and a typo
    "logistics",  # a word in titles and summaries
    "teams",  # a word in every summary: several pages
    "throughput",  # a word in summaries only
    "compliance audit",  # two summary words
    "onbording",  # a typo whose word is in the title
    "zzzz",  # nothing
]


@pytest.mark.parametrize("q", QUERIES)
@pytest.mark.parametrize("sort", ["", "newest", "used"])
def test_the_new_search_finds_what_the_old_one_found_in_the_same_order(rep, marketer, q, sort):
    seed_catalogue(rep)
    for user in (rep, marketer):  # reps see published assets only, marketing every status
        old_ids, old_facets = reference(user, SearchParams(q=q, sort=sort))
        new_ids, new_facets = searched(user, SearchParams(q=q, sort=sort))
        assert new_ids == old_ids
        # The old facets came in no set order (a grouped query ignores Meta.ordering); the counts agree.
        assert {k: sorted(v) for k, v in new_facets.items()} == {k: sorted(v) for k, v in old_facets.items()}
    # The catalogue exercises what is compared: every query but the last finds something.
    assert bool(old_ids) == (q != "zzzz")


def test_common_words_span_several_pages_so_the_pages_are_compared_too(rep):
    seed_catalogue(rep)
    assert len(reference(rep, SearchParams(q="teams"))[0]) > PAGE_SIZE


@pytest.mark.parametrize("filters", [{"buyer_role": "champion"}, {"stage": "proposal", "kind": "case_study"}])
def test_filters_narrow_the_new_search_as_they_narrowed_the_old_one(rep, filters):
    seed_catalogue(rep)
    for q in ("logistics", "calculater"):
        assert (
            searched(rep, SearchParams(q=q, **filters))[0] == reference(rep, SearchParams(q=q, **filters))[0]
        )


@pytest.mark.parametrize(
    "filters", [{}, {"buyer_role": "champion"}, {"stage": "proposal", "kind": "case_study"}]
)
def test_a_list_without_words_counts_its_facets_as_the_links_count_them(rep, marketer, filters):
    """Without words the facets are counted from the assets' facet_keys (in the database on
    PostgreSQL); they agree with the counts over the assets' links."""
    seed_catalogue(rep)
    for user in (rep, marketer):
        params = SearchParams(**filters)
        listed = filtered(assets_visible_to(user), params)
        by_links = {f.name: sorted(f.options) for f in facet_counts(listed.order_by().values("pk"))}
        shown = {f.name: sorted(f.options) for f in asset_search(user=user, params=params, log=False).facets}
        assert shown == by_links
        assert sum(n for _, _, n in shown["kind"]) == listed.count() > 0
