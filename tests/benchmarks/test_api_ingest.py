"""Benchmark: bulk usage ingest through the API (PostgreSQL), against a plain COPY of the same rows
into a bare table, measured in the same run.

The API path is the whole stack in-process (authentication by token, throttling, parsing,
validation per event, the INSERT … ON CONFLICT with stage derivation, the per-event reply); only
the network is left out. Run with `DATABASE_URL=postgres://… make bench` (.ci/run does).
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from rest_framework.test import APIClient

from assets.models import FunnelStage
from enablement.api.tokens import TokenRateThrottle, api_token_create
from enablement.deals.history import deals_state_recompute
from enablement.models import Deal, StageChange, UsageEvent
from tests.factories import AssetFactory, UserFactory

pytestmark = [pytest.mark.benchmark, pytest.mark.postgres, pytest.mark.django_db]
EVENTS, BATCH, DEALS = 50_000, 1_000, 2_000
T0 = datetime(2026, 1, 1, tzinfo=UTC)


def test_api_bulk_ingest_rate_against_plain_copy(monkeypatch):
    monkeypatch.setattr(TokenRateThrottle, "THROTTLE_RATES", {"api": "100000/minute"})
    admin = UserFactory(username="ingest-admin", role="Admins")
    asset = AssetFactory(slug="ingest-asset")
    deals = Deal.objects.bulk_create(
        Deal(source="native", external_id=f"I{n}", name=f"Deal {n}", owner=admin, created_at=T0)
        for n in range(DEALS)
    )
    proposal = FunnelStage.objects.get(slug="proposal")
    StageChange.objects.bulk_create(
        StageChange(deal=d, stage=proposal, entered_at=T0, external_id="p") for d in deals
    )
    deals_state_recompute(Deal.objects.all())
    _, key = api_token_create(name="ingest", user=admin)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    events = [
        {
            "event_id": f"api-{n}",
            "deal_id": f"I{n % DEALS}",
            "asset": "ingest-asset",
            "action": "viewed",
            "occurred_at": (T0 + timedelta(minutes=n)).isoformat(),
        }
        for n in range(EVENTS)
    ]

    started = time.perf_counter()
    for start in range(0, EVENTS, BATCH):
        reply = client.post("/api/v1/usage-events/", events[start : start + BATCH], format="json")
        assert reply.status_code == 200 and reply.json()["created"] == BATCH
    api_seconds = time.perf_counter() - started
    assert UsageEvent.objects.count() == EVENTS

    rows = [
        (f"copy-{n}", asset.pk, deals[n % DEALS].pk, admin.pk, "viewed", T0 + timedelta(minutes=n))
        for n in range(EVENTS)
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE bare_usage (event_id text, asset_id bigint, deal_id bigint, "
            "rep_id bigint, action text, occurred_at timestamptz)"
        )
        raw = cursor.cursor  # psycopg's own cursor, for COPY
        started = time.perf_counter()
        with raw.copy(
            "COPY bare_usage (event_id, asset_id, deal_id, rep_id, action, occurred_at) FROM STDIN"
        ) as copy:
            for row in rows:
                copy.write_row(row)
        copy_seconds = time.perf_counter() - started
        cursor.execute("SELECT COUNT(*) FROM bare_usage")
        assert cursor.fetchone()[0] == EVENTS

    api_rate, copy_rate = EVENTS / api_seconds, EVENTS / copy_seconds
    print()
    print(f"usage ingest on PostgreSQL, {EVENTS:,} events in batches of {BATCH:,}")
    print(f"  through the API (token, validation, upsert, stages, reply): {api_rate:10,.0f} events/s")
    print(f"  plain COPY into a bare table                              : {copy_rate:10,.0f} events/s")
    print(f"  ratio API / COPY                                          : {api_rate / copy_rate:10.3f}")
