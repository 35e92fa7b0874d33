"""The catalogue's rules: stages, publishing, versions."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction

from assets import services
from assets.choices import AssetKind, AssetStatus, StageOutcome
from assets.models import Asset, BuyerRole, FunnelStage
from tests.factories import AssetFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_default_funnel_is_created_in_order_with_its_outcomes():
    stages = list(FunnelStage.objects.values_list("name", "outcome"))
    assert stages == [
        ("Inquiry", "open"),
        ("MQL", "open"),
        ("SQL", "open"),
        ("Discovery", "open"),
        ("Proposal", "open"),
        ("Negotiation", "open"),
        ("Closed Won", "won"),
        ("Closed Lost", "lost"),
    ]
    assert all(s.definition and s.entry_criteria for s in FunnelStage.objects.all())


def test_default_buyer_roles_exist_with_descriptions():
    assert set(BuyerRole.objects.values_list("slug", flat=True)) == {
        "economic-buyer",
        "technical-evaluator",
        "champion",
        "end-user",
        "executive-sponsor",
        "procurement",
    }
    assert not BuyerRole.objects.filter(description="").exists()


def test_stage_outcome_outside_open_won_lost_is_refused_by_the_database():
    with pytest.raises(IntegrityError), transaction.atomic():
        FunnelStage.objects.create(slug="limbo", name="Limbo", order=5, outcome="maybe")


def test_a_published_asset_without_a_publication_date_is_refused_by_the_database():
    with pytest.raises(IntegrityError), transaction.atomic():
        AssetFactory(status=AssetStatus.PUBLISHED, published_at=None)


def test_asset_slugs_are_unique():
    AssetFactory(slug="roi-calculator")
    with pytest.raises(IntegrityError), transaction.atomic():
        AssetFactory(slug="roi-calculator")


def test_created_asset_starts_as_draft_with_its_tags():
    owner = UserFactory()
    champion = BuyerRole.objects.get(slug="champion")
    proposal = FunnelStage.objects.get(slug="proposal")
    asset = services.asset_create(
        title="Acme case study",
        kind=AssetKind.CASE_STUDY,
        owner=owner,
        buyer_roles=[champion],
        stages=[proposal],
        industries=["Retail"],
        products=["Edge"],
    )
    assert asset.status == AssetStatus.DRAFT and asset.slug == "acme-case-study"
    assert list(asset.buyer_roles.all()) == [champion]
    assert [t.name for t in asset.industries.all()] == ["Retail"]
    assert [t.name for t in asset.products.all()] == ["Edge"]


def test_asset_create_gives_a_second_asset_with_the_same_title_its_own_slug():
    first = services.asset_create(title="ROI calculator", kind=AssetKind.ROI_CALCULATOR)
    second = services.asset_create(title="ROI calculator", kind=AssetKind.ROI_CALCULATOR)
    assert (first.slug, second.slug) == ("roi-calculator", "roi-calculator-2")


def test_asset_create_refuses_an_unknown_kind():
    with pytest.raises(ValidationError, match="Unknown asset kind"):
        services.asset_create(title="Poster", kind="poster")


def test_every_upload_is_kept_as_a_numbered_version_and_the_newest_is_current():
    author = UserFactory()
    asset = services.asset_create(title="Pricing deck", kind=AssetKind.DECK)
    v1 = services.asset_version_add(asset=asset, file=ContentFile(b"one", name="deck.pdf"), author=author)
    v2 = services.asset_version_add(
        asset=asset, file=ContentFile(b"two", name="deck.pdf"), author=author, note="New prices"
    )
    asset.refresh_from_db()
    assert [v.number for v in asset.versions.all()] == [2, 1]
    assert asset.current_version == v2
    assert v2.note == "New prices" and v2.author == author
    assert v1.file.read() == b"one" and v2.file.read() == b"two"


def test_publishing_an_asset_with_no_file_and_no_url_is_refused():
    asset = services.asset_create(title="Empty", kind=AssetKind.FAQ)
    with pytest.raises(ValidationError, match="nothing to publish"):
        services.asset_publish(asset=asset)
    asset.refresh_from_db()
    assert asset.status == AssetStatus.DRAFT


def test_publishing_sets_the_publication_date_once():
    asset = services.asset_create(title="Video", kind=AssetKind.VIDEO, external_url="https://v.example/x")
    services.asset_publish(asset=asset)
    first = Asset.objects.get(pk=asset.pk).published_at
    services.asset_archive(asset=asset)
    services.asset_publish(asset=asset)
    assert first is not None
    assert Asset.objects.get(pk=asset.pk).published_at == first


def test_an_archived_asset_cannot_go_to_review_without_returning_to_draft():
    asset = AssetFactory(status=AssetStatus.ARCHIVED)
    with pytest.raises(ValidationError, match="archived"):
        services.asset_submit_for_review(asset=asset)
    services.asset_return_to_draft(asset=asset)
    assert services.asset_submit_for_review(asset=asset).status == AssetStatus.IN_REVIEW


def test_stage_is_open_only_for_open_outcome():
    assert FunnelStage.objects.get(slug="proposal").is_open
    assert not FunnelStage.objects.get(outcome=StageOutcome.WON).is_open


def test_defaults_are_recreated_only_when_there_is_no_funnel_at_all():
    from assets.defaults import catalogue_defaults_ensure

    FunnelStage.objects.filter(slug="mql").delete()
    catalogue_defaults_ensure(FunnelStage, BuyerRole)
    assert not FunnelStage.objects.filter(slug="mql").exists()  # an edited funnel is left as it is
    FunnelStage.objects.all().delete()
    catalogue_defaults_ensure(FunnelStage, BuyerRole)
    assert FunnelStage.objects.count() == 8
