"""The funnel page reads the whole funnel's counts and medians as the run stored them, and shows the
same figures as computing them over every entry on each request did."""

from __future__ import annotations

import random
import statistics
from collections import defaultdict

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from enablement.analytics.engine import analytics_compute
from enablement.analytics.models import StageEntry, StageMetric
from enablement.choices import Outcome
from enablement.deals.history import deals_state_recompute
from enablement.models import Deal
from tests.enablement.analytics.builders import history
from tests.factories import DealFactory

pytestmark = pytest.mark.django_db


def funnel_over_a_year(n: int, seed: int = 3, prefix: str = "") -> None:
    """Deals entering Discovery on days spread over a year and moving on, stalling or being lost."""
    rng = random.Random(seed)
    for i in range(n):
        at = rng.randrange(0, 400) + rng.random()
        steps = [("discovery", at)]
        for stage in ["proposal", "negotiation", "closed-won"]:
            if rng.random() < 0.25:
                steps.append(("closed-lost", at + rng.randrange(1, 40)))
                break
            if rng.random() < 0.15:
                break  # still open
            at += rng.choice([0, 0.5, 1, 2, 3, 7, 12, 30])
            steps.append((stage, at))
        history(DealFactory(external_id=f"{prefix}F-{i}"), *steps)
    deals_state_recompute(Deal.objects.all())


def figures_shown(client) -> dict:
    response = client.get(reverse("analytics-funnel"))
    assert response.status_code == 200
    data, quarters = response.context["data"], response.context["by_quarter"]
    return {
        "stages": [{**row, "stage": row["stage"].slug} for row in data["stages"]],
        "months": data["months"],
        "trend": data["trend"],
        "quarters": quarters["quarters"],
        "quarter_cells": [(row["stage"].slug, row["cells"]) for row in quarters["table"]],
        "chart": response.context["chart"],
        "html": response.text[response.text.index("<h1>") :],
    }


def test_the_funnel_shows_the_same_figures_read_from_the_run_as_computed_over_every_entry(client, marketer):
    funnel_over_a_year(120)
    run = analytics_compute()
    client.force_login(marketer)
    stored = figures_shown(client)
    assert len(stored["months"]) > 6 and len(stored["quarters"]) > 2
    assert any(row["median_days"] for row in stored["stages"])

    # A run made before the breakdowns were stored: the page computes them over every entry, as it did.
    StageMetric.objects.filter(run=run).update(by_month=None, by_quarter=None)
    computed = figures_shown(client)

    assert stored == computed


def test_the_unfiltered_funnel_does_not_go_over_the_entries_for_its_figures(client, marketer):
    funnel_over_a_year(30)
    analytics_compute()
    client.force_login(marketer)
    entries = StageEntry._meta.db_table
    with CaptureQueriesContext(connection) as ctx:
        client.get(reverse("analytics-funnel"))
    over_entries = [q["sql"] for q in ctx.captured_queries if entries in q["sql"]]
    # Only the filter's choices (distinct industries and regions) still read the entries.
    assert len(over_entries) == 2 and all("DISTINCT" in sql for sql in over_entries)


def test_a_filtered_funnel_is_computed_over_the_entries_it_picks(client, marketer):
    funnel_over_a_year(60)
    analytics_compute()
    client.force_login(marketer)
    everything = client.get(reverse("analytics-funnel")).context["data"]["stages"]
    since = client.get(reverse("analytics-funnel"), {"start": "2025-07-01"}).context["data"]["stages"]
    assert sum(r["entered"] for r in since) < sum(r["entered"] for r in everything)


def test_the_funnel_runs_as_many_queries_with_five_deals_as_with_sixty(client, marketer):
    client.force_login(marketer)
    funnel_over_a_year(5)
    analytics_compute()
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("analytics-funnel"))
    funnel_over_a_year(55, seed=4, prefix="more-")
    analytics_compute()
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("analytics-funnel"))
    assert len(few.captured_queries) == len(many.captured_queries)


def test_the_stored_months_and_quarters_are_the_entries_counted_and_their_medians_one_by_one():
    funnel_over_a_year(150, seed=5)
    run = analytics_compute()
    months, quarters = defaultdict(lambda: [0, 0, 0]), defaultdict(lambda: [0, 0, 0])
    advanced_days = defaultdict(list)
    for e in StageEntry.objects.filter(run=run):
        counted = (1, e.outcome == Outcome.ADVANCED, e.outcome == Outcome.LOST)
        for cell in (
            months[(e.stage_id, e.entered_at.strftime("%Y-%m"))],
            quarters[(e.stage_id, str(e.quarter))],
        ):
            cell[:] = [a + b for a, b in zip(cell, counted, strict=True)]
        if e.outcome == Outcome.ADVANCED:
            advanced_days[(e.stage_id, e.quarter)].append(float(e.days))
    stored = {m.stage_id: m for m in StageMetric.objects.filter(run=run)}
    assert {(s, month): cell for s, m in stored.items() for month, cell in m.by_month.items()} == months
    assert {(s, q): cell for s, m in stored.items() for q, cell in m.by_quarter.items()} == {
        (s, q): [*cell, statistics.median(advanced_days[(s, int(q))]) if advanced_days[(s, int(q))] else None]
        for (s, q), cell in quarters.items()
    }
    assert any(len(days) % 2 == 0 for days in advanced_days.values())  # a median between two entries
