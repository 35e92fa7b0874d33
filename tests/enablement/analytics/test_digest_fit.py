"""The weekly digest reports fit and qualification next to the funnel."""

from __future__ import annotations

import pytest
from django.core import mail

from enablement.analytics.engine import analytics_compute
from enablement.analytics.fitness import fit_summary
from enablement.analytics.selectors import current_run
from enablement.buyers.models import Qualification
from enablement.buyers.services import profile_approve, profile_propose, qualification_set
from enablement.tasks import analytics_digest
from tests.enablement.analytics.committee_deals import inquiry_deal

pytestmark = pytest.mark.django_db


def digest_body() -> str:
    """The digest as marketing and the admins receive it (one message, every lead in Bcc)."""
    assert analytics_digest() >= 1
    (message,) = mail.outbox
    return message.body


def test_the_digest_compares_deals_in_and_out_of_profile_and_the_mean_qualification(
    marketer, admin_user, rep, django_capture_on_commit_callbacks
):
    # In profile (Healthcare): one advanced from Proposal (open at Negotiation), one lost, one open.
    # Out: two lost, one advanced (open at Negotiation), one open. Stage entries resolved: in profile
    # 1 advanced + 1 lost = 50%; out 1 advanced + 2 lost = 33%. Open deals: 2 in, 2 out.
    h1, h2, h3 = (
        inquiry_deal(o, industry="Healthcare", stage="proposal") for o in ["advanced", "lost", "open"]
    )
    _, _, s3, _ = (inquiry_deal(o, stage="proposal") for o in ["lost", "lost", "advanced", "open"])
    profile = profile_propose(by=marketer, summary="Hospitals", industries=["Healthcare"], fit_threshold=10)
    with django_capture_on_commit_callbacks(execute=True):  # deals are scored after the commit
        profile_approve(profile=profile, by=admin_user)
    # Scores of open deals: 7 (the mean of the two As rated), 5.5 (the CRM's), 9 (the As win over the
    # CRM's 2); s4 is not rated, h2 is closed. Mean (7 + 5.5 + 9) / 3 = 7.17.
    qualification_set(deal=h1, by=rep, alignment=8, authority=6)
    qualification_set(deal=h3, by=rep, crm_score=5.5)
    qualification_set(deal=s3, by=rep, alignment=9, appropriateness=9, authority=9, action=9, crm_score=2)
    qualification_set(deal=h2, by=rep, alignment=1)
    analytics_compute()
    body = digest_body()
    assert "FIT AND QUALIFICATION" in body and body.index("FUNNEL") < body.index("FIT AND QUALIFICATION")
    assert "Buyer profile version 1 (approved" in body
    assert "- In profile: 2 open deals, conversion 50% over 2 resolved stage entries" in body
    assert "- Out of profile: 2 open deals, conversion 33% over 3 resolved stage entries" in body
    assert "mean 7.2 of 10 over the 3 of 4 open deals rated" in body
    by_property = [q.score for q in Qualification.objects.filter(deal__in=[h1, h3, s3])]
    assert fit_summary(current_run()).mean_score == pytest.approx(sum(by_property) / 3)


def test_without_an_approved_profile_the_digest_says_so_in_one_line(marketer):
    inquiry_deal("lost")
    analytics_compute()
    body = digest_body()
    assert "- No buyer profile is approved yet, so no deal is scored for fit." in body
    assert "In profile" not in body and "no open deal is rated yet" in body
