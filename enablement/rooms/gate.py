"""The room's gate: its passcode, the email gate's one-time codes, and the keyed hashes of a buyer's
cookie and of a client's address."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import logging
import math
import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone

from enablement.rooms.models import (
    CookielessOpening,
    DealRoom,
    EmailChallenge,
    PasscodeFailure,
)

logger = logging.getLogger(__name__)

CODE_MINUTES = 15
CODE_ATTEMPTS = 5
# Wrong passcodes from one client (PASSCODE_FAILURES), or from all clients together
# (ROOM_PASSCODE_FAILURES), within PASSCODE_PAUSE pause that client, or the whole room. Per client so
# that someone with the link cannot keep the real buyer out; the room's ceiling still bounds guessing
# from many addresses at once.
PASSCODE_FAILURES = 10
ROOM_PASSCODE_FAILURES = 100
PASSCODE_PAUSE = timedelta(minutes=15)
# The email gate must not be a way to flood inboxes: codes one address and one room may be sent per
# hour, and different addresses one client may have codes sent to in that hour.
CODES_PER_ADDRESS_HOUR = 5
CODES_PER_ROOM_HOUR = 30
ADDRESSES_PER_CLIENT_HOUR = 5
CODE_WINDOW = timedelta(hours=1)
# Visits one client may begin in a room without the buyer cookie are counted over this window.
COOKIELESS_WINDOW = timedelta(hours=1)


def email_normal(email: str) -> str:
    """An address as the gate stores and compares it: without blanks around it, in lower case."""
    return email.strip().lower()


def _keyed(message: bytes) -> str:
    """HMAC-SHA256 of `message` under the site's secret key: what the gate stores instead of a value."""
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


def client_hash(*, room: DealRoom, address: str) -> str:
    """A keyed hash of a client's address, different per room: no address is stored, and the same
    client in two rooms cannot be linked. An IPv6 client is its /64 network: a home or office gets a
    whole /64, and could otherwise take a fresh address for every guess."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        key = address
    else:
        # An IPv4 client seen through an IPv6 socket (::ffff:a.b.c.d) is that IPv4 address: as a
        # /64 it would be ::/64, every IPv4 client at once.
        ip = getattr(ip, "ipv4_mapped", None) or ip
        key = str(ipaddress.ip_network(f"{ip}/64", strict=False)) if ip.version == 6 else str(ip)
    message = f"deal-room-client:{room.pk}:{key}".encode()
    return _keyed(message)


def cookie_hash(*, room: DealRoom, cookie: str) -> str:
    """A keyed hash of the buyer's cookie, different per room: the same browser in two rooms cannot
    be linked, and without the site's secret key the cookie cannot be recovered or guessed."""
    message = f"deal-room-viewer:{room.pk}:{cookie}".encode()
    return _keyed(message)


def client_hashes_forget(*, now: datetime | None = None) -> None:
    """Keep a client's hash no longer than its limit needs it: a wrong passcode for PASSCODE_PAUSE, a
    code request for CODE_WINDOW, a room opened without the cookie for COOKIELESS_WINDOW. Run at each
    gate decision and by the idle sweep, so the hashes go
    even when no one tries the gate again."""
    now = now or timezone.now()
    PasscodeFailure.objects.filter(failed_at__lte=now - PASSCODE_PAUSE).delete()
    CookielessOpening.objects.filter(opened_at__lte=now - COOKIELESS_WINDOW).delete()
    EmailChallenge.objects.filter(created_at__lte=now - CODE_WINDOW).exclude(client_hash="").update(
        client_hash=""
    )


def room_lock(room: DealRoom) -> None:
    # One gate decision at a time per room, so that concurrent requests cannot all slip under a limit.
    list(DealRoom.objects.select_for_update().filter(pk=room.pk).values_list("pk", flat=True))


def _minutes_left(times: Iterable[datetime], *, limit: int, window: timedelta) -> int | None:
    """Whole minutes until fewer than `limit` of `times` (newest first, all within `window`) are
    within it, or None when fewer already are."""
    newest = list(times)[:limit]
    if len(newest) < limit:
        return None
    seconds = (newest[-1] + window - timezone.now()).total_seconds()
    return max(1, math.ceil(seconds / 60))


def _wait(minutes: int) -> str:
    return f"try again in {minutes} minute{'' if minutes == 1 else 's'}"


@transaction.atomic
def passcode_check(*, room: DealRoom, passcode: str, client: str) -> bool:
    """Whether `passcode` opens the room for `client` (a `client_hash`).

    A client with PASSCODE_FAILURES wrong ones in the last PASSCODE_PAUSE is refused every passcode,
    right or wrong, until the oldest of them is that old; after ROOM_PASSCODE_FAILURES from all clients
    together, so is everyone. A refused try is not counted, so a paused client adds nothing to the
    room's ceiling. The counts live in the database: a Redis outage neither opens nor closes the gate.
    """
    room_lock(room)
    since = timezone.now() - PASSCODE_PAUSE
    client_hashes_forget()
    recent = PasscodeFailure.objects.filter(room=room, failed_at__gt=since)
    stamps = recent.order_by("-failed_at").values_list("failed_at", flat=True)
    limit = PASSCODE_FAILURES
    if minutes := _minutes_left(
        stamps.filter(client_hash=client)[:limit], limit=limit, window=PASSCODE_PAUSE
    ):
        raise ValidationError(
            {"passcode": f"Too many wrong passcodes from your connection; {_wait(minutes)}."}
        )
    limit = ROOM_PASSCODE_FAILURES
    if minutes := _minutes_left(stamps[:limit], limit=limit, window=PASSCODE_PAUSE):
        raise ValidationError(
            {"passcode": f"Too many wrong passcodes were given for this room; {_wait(minutes)}."}
        )
    if room.passcode_hash and check_password(passcode, room.passcode_hash):
        recent.filter(client_hash=client).delete()  # a buyer's earlier typos do not follow them
        return True
    PasscodeFailure.objects.create(room=room, client_hash=client)
    if recent.count() == ROOM_PASSCODE_FAILURES:
        logger.warning(
            "Deal room %s (deal %s): %d wrong passcodes from several addresses within %d minutes; "
            "its passcode form is paused for everyone. Consider a new passcode or a new room.",
            room.pk,
            room.deal_id,
            ROOM_PASSCODE_FAILURES,
            PASSCODE_PAUSE.total_seconds() // 60,
        )
    return False


