"""*My deals* (`/deals/`): a rep's every deal, open first, filtered and paged; marketing sees them all.

The deals come in as they do in production, through a native CRM import."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from enablement.models import Deal
from tests.enablement.importing import import_crm
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

STAGES = ["discovery", "proposal", "negotiation"]


@pytest.fixture
def crm(tmp_path: Path) -> Path:
    """25 open deals of Rita (Acme 1 … Acme 25), two won and one lost; four open deals of Omar."""
    deals = ["deal_id,name,account,industry,owner_email,amount,currency,created_at"]
    history = ["deal_id,stage,entered_at"]
    for i in range(1, 26):
        deals.append(f"R-{i},Platform {i},Acme {i},Software,rita@example.com,{1000 * i},USD,2026-01-01")
        history.append(f"R-{i},{STAGES[i % 3]},2026-01-{i:02d}T09:00:00Z")
    for i, outcome in enumerate(["closed-won", "closed-won", "closed-lost"], start=1):
        deals.append(f"RC-{i},Renewal {i},Initech {i},Software,rita@example.com,500,USD,2025-06-01")
        history.append(f"RC-{i},proposal,2025-07-01T09:00:00Z")
        history.append(f"RC-{i},{outcome},2025-08-0{i}T09:00:00Z")
    for i in range(1, 5):
        deals.append(f"O-{i},Umbrella {i},Umbrella Corp,Retail,omar@example.com,800,USD,2026-01-01")
        history.append(f"O-{i},proposal,2026-01-05T09:00:00Z")
    (tmp_path / "deals.csv").write_text("\n".join(deals) + "\n")
    (tmp_path / "stage_history.csv").write_text("\n".join(history) + "\n")
    import_crm("native", str(tmp_path))
    return tmp_path


def rita():
    return User.objects.get(email="rita@example.com")


def listed(client, **params) -> list[str]:
    """The deal names in the page's table, in order."""
    response = client.get(reverse("deal-list"), params)
    assert response.status_code == 200
    return re.findall(r'data-label="Deal"><a href="/deals/\d+/">([^<]+)</a>', response.text)


def test_a_rep_sees_all_25_open_deals_over_two_pages_before_the_closed_ones(client, crm):
    client.force_login(rita())
    first, second = listed(client), listed(client, page=2)
    assert len(first) == 20 and len(second) == 8
    open_ones = {f"Platform {i}" for i in range(1, 26)}
    assert set(first) | set(second[:5]) == open_ones  # open first, all 25
    assert set(second[5:]) == {"Renewal 1", "Renewal 2", "Renewal 3"}
    assert not any(name.startswith("Umbrella") for name in first + second)


def test_another_reps_deal_is_neither_listed_nor_found_by_search(client, crm):
    client.force_login(rita())
    assert listed(client, q="Umbrella") == []
    response = client.get(reverse("deal-list"), {"q": "Umbrella"})
    assert "No deal matches these filters" in response.text
    assert "Every rep" not in response.text  # a rep has no one else's deals to pick


def test_a_rep_filters_by_open_won_or_lost_and_by_stage(client, crm):
    client.force_login(rita())
    open_ones = listed(client, status="open") + listed(client, status="open", page=2)
    assert sorted(open_ones) == sorted(f"Platform {i}" for i in range(1, 26))
    assert sorted(listed(client, status="won")) == ["Renewal 1", "Renewal 2"]
    assert listed(client, status="lost") == ["Renewal 3"]
    at_proposal = listed(client, stage="proposal")
    assert sorted(at_proposal, key=lambda n: int(n.split()[1])) == [
        f"Platform {i}" for i in range(1, 26) if STAGES[i % 3] == "proposal"
    ]


def test_a_rep_searches_by_deal_name_or_account_name(client, crm):
    client.force_login(rita())
    assert listed(client, q="platform 12") == ["Platform 12"]
    assert listed(client, q="acme 25") == ["Platform 25"]  # by the account: no deal is named Acme
    assert sorted(listed(client, q="initech")) == ["Renewal 1", "Renewal 2", "Renewal 3"]


def test_open_deals_come_most_recently_changed_first(client, crm):
    client.force_login(rita())
    deal = Deal.objects.get(external_id="R-3")
    deal.name = "Platform 3 (just edited)"
    deal.save()  # as the admin's edit does: updated_at moves
    assert listed(client)[0] == "Platform 3 (just edited)"


def test_marketing_sees_every_deal_and_can_pick_one_rep(client, crm):
    client.force_login(UserFactory(username="mia", role="Marketing"))
    assert len(listed(client)) == 20 and len(listed(client, page=2)) == 12  # 25 + 3 + 4
    omar = User.objects.get(email="omar@example.com")
    assert sorted(listed(client, rep=omar.username)) == [f"Umbrella {i}" for i in range(1, 5)]
    page = client.get(reverse("deal-list")).text
    assert "Owner" in page and "Every rep" in page


def test_a_bad_filter_is_named_and_left_out_while_the_rest_apply(client, crm):
    client.force_login(UserFactory(username="mia", role="Marketing"))
    response = client.get(reverse("deal-list"), {"stage": "no-such-stage", "rep": "nobody", "status": "lost"})
    assert response.status_code == 200
    assert response.text.count("It was left out.") == 2
    assert "Select a valid choice" in response.text
    assert listed(client, stage="no-such-stage", rep="nobody", status="lost") == ["Renewal 3"]


def test_a_page_number_out_of_range_shows_the_last_page(client, crm):
    client.force_login(rita())
    assert listed(client, page=99) == listed(client, page=2)
    assert listed(client, page="x") == listed(client)


def test_the_home_page_links_to_every_open_deal_when_it_shows_only_some(client, crm):
    client.force_login(rita())
    home = client.get(reverse("home")).text
    assert "See all 25 open deals" in home
    assert f'href="{reverse("deal-list")}?status=open"' in home


def test_the_navigation_names_the_list_for_each_role(client, crm):
    client.force_login(rita())
    assert ">My deals</a>" in client.get(reverse("home")).text
    client.force_login(UserFactory(username="mia", role="Marketing"))
    assert ">Deals</a>" in client.get(reverse("home")).text


def test_each_deal_says_since_when_it_is_in_its_stage_or_when_it_closed(client, crm):
    client.force_login(rita())
    page = client.get(reverse("deal-list"), {"q": "platform 12"}).text
    assert "since 12 Jan 2026" in page  # its history's latest row
    closed = client.get(reverse("deal-list"), {"status": "lost"}).text
    assert "closed 3 Aug 2025" in closed
