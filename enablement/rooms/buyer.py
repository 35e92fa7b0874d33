"""The buyer's room at /r/<token>/: its gate, its pages, its files and the reading events."""

from __future__ import annotations

import json
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from assets.previews import asset_preview
from assets.renditions.views import thumbnail_response, viewable_pdf_response
from config.client_address import client_address
from config.json_input import JSONInputError, json_read
from enablement.rooms import gate, reading, visits
from enablement.rooms.forms import CodeForm, EmailForm, PasscodeForm
from enablement.rooms.models import VISIT_IDLE_MINUTES, DealRoom, RoomItem, Visit
from enablement.rooms.selectors import (
    page_totals,
    room_asset_for_buyer,
    room_by_token,
    room_items_for_buyer,
)
from enablement.sharing.views import buyer_asset_file

BUYER_COOKIE = "buyer_id"
VISIT_COOKIE = "room_visit"
GATE_MAX_AGE = 30 * 24 * 3600
EVENTS_MAX_BYTES = 64 * 1024


def _gone(request: HttpRequest, reason: str) -> HttpResponse:
    return render(request, "enablement/buyer_gone.html", {"reason": reason}, status=410)


def _gate_cookie(room: DealRoom) -> str:
    return f"room_gate_{room.pk}"


def _gate_state(request: HttpRequest, room: DealRoom) -> dict:
    raw = request.get_signed_cookie(
        _gate_cookie(room), default="", salt=f"room-gate:{room.token}", max_age=GATE_MAX_AGE
    )
    try:
        state = json.loads(raw) if raw else {}
    except ValueError:
        state = {}
    return state if isinstance(state, dict) else {}


def _gate_open(room: DealRoom, state: dict) -> bool:
    return (not room.has_passcode or state.get("passcode") is True) and (
        not room.email_gate
        or (isinstance(state.get("email"), str) and not gate.email_refusal(room=room, email=state["email"]))
    )


def _cookie_flags() -> dict:
    return {"httponly": True, "samesite": "Lax", "secure": settings.SESSION_COOKIE_SECURE}


def _remember_gate(response: HttpResponse, room: DealRoom, state: dict) -> HttpResponse:
    response.set_signed_cookie(
        _gate_cookie(room),
        json.dumps(state),
        salt=f"room-gate:{room.token}",
        max_age=GATE_MAX_AGE,
        path=f"/r/{room.token}/",
        **_cookie_flags(),
    )
    return response


def _gate_page(request: HttpRequest, room: DealRoom, state: dict) -> HttpResponse:
    """Passcode first, then the email and its code; a step passed is remembered in a signed cookie."""
    context: dict = {
        "room": room,
        "retention_days": settings.ROOM_VISIT_RETENTION_DAYS,
        "gate_email": gate.email_normal(request.POST.get("email", "")[:254]),
    }
    client = gate.client_hash(room=room, address=client_address(request))
    if room.has_passcode and state.get("passcode") is not True:
        return _passcode_step(request, room, state, context, client)
    if request.method == "POST" and "code" in request.POST:
        return _code_step(request, room, state, context)
    return _email_step(request, room, context, client)


def _passcode_step(
    request: HttpRequest, room: DealRoom, state: dict, context: dict, client: str
) -> HttpResponse:
    form = PasscodeForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            opened = gate.passcode_check(room=room, passcode=form.cleaned_data["passcode"], client=client)
        except ValidationError as exc:
            form.add_error("passcode", exc.message_dict["passcode"])
        else:
            if opened:
                return _remember_gate(
                    redirect("room-buyer", token=room.token), room, {**state, "passcode": True}
                )
            form.add_error("passcode", "That passcode is not right.")
    status = 403 if form.is_bound else 200
    return render(request, "rooms/gate.html", {**context, "step": "passcode", "form": form}, status=status)


