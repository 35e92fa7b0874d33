"""The API's lean check of a usage event (enablement.usage.lean) says what the serializer says: on
generated events, plain or hostile, it either leaves the event to the serializer or gives exactly the
serializer's result, so no rule is written twice in a way that can drift."""

from __future__ import annotations

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from rest_framework import serializers

from enablement.usage.ingest import UsageEventInSerializer
from enablement.usage.lean import PlainRules, plain_event

TEXT = st.one_of(
    st.text(min_size=0, max_size=12),
    st.sampled_from(
        ["D-1", " D-1", "D-1 ", "a\x00b", "\ud800", "x" * 101, "x" * 100, "", "roi-calc", "ROI_2"]
    ),
)
VALUE = st.one_of(TEXT, st.integers(), st.none(), st.booleans(), st.lists(st.integers(), max_size=1))
WHEN = st.one_of(
    st.sampled_from(
        [
            "2026-03-02T09:00:00Z",
            "2026-03-02T09:00:00+02:00",
            "2026-03-02T09:00:00",
            "2026-03-02",
            "1900-01-01T00:00:00Z",
            "9999-12-31T23:59:59+00:00",
            "2026-02-30T09:00:00Z",
            "2026-03-02T09:00:00.123456-05:30",
        ]
    ),
    VALUE,
)
ITEMS = st.fixed_dictionaries(
    {},
    optional={
        "event_id": VALUE,
        "deal_id": VALUE,
        "asset": st.one_of(st.sampled_from(["roi-calc", "roi calc", "roi-calc\n", "é", "a" * 201]), VALUE),
        "action": st.one_of(st.sampled_from(["viewed", "shared", "Viewed", "waved", " viewed"]), VALUE),
        "deal_source": st.one_of(st.sampled_from(["salesforce", "native", "crm"]), VALUE),
        "rep": VALUE,
        "occurred_at": WHEN,
    },
)


@given(item=ITEMS)
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_the_lean_check_gives_the_serializers_result_or_leaves_the_event_to_it(item):
    serializer = UsageEventInSerializer()
    lean = plain_event(item, timezone.get_current_timezone(), PlainRules.of(serializer))
    try:
        expected = dict(serializer.run_validation(item))
    except serializers.ValidationError:
        expected = None
    event("lean" if lean is not None else "serializer")  # see --hypothesis-show-statistics
    if lean is not None:
        assert lean == expected


@pytest.mark.parametrize(
    "item",
    [
        {"event_id": "e-1", "deal_id": "D-1", "asset": "roi-calc", "action": "viewed"},
        {
            "event_id": "e-2",
            "deal_id": "D-1",
            "deal_source": "salesforce",
            "asset": "roi_calc-2",
            "rep": "rep@example.com",
            "action": "shared",
            "occurred_at": "2026-03-02T09:00:00+02:00",
        },
    ],
)
def test_the_plain_events_integrations_send_are_checked_without_the_serializer(item):
    serializer = UsageEventInSerializer()
    lean = plain_event(item, timezone.get_current_timezone(), PlainRules.of(serializer))
    assert lean is not None and lean == dict(serializer.run_validation(item))
