"""The rep portal's pages and actions, as a rep, another rep, marketing and a buyer see them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from assets.models import AssetDownload, AssetFeedback, ContentRequest, FunnelStage
from assets.services import asset_version_add
from enablement.deals.history import deal_stage_change
from enablement.models import ShareLink, ShareView, UsageEvent
from enablement.sharing.services import share_link_create
from tests.enablement.buyer_page import open_share_link
from tests.factories import AssetFactory, DealFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def deal(rep):
    deal = DealFactory(owner=rep, name="Initech rollout")
    deal_stage_change(
        deal=deal,
        stage=FunnelStage.objects.get(slug="discovery"),
        entered_at=timezone.now() - timedelta(days=5),
    )
    return deal


@pytest.fixture
def asset():
    return AssetFactory(
        title="Initech case study",
        slug="initech-case-study",
        stages=[FunnelStage.objects.get(slug="discovery")],
    )


def test_logging_use_records_the_deals_current_stage(client, rep, deal, asset):
    client.force_login(rep)
    response = client.post(
        reverse("asset-use", args=[asset.slug]),
        {"deal": deal.pk, "action": "emailed"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200 and "Logged: emailed in" in response.text
    event = UsageEvent.objects.get()
    assert (event.deal, event.rep, event.action, event.stage.slug, event.source) == (
        deal,
        rep,
        "emailed",
        "discovery",
        "portal",
    )


def test_a_rep_cannot_log_use_on_another_reps_deal(client, rep, asset):
    other = DealFactory()
    client.force_login(rep)
    response = client.post(reverse("asset-use", args=[asset.slug]), {"deal": other.pk, "action": "viewed"})
    assert response.status_code == 400 and "Select a valid choice" in response.text
    assert not UsageEvent.objects.exists()


def test_the_deal_select_lists_only_the_reps_open_deals(client, rep, deal, asset):
    closed = DealFactory(owner=rep, name="Closed one")
    deal_stage_change(
        deal=closed, stage=FunnelStage.objects.get(slug="closed-won"), entered_at=timezone.now()
    )
    DealFactory(name="Someone else's")
    client.force_login(rep)
    page = client.get(reverse("asset-detail", args=[asset.slug])).text
    assert "Initech rollout" in page
    assert "Closed one" not in page and "Someone else&#x27;s" not in page
    for landmark in ["Download", "Log use in a deal", 'for="use-deal">Deal<', "Share with buyer"]:
        assert landmark in page


def test_another_reps_deal_page_is_a_404_and_marketing_sees_any(client, rep, marketer, deal):
    other_rep = UserFactory(role="Reps")
    client.force_login(other_rep)
    assert client.get(reverse("deal-detail", args=[deal.pk])).status_code == 404
    client.force_login(marketer)
    assert client.get(reverse("deal-detail", args=[deal.pk])).status_code == 200


def test_deal_page_shows_the_timeline_the_usage_and_what_to_use_next(client, rep, deal, asset):
    used = AssetFactory(title="Already used", stages=[FunnelStage.objects.get(slug="discovery")])
    client.force_login(rep)
    client.post(reverse("asset-use", args=[used.slug]), {"deal": deal.pk, "action": "presented"})
    page = client.get(reverse("deal-detail", args=[deal.pk])).text
    assert "Stage timeline" in page and "Discovery" in page
    assert "Already used" in page
    suggested = page.split("Suggested next")[1]
    assert "Initech case study" in suggested and "Already used" not in suggested


def test_a_rep_does_not_see_an_unpublished_asset_page(client, rep, marketer):
    draft = AssetFactory(draft=True)
    client.force_login(rep)
    assert client.get(reverse("asset-detail", args=[draft.slug])).status_code == 404
    client.force_login(marketer)
    assert client.get(reverse("asset-detail", args=[draft.slug])).status_code == 200


def test_sharing_creates_a_link_the_buyer_opens_without_logging_in(client, rep, deal, asset):
    client.force_login(rep)
    response = client.post(
        reverse("asset-share", args=[asset.slug]), {"deal": deal.pk, "days": "7", "allow_download": "on"}
    )
    link = ShareLink.objects.get()
    assert link.token in response.text and link.created_by == rep
    assert timedelta(days=6) < link.expires_at - timezone.now() <= timedelta(days=7)
    client.logout()
    buyer_page = open_share_link(client, link.token, REMOTE_ADDR="198.51.100.4")
    assert buyer_page.status_code == 200 and "Initech case study" in buyer_page.text
    view = ShareView.objects.get()
    assert "198.51.100.4" not in view.viewer_hash
    assert UsageEvent.objects.filter(source="share_link", action="shared", deal=deal).count() == 1


def test_behind_a_trusted_proxy_two_buyers_are_two_viewers_of_a_shared_link(
    client, rep, deal, asset, settings
):
    settings.TRUSTED_PROXY_HOPS = 1
    link = share_link_create(asset=asset, deal=deal, by=rep, days=7)
    for buyer in ("198.51.100.4", "203.0.113.9"):
        open_share_link(client, link.token, REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=buyer)
    assert ShareView.objects.values("viewer_hash").distinct().count() == 2


def test_an_expired_or_unknown_link_is_gone(client, rep, deal, asset):
    link = share_link_create(asset=asset, deal=deal, by=rep, days=1)
    ShareLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    assert client.get(reverse("buyer-view", args=[link.token])).status_code == 410
    assert client.get(reverse("buyer-view", args=["not-a-token"])).status_code == 410
    assert not ShareView.objects.exists()


def test_a_view_only_link_refuses_the_download(client, rep, deal, asset):
    asset_version_add(asset=asset, file=ContentFile(b"%PDF-1.4", name="story.pdf"))
    link = share_link_create(asset=asset, deal=deal, by=rep, allow_download=False)
    assert client.get(reverse("buyer-file", args=[link.token]), {"download": "1"}).status_code == 403
    inline = client.get(reverse("buyer-file", args=[link.token]))
    assert inline.status_code == 200 and inline["Content-Disposition"].startswith("inline")


def test_download_is_tracked_and_serves_the_current_file(client, rep, asset):
    asset_version_add(asset=asset, file=ContentFile(b"version one", name="story.txt"))
    asset_version_add(asset=asset, file=ContentFile(b"version two", name="story.txt"))
    client.force_login(rep)
    response = client.get(reverse("asset-download", args=[asset.slug]))
    assert b"".join(response.streaming_content) == b"version two"
    assert response["Content-Disposition"].startswith("attachment")
    download = AssetDownload.objects.get()
    assert (download.user, download.version.number) == (rep, 2)


def test_an_external_asset_download_goes_to_its_url_and_is_tracked(client, rep):
    video = AssetFactory(kind="video", external_url="https://video.example.com/demo")
    client.force_login(rep)
    response = client.get(reverse("asset-download", args=[video.slug]))
    assert response.status_code == 302 and response["Location"] == "https://video.example.com/demo"
    assert AssetDownload.objects.filter(asset=video).exists()


def test_feedback_is_one_answer_per_rep_and_the_latest_counts(client, rep, asset):
    client.force_login(rep)
    client.post(reverse("asset-feedback", args=[asset.slug]), {"useful": "yes"})
    response = client.post(
        reverse("asset-feedback", args=[asset.slug]), {"useful": "no"}, HTTP_HX_REQUEST="true"
    )
    assert AssetFeedback.objects.get().useful is False
    assert "0 reps found it useful" in response.text


def test_content_requests_are_created_prefilled_and_voted(client, rep):
    client.force_login(rep)
    form = client.get(reverse("content-requests"), {"q": "pricing sheet", "stage": "negotiation"}).text
    assert 'value="pricing sheet"' in form
    client.post(
        reverse("content-requests"),
        {
            "title": "Pricing sheet",
            "details": "",
            "buyer_role": "",
            "stage": FunnelStage.objects.get(slug="negotiation").pk,
        },
    )
    request = ContentRequest.objects.get()
    assert (request.requested_by, request.stage.slug, request.voters.count()) == (rep, "negotiation", 1)
    colleague = UserFactory(role="Reps")
    client.force_login(colleague)
    client.post(reverse("content-request-vote", args=[request.pk]))
    assert request.voters.count() == 2
    client.post(reverse("content-request-vote", args=[request.pk]))  # a second click takes the vote back
    assert request.voters.count() == 1


def test_an_empty_content_request_names_the_missing_field(client, rep):
    client.force_login(rep)
    response = client.post(reverse("content-requests"), {"title": "  "})
    assert response.status_code == 200 and "This field is required." in response.text
    assert not ContentRequest.objects.exists()


def test_portal_pages_need_a_login(client, asset, deal):
    for url in [
        reverse("home"),
        reverse("search"),
        reverse("asset-detail", args=[asset.slug]),
        reverse("deal-detail", args=[deal.pk]),
        reverse("content-requests"),
    ]:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/"), url
