"""A deal's fit to the approved profile: 0–10 with its reasons, and how it follows the committee."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from enablement.buyers import services
from enablement.buyers.fit import DealFacts, ProfileTerms, deal_fit
from enablement.buyers.models import DealRole, Qualification
from enablement.deals.history import deal_stage_change
from tests.enablement.buyers.conftest import role, stage
from tests.factories import AccountFactory, DealFactory, UserFactory

pytestmark = pytest.mark.django_db

TERMS = ProfileTerms(
    industries=("Software", "Healthcare"),
    size_bands=("201-1000", "1000+"),
    regions=("EMEA",),
    threshold=7,
    expected=((30, "SQL", 1, "Champion"), (50, "Proposal", 2, "Economic buyer")),
)
NAMES = {1: "Champion", 2: "Economic buyer"}


def test_a_hand_computed_fit_with_its_reasons():
    facts = DealFacts(
        industry="software", size="250", region="APAC", stage_order=50, stage_name="Proposal", roles={1}
    )
    score, reasons = deal_fit(TERMS, facts, NAMES)
    # industry 3 + size 2 + region 0 + roles round(3 × 1/2) = 2
    assert score == 7
    assert reasons == [
        "Industry “software” is in the profile (+3).",
        "Size “250” is within the profile's bands (+2).",
        "Region “APAC” is not in the profile (EMEA) (+0).",
        "1 of 2 buyer roles expected by Proposal are in the room (Champion); missing Economic buyer (+2).",
    ]


def test_roles_expected_at_later_stages_are_not_due_yet():
    facts = DealFacts(
        industry="Retail", size="1000+", region="EMEA", stage_order=40, stage_name="Discovery", roles={1}
    )
    score, reasons = deal_fit(TERMS, facts, NAMES)
    assert score == 0 + 2 + 2 + 3
    assert reasons[-1] == "1 of 1 buyer roles expected by Discovery are in the room (Champion) (+3)."


def test_unknown_account_facts_score_nothing_and_say_so():
    score, reasons = deal_fit(TERMS, DealFacts(), NAMES)
    assert score == 0
    assert reasons[:3] == [
        "The account's industry is not known (+0).",
        "The account's size is not known (+0).",
        "The account's region is not known (+0).",
    ]
    missing = "missing Champion, Economic buyer (+0)."
    assert reasons[3] == f"0 of 2 buyer roles expected in the profile are in the room; {missing}"


def test_an_empty_criterion_accepts_any_value():
    score, _ = deal_fit(ProfileTerms((), (), (), 7), DealFacts(industry="Retail"), {})
    assert score == 10


@pytest.mark.parametrize(
    ("size", "inside"),
    [("201", True), ("1,000", True), ("1000+", True), ("200", False), ("51-200", False), ("many", False)],
)
def test_sizes_fall_in_a_band_by_number_or_by_name(size, inside):
    score, _ = deal_fit(ProfileTerms((), ("201-1000", "1000+"), (), 7), DealFacts(size=size), {})
    assert score == (10 if inside else 8)


@pytest.fixture
def deal(rep):
    account = AccountFactory(industry="Software", size="500", region="EMEA")
    deal = DealFactory(owner=rep, account=account, name="Globex expansion")
    deal_stage_change(deal=deal, stage=stage("proposal"), entered_at=timezone.now() - timedelta(days=3))
    return deal


def test_approving_a_profile_scores_every_deal(deal, approved_profile):
    deal.refresh_from_db()
    # 3 + 2 + 2 and no role of the two due by Proposal: 7, in profile from 7
    assert (deal.fit_score, deal.in_profile) == (7, True)
    assert deal.fit_reasons[-1].startswith("0 of 2 buyer roles expected by Proposal")


def test_a_rep_adds_a_role_on_the_deal_page_and_the_fit_follows(client, rep, deal, approved_profile):
    client.force_login(rep)
    response = client.post(
        reverse("deal-role-add", args=[deal.pk]),
        {"role": role("champion").pk, "contact": "Ann Lee"},
        follow=True,
    )
    page = response.content.decode()
    assert "Champion is now on the buying committee." in page
    assert "Ann Lee" in page and "9 / 10" in page
    assert (
        "1 of 2 buyer roles expected by Proposal are in the room (Champion); missing Economic buyer (+2)."
        in page
    )
    member = DealRole.objects.get(deal=deal)
    assert (member.source, member.added_by, member.external_id) == ("portal", rep, "champion|ann lee")

    client.post(reverse("deal-role-remove", args=[deal.pk, member.pk]))
    deal.refresh_from_db()
    assert deal.fit_score == 7 and not DealRole.objects.exists()


def test_adding_the_same_role_and_contact_twice_keeps_one(client, rep, deal):
    client.force_login(rep)
    for _ in range(2):
        response = client.post(
            reverse("deal-role-add", args=[deal.pk]), {"role": role("champion").pk}, follow=True
        )
    assert "Champion was already on the buying committee." in response.content.decode()
    assert DealRole.objects.count() == 1


def test_another_reps_deal_takes_no_role_and_a_bad_role_is_named(client, deal):
    other = UserFactory(role="Reps")
    client.force_login(other)
    assert (
        client.post(reverse("deal-role-add", args=[deal.pk]), {"role": role("champion").pk}).status_code
        == 404
    )
    client.force_login(deal.owner)
    response = client.post(reverse("deal-role-add", args=[deal.pk]), {"role": "999999"}, follow=True)
    assert "Buyer role: Select a valid choice." in response.content.decode()
    assert not DealRole.objects.exists()


def test_the_rep_rates_the_four_as_and_sees_their_mean(client, rep, deal):
    client.force_login(rep)
    ratings = {"alignment": "8", "appropriateness": "6", "authority": "", "action": "7"}
    page = client.post(reverse("deal-qualification", args=[deal.pk]), ratings, follow=True).content.decode()
    assert "Qualification saved." in page and "7.0 / 10" in page
    q = Qualification.objects.get(deal=deal)
    assert (q.alignment, q.authority, q.score, q.updated_by) == (8, None, 7.0, rep)


def test_a_rating_out_of_range_is_refused_and_nothing_changes(client, rep, deal):
    client.force_login(rep)
    page = client.post(
        reverse("deal-qualification", args=[deal.pk]), {"alignment": "11"}, follow=True
    ).content.decode()
    assert "Alignment: Select a valid choice. 11 is not one of the available choices." in page
    assert not Qualification.objects.exists()


def test_without_an_approved_profile_deals_carry_no_score(deal):
    assert services.deals_fit_refresh() == 0
    deal.refresh_from_db()
    assert deal.fit_score is None and deal.in_profile is None


def test_a_deal_with_no_history_yet_has_no_role_due(approved_profile):
    deal = DealFactory(account=AccountFactory(industry="Software", size="500", region="EMEA"))
    services.deals_fit_refresh([deal.pk])
    deal.refresh_from_db()
    assert deal.fit_score == 10
    assert deal.fit_reasons[-1] == "No buyer role is expected before its first stage (+3)."


def test_a_closed_deal_is_held_to_every_role_the_profile_lists(approved_profile):
    deal = DealFactory(account=AccountFactory(industry="Software", size="500", region="EMEA"))
    deal_stage_change(deal=deal, stage=stage("closed-won"), entered_at=timezone.now())
    deal.refresh_from_db()
    assert deal.fit_score == 7
    assert deal.fit_reasons[-1].startswith("0 of 2 buyer roles expected in the profile are in the room")


def test_an_account_edited_in_the_admin_rescores_its_deals(client, admin_user, deal, approved_profile):
    account = deal.account
    client.force_login(admin_user)
    data = {"source": account.source, "external_id": account.external_id, "name": account.name}
    client.post(
        reverse("admin:enablement_account_change", args=[account.pk]),
        {**data, "industry": "Retail", "size": "500", "region": "EMEA"},
    )
    deal.refresh_from_db()
    assert (deal.fit_score, deal.in_profile) == (4, False)
    assert deal.fit_reasons[0] == "Industry “Retail” is not in the profile (Software, Healthcare) (+0)."
