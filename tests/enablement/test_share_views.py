"""A share link counts a view only when the buyer's page reports that it ran: link previews (Slackbot),
mail scanners and fetches that run no script are no views, notify no one and are listed nowhere."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from assets.models import FunnelStage
from enablement.deals.history import deal_stage_change
from enablement.models import ShareLink, ShareView
from enablement.rooms.models import BuyerNotification
from enablement.sharing.services import share_link_create, share_link_revoke
from tests.enablement.buyer_page import open_share_link, report_view, served_key
from tests.factories import AssetFactory, DealFactory

pytestmark = pytest.mark.django_db

SLACKBOT = "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)"


@pytest.fixture
def link(rep) -> ShareLink:
    deal = DealFactory(owner=rep, name="Globex platform")
    deal_stage_change(
        deal=deal,
        stage=FunnelStage.objects.get(slug="proposal"),
        entered_at=timezone.now() - timedelta(days=2),
    )
    return share_link_create(asset=AssetFactory(title="ROI calculator"), deal=deal, by=rep)


def what_the_rep_sees(client, rep, link) -> dict:
    """The view count on the deal page and /shares/, the home page's activity, the notifications."""
    client.force_login(rep)
    deal_page = client.get(reverse("deal-detail", args=[link.deal_id])).text
    home = client.get(reverse("home")).text
    shares = client.get(reverse("share-list")).text
    client.logout()
    return {
        "views": ShareView.objects.filter(link=link).count(),
        "deal page": "ROI calculator · 1 buyer view" in deal_page,
        "home": "“ROI calculator” opened by the buyer" in home,
        "shares": "1 view" in shares,
        "notifications": BuyerNotification.objects.filter(recipient=rep).count(),
    }


NOTHING = {"views": 0, "deal page": False, "home": False, "shares": False, "notifications": 0}


def test_a_slackbot_fetch_and_a_script_less_fetch_are_no_views_and_tell_the_rep_nothing(client, rep, link):
    url = reverse("buyer-view", args=[link.token])
    preview = client.get(url, HTTP_USER_AGENT=SLACKBOT)
    plain = client.get(url, HTTP_USER_AGENT="curl/8.5.0")
    assert preview.status_code == plain.status_code == 200  # they get the page, as a buyer would
    assert what_the_rep_sees(client, rep, link) == NOTHING
    # The buyer's browser runs the page's script, which reports the view.
    assert report_view(client, link.token, served_key(plain.text)).json() == {"counted": True}
    seen = what_the_rep_sees(client, rep, link)
    assert seen == {"views": 1, "deal page": True, "home": True, "shares": True, "notifications": 0}


def test_the_page_carries_its_one_off_key_and_the_script_that_reports_it(client, link):
    page = client.get(reverse("buyer-view", args=[link.token])).text
    again = client.get(reverse("buyer-view", args=[link.token])).text
    assert served_key(page) != served_key(again)
    assert '<script src="/static/js/share.js" defer></script>' in page


def test_a_report_sent_twice_counts_once_and_each_page_load_once(client, link):
    page = client.get(reverse("buyer-view", args=[link.token])).text
    for _ in range(2):
        assert report_view(client, link.token, served_key(page)).status_code == 200
    assert ShareView.objects.filter(link=link).count() == 1
    open_share_link(client, link.token)  # a second opening
    assert ShareView.objects.filter(link=link).count() == 2


def test_a_key_served_for_another_link_or_made_up_is_refused_naming_it(client, rep, link):
    other = share_link_create(asset=AssetFactory(title="Battlecard"), deal=link.deal, by=rep)
    key = served_key(client.get(reverse("buyer-view", args=[other.token])).text)
    for bad in (key, "made-up", signing.dumps("x", salt="something-else")):
        response = report_view(client, link.token, bad)
        assert response.status_code == 400 and "not valid for this link" in response.json()["view"][0]
    assert not ShareView.objects.exists()


def test_a_key_older_than_a_day_is_refused(client, link, monkeypatch):
    key = served_key(client.get(reverse("buyer-view", args=[link.token])).text)
    later = time.time() + 25 * 3600
    monkeypatch.setattr(signing.time, "time", lambda: later)
    assert report_view(client, link.token, key).status_code == 400
    assert not ShareView.objects.exists()


def test_a_withdrawn_link_takes_no_report(client, link):
    key = served_key(client.get(reverse("buyer-view", args=[link.token])).text)
    share_link_revoke(link=link)
    assert report_view(client, link.token, key).status_code == 410
    assert report_view(client, "no-such-link", key).status_code == 410
    assert not ShareView.objects.exists()


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ("not json", 400, "detail"),
        ("[]", 400, "view"),
        ('{"view": 12}', 400, "view"),
        ('{"view": "' + "x" * 2000 + '"}', 413, "detail"),
        ('{"view": "\\udfffab"}', 400, "detail"),  # a lone surrogate: text no reply can hold
        ('{"view": "ab\\u0000c"}', 400, "detail"),  # a NUL: text PostgreSQL cannot hold
    ],
)
def test_a_bad_report_is_refused_with_a_reason(client, link, body, status, field):
    response = client.post(
        reverse("buyer-view-seen", args=[link.token]), body, content_type="application/json"
    )
    assert response.status_code == status and field in response.json()
    assert not ShareView.objects.exists()


def test_the_report_takes_post_only(client, link):
    assert client.get(reverse("buyer-view-seen", args=[link.token])).status_code == 405