def _code_hash(room: DealRoom, email: str, code: str) -> str:
    message = f"deal-room-code:{room.pk}:{email}:{code}".encode()
    return _keyed(message)


def email_refusal(*, room: DealRoom, email: str) -> str | None:
    """Why this address may not read the room, or None."""
    try:
        validate_email(email)
    except ValidationError:
        return "Enter your work email address, like name@company.com."
    domain = email.rsplit("@", 1)[1].lower()
    if room.domains and not any(domain == d or domain.endswith("." + d) for d in room.domains):
        return f"This room is open to addresses at {', '.join(room.domains)} only."
    return None


def _code_refusal(*, room: DealRoom, email: str, client: str) -> str | None:
    """Why no code may be sent now, saying when to ask again; or None."""
    since = timezone.now() - CODE_WINDOW
    client_hashes_forget()
    sent = EmailChallenge.objects.filter(room=room, created_at__gt=since)
    newest = sent.order_by("-created_at").values_list("created_at", flat=True)
    limit = CODES_PER_ADDRESS_HOUR
    if minutes := _minutes_left(newest.filter(email=email)[:limit], limit=limit, window=CODE_WINDOW):
        return f"Too many codes were sent to this address; {_wait(minutes)}."
    # An address leaves the client's count an hour after the client last asked for it.
    asked = sent.filter(client_hash=client).values("email").annotate(last=Max("created_at"))
    last_asked = {row["email"]: row["last"] for row in asked}
    limit = ADDRESSES_PER_CLIENT_HOUR
    if email not in last_asked and (
        minutes := _minutes_left(sorted(last_asked.values(), reverse=True), limit=limit, window=CODE_WINDOW)
    ):
        return (
            f"Codes were asked for {limit} different addresses from your connection in the last hour; "
            f"use one of those, or {_wait(minutes)}."
        )
    limit = CODES_PER_ROOM_HOUR
    if minutes := _minutes_left(newest[:limit], limit=limit, window=CODE_WINDOW):
        return f"Too many codes were sent for this room; {_wait(minutes)}."
    return None


NOT_SENT = "We could not send the code; try again in a minute."


@transaction.atomic
def _challenge_create(*, room: DealRoom, email: str, client: str) -> tuple[EmailChallenge, str]:
    """Under the room's lock: the limits, then a new code (only its keyed hash is stored)."""
    room_lock(room)
    if problem := _code_refusal(room=room, email=email, client=client):
        raise ValidationError({"email": problem})
    code = f"{secrets.randbelow(10**6):06d}"
    challenge = EmailChallenge.objects.create(
        room=room,
        email=email,
        client_hash=client,
        code_hash=_code_hash(room, email, code),
        expires_at=timezone.now() + timedelta(minutes=CODE_MINUTES),
    )
    return challenge, code


def email_challenge_send(*, room: DealRoom, email: str, client: str) -> EmailChallenge:
    """Email a six-digit code to a buyer's work address, asked for by `client` (a `client_hash`).

    The code is stored (and the room's lock let go) before the mail is sent: a slow or hung mail
    server (EMAIL_TIMEOUT bounds it) never holds other buyers of the room at the gate. A code that
    could not be sent is expired at once but still counts toward the limits, so a mail outage cannot
    be used to make the site try the mail server without end; the buyer is told to try again.
    """
    email = email_normal(email)
    if problem := email_refusal(room=room, email=email):
        raise ValidationError({"email": problem})
    challenge, code = _challenge_create(room=room, email=email, client=client)
    try:
        send_mail(
            subject=f"Your code for “{room.title}”",
            message=(
                f"Your code is {code}\n\nEnter it on the page to open “{room.title}”. "
                f"It works for {CODE_MINUTES} minutes. If you did not ask for it, ignore this email."
            ),
            from_email=None,
            recipient_list=[email],
        )
    # Whatever the mail backend raises (refused, timed out, TLS, credentials), the buyer gets a
    # sentence and the operator the traceback.
    except Exception:
        logger.exception("Deal room %s: the code email could not be sent", room.pk)
        EmailChallenge.objects.filter(pk=challenge.pk).update(expires_at=timezone.now())
        raise ValidationError({"email": NOT_SENT}) from None
    return challenge


@transaction.atomic
def email_challenge_verify(*, room: DealRoom, email: str, code: str) -> bool:
    """True when `code` is the latest live code sent to `email` for this room (a few tries only)."""
    email = email_normal(email)
    challenge = (
        EmailChallenge.objects.select_for_update()
        .filter(room=room, email=email, used_at__isnull=True, expires_at__gt=timezone.now())
        .order_by("-created_at")
        .first()
    )
    if challenge is None or challenge.attempts >= CODE_ATTEMPTS:
        return False
    if not hmac.compare_digest(challenge.code_hash, _code_hash(room, email, code.strip())):
        EmailChallenge.objects.filter(pk=challenge.pk).update(attempts=F("attempts") + 1)
        return False
    EmailChallenge.objects.filter(pk=challenge.pk).update(used_at=timezone.now())
    return True
