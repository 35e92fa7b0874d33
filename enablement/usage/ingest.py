"""Usage events sent by integrations: the API's batch, checked item by item, then recorded in one call
of the usage write path (enablement.usage.services.usage_record_many). Callable from anywhere, e.g. tests.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, User
from django.db.models import Q
from django.utils import timezone
from rest_framework import serializers

from assets.audience import internal_refusal
from assets.models import Asset
from assets.selectors import assets_visible_to
from enablement.choices import DealSource, UsageAction, UsageSource, UsageStatus
from enablement.deals.selectors import deals_visible_to
from enablement.lookups import one_of
from enablement.moments import MomentField
from enablement.usage.lean import PlainRules, plain_event
from enablement.usage.services import usage_record_many

MAX_EVENTS = 1000


class UsageEventInSerializer(serializers.Serializer):
    """One event as an integration sends it; its deal, asset and rep are named, not numbered."""

    event_id = serializers.CharField(max_length=100)
    deal_id = serializers.CharField(max_length=100)
    deal_source = serializers.ChoiceField(choices=DealSource.choices, required=False)
    asset = serializers.SlugField(max_length=200)
    rep = serializers.CharField(
        max_length=254, required=False, help_text="Username or email; default: the caller."
    )
    action = serializers.ChoiceField(choices=UsageAction.choices)
    occurred_at = MomentField(required=False)


def usage_ingest(*, user: AbstractBaseUser, items: list) -> dict:
    """Check and record up to MAX_EVENTS events for `user`: the counts per status and, in the order
    given, each event's id, status and (when not created) messages per field.

    Reps name only their own deals and published assets and record their own usage; those who may see
    every deal may name any rep. An empty or too long batch is a ValidationError.
    """
    if not items or len(items) > MAX_EVENTS:
        raise serializers.ValidationError({"detail": f"Send between 1 and {MAX_EVENTS} events."})
    results, valid = _well_formed(items)
    accepted = _resolved(user, valid, results)
    outcomes = usage_record_many(events=[event for _, event in accepted])
    for (index, event), outcome in zip(accepted, outcomes, strict=True):
        results[index] = {"event_id": event["event_id"], "status": outcome.status}
        if outcome.errors:
            results[index]["errors"] = outcome.errors
    counts = {k: sum(r["status"] == k for r in results) for k in UsageStatus.values}
    return {**counts, "results": results}


def _rejected(event_id: str | None, errors: dict[str, list[str]]) -> dict:
    return {"event_id": event_id, "status": UsageStatus.REJECTED, "errors": errors}


def _well_formed(items: list) -> tuple[list[dict], list[tuple[int, dict]]]:
    """Each item's fields checked; the results so far (rejections) and the (index, data) that passed."""
    valid = []
    results: list[dict] = [{}] * len(items)
    # One serializer for the whole batch: building one per event would copy its fields every time.
    validator = UsageEventInSerializer()
    zone = timezone.get_current_timezone()
    rules = PlainRules.of(validator)
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            results[index] = _rejected(None, {"detail": ["Not an object."]})
            continue
        # Plain events without the serializer (most of the time of a batch went into it per event).
        if (data := plain_event(item, zone, rules)) is not None:
            valid.append((index, data))
            continue
        try:
            data = validator.run_validation(item)
        except serializers.ValidationError as exc:
            event_id = str(item.get("event_id"))[:100] if item.get("event_id") else None
            results[index] = _rejected(event_id, {k: [str(m) for m in v] for k, v in exc.detail.items()})
        else:
            valid.append((index, data))
    return results, valid


def _deals_by_id(user: AbstractBaseUser, valid: list[tuple[int, dict]]) -> dict[str, list]:
    """The deals the user may see among those named, by the source's id (one per source): rows of
    pk, source and external_id, not models (a batch's thousand deals with their account, owner and
    stage took half a worker's time)."""
    named = {d["deal_id"] for _, d in valid}
    rows = (
        deals_visible_to(user)
        .select_related(None)
        .order_by()
        .filter(**one_of("external_id", named))
        .values_list("pk", "source", "external_id", named=True)
    )
    by_id: dict[str, list] = {}
    for deal in rows:
        by_id.setdefault(deal.external_id, []).append(deal)
    return by_id


def _reps(valid: list[tuple[int, dict]]) -> dict[str, User]:
    named = {d["rep"] for _, d in valid if "rep" in d}
    reps = {u.username: u for u in User.objects.filter(Q(username__in=named) | Q(email__in=named))}
    reps.update({u.email: u for u in reps.values() if u.email})
    return reps


def _resolved(user: AbstractBaseUser, valid: list[tuple[int, dict]], results: list[dict]) -> list:
    """Deal, asset and rep of each well-formed event looked up (a few queries for the batch); those
    that do not resolve are rejected in `results`, the others returned as rows for usage_record_many."""
    by_id = _deals_by_id(user, valid)
    assets = {a.slug: a for a in assets_visible_to(user).filter(slug__in={d["asset"] for _, d in valid})}
    reps = _reps(valid)
    sees_every_deal = user.has_perm("enablement.view_all_deals")
    accepted = []
    for index, d in valid:
        candidates = by_id.get(d["deal_id"], [])
        if d.get("deal_source"):
            candidates = [c for c in candidates if c.source == d["deal_source"]]
        asset = assets.get(d["asset"])
        rep = reps.get(d["rep"]) if "rep" in d else user
        errors = _lookup_errors(d, candidates, asset, rep, user, sees_every_deal)
        if errors:
            results[index] = _rejected(d["event_id"], errors)
            continue
        row = {
            "event_id": d["event_id"],
            "asset_id": asset.pk,
            "asset_version_id": asset.current_version_id,
            "deal_id": candidates[0].pk,
            "rep_id": rep.pk,
            "action": d["action"],
            "occurred_at": d.get("occurred_at"),  # none: now, and not compared on a re-send
            "source": UsageSource.API,
        }
        accepted.append((index, row))
    return accepted


def _lookup_errors(
    d: dict, candidates: list, asset: Asset | None, rep, user, sees_every_deal: bool
) -> dict[str, list[str]]:
    errors = {}
    if len(candidates) != 1:
        errors["deal_id"] = [
            "No deal with this id that you may see."
            if not candidates
            else "Several sources have this deal id; give deal_source."
        ]
    if asset is None:  # unknown, or not published for a rep: the same answer
        errors["asset"] = [f"No asset {d['asset']!r}."]
    elif d["action"] == UsageAction.SHARED and (problem := internal_refusal(asset)):
        # An integration reporting that it sent internal material to a buyer: refused as the portal
        # refuses the share itself (imports of past usage keep what happened).
        errors["asset"] = [problem]
    if rep is None:
        errors["rep"] = [f"No user {d['rep']!r}."]
    elif not sees_every_deal and rep != user:
        errors["rep"] = ["Reps record their own usage."]
    return errors