def _code_step(request: HttpRequest, room: DealRoom, state: dict, context: dict) -> HttpResponse:
    form = CodeForm(request.POST)
    if form.is_valid():
        email = form.cleaned_data["email"]
        if not gate.email_refusal(room=room, email=email) and gate.email_challenge_verify(
            room=room, email=email, code=form.cleaned_data["code"]
        ):
            return _remember_gate(redirect("room-buyer", token=room.token), room, {**state, "email": email})
        form.add_error("code", "That code is not right, or it has expired. Ask for a new one.")
    return render(request, "rooms/gate.html", {**context, "step": "code", "form": form}, status=403)


def _email_step(request: HttpRequest, room: DealRoom, context: dict, client: str) -> HttpResponse:
    form = EmailForm(request.POST if request.method == "POST" else None)
    if not form.is_bound:
        return render(request, "rooms/gate.html", {**context, "step": "email", "form": form})
    if not form.is_valid():
        return render(request, "rooms/gate.html", {**context, "step": "email", "form": form}, status=400)
    email = form.cleaned_data["email"]
    try:
        gate.email_challenge_send(room=room, email=email, client=client)
    except ValidationError as exc:
        form.add_error("email", exc.message_dict.get("email", exc.messages))
        return render(request, "rooms/gate.html", {**context, "step": "email", "form": form}, status=403)
    code_form = CodeForm(initial={"email": email})
    return render(request, "rooms/gate.html", {**context, "step": "code", "form": code_form, "sent": True})


def _live_room(token: str) -> tuple[DealRoom | None, str]:
    room = room_by_token(token)
    if room is None:
        return None, "expired"
    return room, room.unavailable_reason()


def _visit_for(request: HttpRequest, room: DealRoom, state: dict) -> tuple[Visit | None, str]:
    """The visit this page records into (None past the bound on visits begun without the cookie),
    and the browser's cookie."""
    cookie = request.COOKIES.get(BUYER_COOKIE, "")
    cookieless = ""
    if not (20 <= len(cookie) <= 64 and cookie.replace("-", "").replace("_", "").isalnum()):
        cookie = secrets.token_urlsafe(32)
        cookieless = gate.client_hash(room=room, address=client_address(request))
    visit = visits.visit_open(
        room=room,
        email=state.get("email", "") if room.email_gate else "",
        cookie=cookie,
        key=request.COOKIES.get(VISIT_COOKIE, ""),
        cookieless_client=cookieless,
    )
    return visit, cookie


def _with_visit_cookies(
    response: HttpResponse, room: DealRoom, visit: Visit | None, cookie: str
) -> HttpResponse:
    # A random id for this browser (only its keyed hash is stored) and the visit going on.
    response.set_cookie(BUYER_COOKIE, cookie, max_age=365 * 24 * 3600, path="/r/", **_cookie_flags())
    if visit is not None:
        response.set_cookie(
            VISIT_COOKIE,
            visit.key,
            max_age=VISIT_IDLE_MINUTES * 60,
            path=f"/r/{room.token}/",
            **_cookie_flags(),
        )
    return response


def _tracking(
    room: DealRoom, visit: Visit | None, asset_id: int | None = None, pages: dict | None = None
) -> dict | None:
    if visit is None:
        return None  # nothing is recorded: the page runs no tracking script
    return {
        "visit": visit.key,
        "events": reverse("room-events", args=[room.token]),
        "asset": asset_id,
        "pages": {str(p): s for p, s in (pages or {}).items()},
    }


def room_buyer(request: HttpRequest, token: str) -> HttpResponse:
    """The buyer's room: no login; behind its passcode and email gate; each visit recorded."""
    room, reason = _live_room(token)
    if reason:
        return _gone(request, reason)
    state = _gate_state(request, room)
    if not _gate_open(room, state):
        return _gate_page(request, room, state)
    if request.method == "POST":
        return redirect("room-buyer", token=room.token)
    visit, cookie = _visit_for(request, room, state)
    context = {
        "room": room,
        "retention_days": settings.ROOM_VISIT_RETENTION_DAYS,
        "items": room_items_for_buyer(room),
        "tracking": _tracking(room, visit),
    }
    return _with_visit_cookies(render(request, "rooms/room.html", context), room, visit, cookie)


