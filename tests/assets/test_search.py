"""Searching the catalogue as a rep: words in files, typos, filters, facets, snippets, the log."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from assets.models import BuyerRole, FunnelStage, SearchLog
from assets.search import SearchParams, asset_search, asset_search_refresh
from assets.services import asset_version_add
from tests.factories import AssetFactory, DealFactory
from tests.files import pdf_with_text

pytestmark = pytest.mark.django_db


def titles(user, **params) -> list[str]:
    result = asset_search(user=user, params=SearchParams(**params), log=False)
    return [a.title for a in result.page.object_list]


def test_words_that_appear_only_inside_an_uploaded_pdf_find_the_asset(
    rep, django_capture_on_commit_callbacks
):
    asset = AssetFactory(title="Logistics brief", summary="A short brief.", external_url="")
    AssetFactory(title="Unrelated deck")
    with django_capture_on_commit_callbacks(
        execute=True
    ):  # the extraction task runs after the upload commits
        asset_version_add(
            asset=asset, file=ContentFile(pdf_with_text("Zanzibar harbour throughput"), name="b.pdf")
        )
    assert titles(rep, q="zanzibar") == ["Logistics brief"]
    assert titles(rep, q="harbour throughput") == ["Logistics brief"]


def test_a_new_version_replaces_the_old_files_words(rep, django_capture_on_commit_callbacks):
    asset = AssetFactory(title="Pricing sheet", external_url="")
    with django_capture_on_commit_callbacks(execute=True):
        asset_version_add(asset=asset, file=ContentFile(pdf_with_text("Walrus tariff"), name="v1.pdf"))
    with django_capture_on_commit_callbacks(execute=True):
        asset_version_add(asset=asset, file=ContentFile(pdf_with_text("Narwhal tariff"), name="v2.pdf"))
    assert titles(rep, q="narwhal") == ["Pricing sheet"]
    assert titles(rep, q="walrus") == []


@pytest.mark.postgres
def test_a_misspelled_query_finds_the_roi_calculator_on_postgresql(rep):
    AssetFactory(title="Insight Cloud ROI calculator", kind="roi_calculator")
    AssetFactory(title="Security FAQ", kind="faq")
    assert titles(rep, q="calculater") == ["Insight Cloud ROI calculator"]
    assert titles(rep, q="ROI calculater") == ["Insight Cloud ROI calculator"]


@pytest.mark.postgres
def test_title_matches_rank_above_matches_in_the_body_on_postgresql(rep):
    AssetFactory(title="Onboarding guide", summary="Mentions pricing once.")
    AssetFactory(title="Pricing playbook", summary="How to talk about money.")
    assert titles(rep, q="pricing")[0] == "Pricing playbook"


def test_reps_find_published_assets_only_and_marketing_finds_every_status(rep, marketer):
    AssetFactory(title="Live battlecard")
    AssetFactory(title="Draft battlecard", draft=True)
    assert titles(rep, q="battlecard") == ["Live battlecard"]
    assert sorted(titles(marketer, q="battlecard")) == ["Draft battlecard", "Live battlecard"]


def test_filters_narrow_the_results_and_facets_count_what_is_left(rep):
    champion, buyer = BuyerRole.objects.get(slug="champion"), BuyerRole.objects.get(slug="economic-buyer")
    proposal, discovery = FunnelStage.objects.get(slug="proposal"), FunnelStage.objects.get(slug="discovery")
    AssetFactory(title="A", kind="deck", buyer_roles=[champion, buyer], stages=[proposal])
    AssetFactory(title="B", kind="deck", buyer_roles=[champion], stages=[discovery])
    AssetFactory(title="C", kind="faq", buyer_roles=[buyer], stages=[proposal, discovery])
    assert sorted(titles(rep, buyer_role="champion")) == ["A", "B"]
    assert sorted(titles(rep, buyer_role="champion", stage="proposal")) == ["A"]
    assert titles(rep, kind="faq") == ["C"]
    result = asset_search(user=rep, params=SearchParams(stage="proposal"), log=False)
    facets = {f.name: {value: count for value, _, count in f.options} for f in result.facets}
    assert facets["buyer_role"] == {"champion": 1, "economic-buyer": 2}
    assert facets["kind"] == {"deck": 1, "faq": 1}
    assert facets["stage"] == {"proposal": 2, "discovery": 1}


def test_industry_and_product_tags_are_facets_and_filters(rep):
    a = AssetFactory(title="Retail story")
    a.industries.add("Retail")
    a.products.add("Edge")
    asset_search_refresh(a)  # as the services do after a save (the facets count the stored keys)
    AssetFactory(title="Other")
    result = asset_search(user=rep, params=SearchParams(), log=False)
    facets = {f.name: f.options for f in result.facets}
    assert facets["industry"] == [("retail", "Retail", 1)]
    assert facets["product"] == [("edge", "Edge", 1)]
    assert titles(rep, industry="retail") == ["Retail story"]


def test_results_are_paginated_twenty_a_page(rep):
    for n in range(25):
        AssetFactory(title=f"Case study {n:02d}")
    first = asset_search(user=rep, params=SearchParams(q="case"), log=False)
    second = asset_search(user=rep, params=SearchParams(q="case", page=2), log=False)
    assert first.total == 25 and len(first.page.object_list) == 20 and len(second.page.object_list) == 5


def test_most_used_sort_puts_the_asset_used_most_first(rep):
    from enablement.usage.services import usage_record

    little, much = AssetFactory(title="Little used"), AssetFactory(title="Much used")
    deal = DealFactory(owner=rep)
    for n in range(3):
        usage_record(event_id=f"m{n}", asset=much, deal=deal, rep=rep, action="viewed")
    usage_record(event_id="l0", asset=little, deal=deal, rep=rep, action="viewed")
    assert titles(rep, sort="used") == ["Much used", "Little used"]


def test_snippets_highlight_the_words_and_escape_the_document(client, rep):
    AssetFactory(title="Escaping test", summary="Use <b>bold</b> claims about throughput carefully.")
    client.force_login(rep)
    page = client.get(reverse("search"), {"q": "throughput"}).text
    assert "<mark>throughput</mark>" in page
    # The document's markup never reaches the page as markup (SQLite escapes it; ts_headline drops it).
    assert "<b>bold</b>" not in page and "bold" in page


def test_every_search_is_logged_with_its_filters_and_result_count(client, rep):
    AssetFactory(title="Globex case study")
    client.force_login(rep)
    client.get(reverse("search"), {"q": "globex", "stage": "proposal"})
    client.get(reverse("search"), {"q": "nothing like this"})
    logs = list(
        SearchLog.objects.order_by("created_at").values_list("query", "filters", "result_count", "user")
    )
    assert logs == [("globex", {"stage": "proposal"}, 0, rep.pk), ("nothing like this", {}, 0, rep.pk)]


def test_a_search_without_results_offers_request_content_with_the_query(client, rep):
    client.force_login(rep)
    page = client.get(reverse("search"), {"q": "zebra pricing", "buyer_role": "procurement"}).text
    assert "Request content" in page
    assert "/requests/?q=zebra%20pricing&amp;buyer_role=procurement" in page


def test_search_page_has_the_labelled_search_and_filters(client, rep):
    client.force_login(rep)
    page = client.get(reverse("search")).text
    for label in ['for="q">Search<', ">Buyer role<", ">Funnel stage<", ">Asset type<"]:
        assert label in page


@pytest.mark.parametrize("page", ["0", "-3", "abc", "999"])
def test_odd_page_numbers_show_a_page_not_an_error(client, rep, page):
    AssetFactory()
    client.force_login(rep)
    assert (
        client.get(reverse("search"), {"page": page, "sort": "nonsense", "kind": "<script>"}).status_code
        == 200
    )
