"""No page puts a verdict beside an interval that says otherwise: every analytics page, every
asset's analytics page and every asset's portal page, read as text."""

from __future__ import annotations

import pytest
from django.urls import reverse

from enablement.analytics.engine import analytics_compute
from enablement.analytics.models import AssetStageMetric
from tests.enablement.analytics.builders import planted_world
from tests.enablement.analytics.pages import PAGES, pages_read
from tests.enablement.analytics.verdict_words import contradictions

pytestmark = pytest.mark.django_db


def test_the_reader_finds_a_contradiction_when_there_is_one():
    badge = "<td><span class='verdict'>No clear difference</span></td>"
    problems, checked = contradictions(f"<table><tr>{badge}<td>+15 pts (+9 to +21)</td></tr></table>")
    assert checked == 1 and problems and "spans beside +9 to +21" in problems[0]
    sentence = "<p>At Proposal: higher conversion. −28 points (95% interval, adjusted: −49 to −8).</p>"
    assert contradictions(sentence)[0]
    assert contradictions("<p>Lower conversion, −28 points (−49 to −8).</p>") == ([], 1)


def urls_of_every_analytics_and_asset_page() -> list[str]:
    urls = [reverse(name) for name in PAGES]
    for stage in AssetStageMetric.objects.values_list("stage__slug", flat=True).distinct():
        for verdict in ("", "helps", "hurts", "no evidence"):
            urls.append(f"{reverse('analytics-assets')}?stage={stage}&verdict={verdict}")
    for slug in AssetStageMetric.objects.values_list("asset__slug", flat=True).distinct():
        urls += [reverse("analytics-asset", args=[slug]), reverse("asset-detail", args=[slug])]
    return urls


def test_no_analytics_or_asset_page_words_a_verdict_against_its_interval(client, admin_user):
    planted_world(seed=11)
    analytics_compute()
    client.force_login(admin_user)
    problems, checked = pages_read(client, urls_of_every_analytics_and_asset_page())
    assert not problems, "\n".join(problems[:20])
    assert checked > 50  # the tables and sentences were read, not skipped