def room_asset(request: HttpRequest, token: str, asset_id: int) -> HttpResponse:
    room, reason = _live_room(token)
    if reason:
        return _gone(request, reason)
    state = _gate_state(request, room)
    if not _gate_open(room, state):
        return redirect("room-buyer", token=room.token)
    item = room_asset_for_buyer(room, asset_id)
    if item is None:
        return _gone(request, "unpublished")
    visit, cookie = _visit_for(request, room, state)
    asset = item.asset
    context = {
        "room": room,
        "retention_days": settings.ROOM_VISIT_RETENTION_DAYS,
        "item": item,
        "asset": asset,
        "preview": asset_preview(asset),
        "tracking": _tracking(room, visit, asset.pk, page_totals(visit, asset.pk) if visit else None),
    }
    return _with_visit_cookies(render(request, "rooms/asset.html", context), room, visit, cookie)


def _item_behind_gate(
    request: HttpRequest, token: str, asset_id: int
) -> tuple[RoomItem | None, HttpResponse | None]:
    """The room's item for a file, or (None, the refusal): gone, gate not passed, not in the room."""
    room, reason = _live_room(token)
    if reason:
        return None, _gone(request, reason)
    if not _gate_open(room, _gate_state(request, room)):
        return None, render(request, "enablement/buyer_gone.html", {"reason": "no_download"}, status=403)
    item = room_asset_for_buyer(room, asset_id)
    return item, (_gone(request, "unpublished") if item is None else None)


@xframe_options_sameorigin
def room_file(request: HttpRequest, token: str, asset_id: int) -> HttpResponse:
    """An asset's file for the room's viewer; without the download switch only inline-safe files, inline."""
    item, refusal = _item_behind_gate(request, token, asset_id)
    if item is None:
        return refusal
    return buyer_asset_file(request, item.asset, allow_download=item.room.allow_download)


def room_pages(request: HttpRequest, token: str, asset_id: int) -> HttpResponse:
    """The PDF the room's page viewer reads (a deck's or document's rendition)."""
    item, refusal = _item_behind_gate(request, token, asset_id)
    return refusal if item is None else viewable_pdf_response(item.asset)


def room_thumbnail(request: HttpRequest, token: str, asset_id: int) -> HttpResponse:
    item, refusal = _item_behind_gate(request, token, asset_id)
    return refusal if item is None else thumbnail_response(item.asset)


# sendBeacon cannot carry a CSRF header; the unguessable visit key is what lets a page write events.
@csrf_exempt
@require_POST
def room_events(request: HttpRequest, token: str) -> JsonResponse:
    """Reading events, as a JSON list of {visit, kind, asset, page, seconds, at}."""
    room, reason = _live_room(token)
    if reason:
        return JsonResponse({"detail": f"This room is no longer live ({reason})."}, status=410)
    if not _gate_open(room, _gate_state(request, room)):
        return JsonResponse({"detail": "Open the room (passcode, email) before sending events."}, status=403)
    if len(request.body) > EVENTS_MAX_BYTES:
        return JsonResponse({"detail": f"Send at most {EVENTS_MAX_BYTES} bytes at once."}, status=413)
    try:
        events = json_read(request.body)
    except JSONInputError as exc:
        return JsonResponse({"detail": str(exc)}, status=400)
    if not isinstance(events, list) or not events:
        return JsonResponse({"events": ["Send a non-empty JSON list of events."]}, status=400)
    first = events[0]
    visit_key = first.get("visit") if isinstance(first, dict) else None
    if not isinstance(visit_key, str):
        return JsonResponse({"[0].visit": ["Each event names its visit."]}, status=400)
    try:
        outcome = reading.events_record(room=room, visit_key=visit_key, events=events)
    except ValidationError as exc:
        errors = exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
        return JsonResponse(errors, status=400)
    return JsonResponse({"accepted": outcome.accepted, "pages": outcome.pages, "ended": outcome.ended})
