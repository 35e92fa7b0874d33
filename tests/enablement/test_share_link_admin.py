"""Adding a share link in the admin: what the sharing rules refuse is shown on the form, never a 500."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from assets.models import FunnelStage
from enablement.deals.history import deal_stage_change
from enablement.models import ShareLink
from tests.enablement.share_links import add_link
from tests.factories import AssetFactory, DealFactory

pytestmark = pytest.mark.django_db


def closed_deal():
    deal = DealFactory(name="Initech renewal")
    deal_stage_change(
        deal=deal,
        stage=FunnelStage.objects.get(slug="closed-won"),
        entered_at=timezone.now() - timedelta(days=3),
    )
    return deal


def test_the_admin_adds_a_share_link_to_a_published_asset_on_an_open_deal(client, admin_user):
    client.force_login(admin_user)
    response = add_link(client, asset=AssetFactory(), deal=DealFactory())
    assert response.status_code == 302
    assert ShareLink.objects.count() == 1


def test_the_admin_refuses_a_share_link_to_a_draft_asset_on_the_form(client, admin_user):
    client.force_login(admin_user)
    response = add_link(client, asset=AssetFactory(draft=True, title="Draft battlecard"), deal=DealFactory())
    assert response.status_code == 200
    assert "errorlist" in response.text
    assert not ShareLink.objects.exists()


def test_the_admin_refuses_a_share_link_on_a_closed_deal_on_the_form(client, admin_user):
    client.force_login(admin_user)
    response = add_link(client, asset=AssetFactory(), deal=closed_deal())
    assert response.status_code == 200
    assert "closed on" in response.text
    assert not ShareLink.objects.exists()


def test_the_admin_refuses_a_share_link_that_would_last_over_a_year_on_the_form(client, admin_user):
    client.force_login(admin_user)
    response = add_link(client, asset=AssetFactory(), deal=DealFactory(), days=400)
    assert response.status_code == 200
    assert "A share link lasts between 1 and 365 days." in response.text
    assert not ShareLink.objects.exists()


def test_a_share_link_added_in_the_admin_expires_near_the_date_given(client, admin_user):
    client.force_login(admin_user)
    add_link(client, asset=AssetFactory(), deal=DealFactory(), days=90)
    lasts = ShareLink.objects.get().expires_at - timezone.now()
    assert timedelta(days=88) < lasts <= timedelta(days=90)
