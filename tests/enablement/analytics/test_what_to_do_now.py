"""What to do now: the analytics home and the weekly digest tell marketing what to promote, build and
retire, each with a reason and a link; the digest is readable in the portal for a chosen week."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from enablement.analytics.digest import week_of
from enablement.analytics.engine import analytics_compute
from enablement.tasks import analytics_digest
from tests.enablement.analytics.builders import planted_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def computed():
    world = planted_world(seed=11)
    analytics_compute()
    return world


def test_the_analytics_home_says_what_to_promote_and_what_to_refresh(client, marketer, computed):
    client.force_login(marketer)
    page = client.get(reverse("analytics-funnel")).text
    assert page.index("What to do now") < page.index("Stage scorecard")
    assert '<a href="/analytics/assets/lifts/">Promote lifts at Proposal</a>' in page
    assert "Deals that used it there advanced 62% of the time against 43% for comparable deals" in page
    assert '<a href="/analytics/assets/hurts/">Refresh or retire hurts</a>' in page
    assert "Build for the" in page


def test_the_weekly_email_has_the_same_items(marketer, computed):
    assert analytics_digest() == 1
    (message,) = mail.outbox
    body = message.body
    assert body.index("WHAT TO DO NOW") < body.index("FUNNEL")
    assert "- Promote lifts at Proposal: Deals that used it there advanced" in body
    assert "(/analytics/assets/lifts/)" in body and "- Refresh or retire hurts:" in body


def test_the_digest_page_shows_a_chosen_week(client, marketer, computed):
    client.force_login(marketer)
    earlier = week_of(timezone.localdate()) - timedelta(weeks=3)
    page = client.get(reverse("analytics-digest"), {"week": earlier.isoformat()}).text
    assert f'value="{earlier.isoformat()}" selected' in page
    assert f"over the 30 days to {(earlier + timedelta(days=6)):%-d %b %Y}" in page
    assert "What to do now" in page and "Promote lifts at Proposal" in page and "Where to build next" in page


def test_a_week_out_of_range_or_not_a_date_is_named_and_this_week_shown(client, marketer, computed):
    client.force_login(marketer)
    for value, words in [("yesterday", "Week “yesterday” is not a date"), ("2001-01-01", "is not among")]:
        response = client.get(reverse("analytics-digest"), {"week": value})
        assert response.status_code == 200 and words in response.text
        assert "(this week)</option>" in response.text


def test_reps_cannot_read_the_digest(client, rep):
    client.force_login(rep)
    assert client.get(reverse("analytics-digest")).status_code == 403
