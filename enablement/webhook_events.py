"""The data of the webhook events the deal side sends (docs/sign-in-provisioning-audit-webhooks.md
lists each one's fields).

Each function is called by the service that did the thing, inside its transaction; the delivery
leaves after the commit. Nothing is read when no endpoint subscribes to the event.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import QuerySet, Sum

from config.webhooks.services import webhook_emit, webhook_wanted

USAGE_EVENTS_LISTED = 100


def _deal(deal) -> dict:
    return {
        "deal_id": deal.external_id,
        "name": deal.name,
        "owner": deal.owner.email if deal.owner_id else None,
    }


def _room(room) -> dict:
    return {"id": room.pk, "title": room.title, "deal": _deal(room.deal)}


def room_visit_started(visit) -> None:
    if not webhook_wanted("room.visit_started"):
        return
    room = visit.room
    webhook_emit(
        event="room.visit_started",
        data={
            "room": _room(room),
            "visit": visit.pk,
            "viewer": visit.viewer.email or None,
            "started_at": visit.started_at,
        },
        summary=f"{visit.viewer.email or 'A buyer'} opened “{room.title}” ({room.deal.name}).",
    )


def room_visit_ended(visit) -> None:
    if not webhook_wanted("room.visit_ended"):
        return
    visit.refresh_from_db(fields=["ended_at"])  # set by an UPDATE just before
    room = visit.room
    per_asset = list(
        visit.page_views.values("asset__slug", "asset__title")
        .annotate(seconds=Sum("seconds"))
        .order_by("-seconds", "asset__slug")
    )
    assets = [
        {"slug": r["asset__slug"], "title": r["asset__title"], "seconds": round(r["seconds"], 1)}
        for r in per_asset
    ]
    total = round(sum(a["seconds"] for a in assets), 1)
    webhook_emit(
        event="room.visit_ended",
        data={
            "room": _room(room),
            "visit": visit.pk,
            "viewer": visit.viewer.email or None,
            "started_at": visit.started_at,
            "ended_at": visit.ended_at,
            "seconds": total,
            "assets": assets,
        },
        summary=f"{visit.viewer.email or 'A buyer'} spent {total:.0f} s in “{room.title}” ({room.deal.name})",
    )


def share_viewed(view) -> None:
    if not webhook_wanted("share.viewed"):
        return
    link = view.link
    webhook_emit(
        event="share.viewed",
        data={
            "share": link.pk,
            "asset": {"slug": link.asset.slug, "title": link.asset.title},
            "deal": _deal(link.deal),
            "viewed_at": view.viewed_at,
        },
        summary=f"A buyer opened “{link.asset.title}” shared for {link.deal.name}.",
    )


def usage_recorded(event_ids: Iterable[str], *, events: QuerySet) -> None:
    """One event per recording (a portal action, an API batch), listing its first hundred uses by the
    time they occurred (then event_id), and counting all.

    `events` is every usage event (the usage package's model, which this module below it cannot import).
    """
    event_ids = list(event_ids)
    if not event_ids or not webhook_wanted("usage.recorded"):
        return
    rows = (
        events.filter(event_id__in=event_ids)
        .order_by("occurred_at", "event_id")[:USAGE_EVENTS_LISTED]
        .values("event_id", "deal__external_id", "asset__slug", "rep__username", "action", "occurred_at")
    )
    events = [
        {
            "event_id": r["event_id"],
            "deal_id": r["deal__external_id"],
            "asset": r["asset__slug"],
            "rep": r["rep__username"],
            "action": r["action"],
            "occurred_at": r["occurred_at"],
        }
        for r in rows
    ]
    webhook_emit(
        event="usage.recorded",
        data={"count": len(event_ids), "events": events, "listed": len(events)},
        summary=f"{len(event_ids)} use(s) of assets recorded.",
    )


def analytics_computed(run) -> None:
    if not webhook_wanted("analytics.computed"):
        return
    webhook_emit(
        event="analytics.computed",
        data={
            "run": run.pk,
            "mode": run.mode,
            "computed_at": run.computed_at,
            "deals": run.deals,
            "usage_events": run.usage_events,
            "seconds": run.seconds,
        },
        summary=f"Analytics computed ({run.mode}) over {run.deals} deals.",
    )


def profile_approved(profile) -> None:
    if not webhook_wanted("profile.approved"):
        return
    webhook_emit(
        event="profile.approved",
        data={
            "version": profile.version,
            "summary": profile.summary,
            "industries": profile.industries,
            "size_bands": profile.size_bands,
            "regions": profile.regions,
            "fit_threshold": profile.fit_threshold,
            "approved_by": profile.decided_by.get_username() if profile.decided_by_id else None,
            "approved_at": profile.decided_at,
        },
        summary=f"Buyer profile version {profile.version} approved.",
    )
