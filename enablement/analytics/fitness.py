"""Fit and qualification for the weekly digest: open deals in and out of the approved buyer profile
with their conversion in the current run, and the mean "4 As" qualification score of open deals.
A fixed number of grouped queries, whatever the number of deals."""

from __future__ import annotations

import operator
from dataclasses import dataclass
from functools import reduce

from django.db.models import Avg, Case, Count, F, FloatField, Q, Value, When
from django.db.models.functions import Cast, Coalesce

from enablement.analytics import stats
from enablement.analytics.models import AnalyticsRun, StageEntry
from enablement.buyers.models import FOUR_AS, BuyerProfile, Qualification
from enablement.buyers.services import current_profile
from enablement.choices import Outcome
from enablement.deals.models import Deal


@dataclass
class FitGroup:
    """Deals on one side of the profile: how many are open, and how their stage entries in the run
    resolved (conversion = advanced ÷ (advanced + lost), every stage pooled)."""

    label: str
    open_deals: int = 0
    advanced: int = 0
    lost: int = 0

    @property
    def resolved(self) -> int:
        return self.advanced + self.lost

    @property
    def rate(self) -> float | None:
        return stats.rate(self.advanced, self.resolved)


@dataclass
class FitSummary:
    profile: BuyerProfile | None
    groups: list[FitGroup]  # in profile, out of profile; empty without an approved profile
    unscored: int  # open deals with no fit score yet (none while no profile is approved)
    open_deals: int
    rated: int  # open deals with a qualification score
    mean_score: float | None


def qualification_score():
    """Qualification.score as SQL: the mean of the As rated, else the CRM's score (None if neither)."""
    rated = reduce(
        operator.add,
        (Case(When(**{f"{a}__isnull": False}, then=Value(1)), default=Value(0)) for a in FOUR_AS),
    )
    total = reduce(operator.add, (Coalesce(a, Value(0)) for a in FOUR_AS))
    return Case(
        When(~Q(**{f"{a}__isnull": True for a in FOUR_AS}), then=Cast(total, FloatField()) / rated),
        default=Cast("crm_score", FloatField()),
        output_field=FloatField(),
    )


def fit_summary(run: AnalyticsRun | None) -> FitSummary:
    open_deals = Deal.objects.filter(closed_at__isnull=True)
    scores = (
        Qualification.objects.filter(deal__closed_at__isnull=True)
        .annotate(s=qualification_score())
        .aggregate(mean=Avg("s"), rated=Count("pk", filter=Q(s__isnull=False)))
    )
    profile = current_profile()
    summary = FitSummary(
        profile=profile,
        groups=[],
        unscored=0,
        open_deals=open_deals.count(),
        rated=scores["rated"],
        mean_score=scores["mean"],
    )
    if profile is None:
        return summary
    side = {True: FitGroup("in profile"), False: FitGroup("out of profile")}
    for in_profile, n in open_deals.values_list("in_profile").annotate(n=Count("pk")).order_by():
        if in_profile is None:
            summary.unscored = n
        else:
            side[in_profile].open_deals = n
    entries = StageEntry.objects.filter(run=run, deal__in_profile__isnull=False)
    for row in (
        entries.values(fit=F("deal__in_profile"))
        .annotate(
            advanced=Count("pk", filter=Q(outcome=Outcome.ADVANCED)),
            lost=Count("pk", filter=Q(outcome=Outcome.LOST)),
        )
        .order_by()
    ):
        side[row["fit"]].advanced, side[row["fit"]].lost = row["advanced"], row["lost"]
    summary.groups = [side[True], side[False]]
    return summary
