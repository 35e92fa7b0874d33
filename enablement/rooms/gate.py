"""The room's gate: its passcode, the email gate's one-time codes, and the keyed hash of a buyer's cookie."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from enablement.rooms.models import (
    DealRoom,
    EmailChallenge,
)

CODE_MINUTES = 15
CODE_ATTEMPTS = 5
PASSCODE_FAILURES = 10
PASSCODE_PAUSE = timedelta(minutes=15)
# Codes one address (and one room) may be sent per hour: the gate must not be a way to flood inboxes.
CODES_PER_ADDRESS_HOUR = 5
CODES_PER_ROOM_HOUR = 100


@transaction.atomic
def passcode_check(*, room: DealRoom, passcode: str) -> bool:
    """Whether `passcode` opens the room. After PASSCODE_FAILURES wrong ones, each less than
    PASSCODE_PAUSE after the last, the room takes none (right or wrong) until that pause has passed:
    guessing a passcode online is slowed to a handful of tries per quarter hour."""
    room = DealRoom.objects.select_for_update().get(pk=room.pk)
    now = timezone.now()
    recent = room.passcode_failed_at is not None and now - room.passcode_failed_at < PASSCODE_PAUSE
    if recent and room.passcode_failures >= PASSCODE_FAILURES:
        raise ValidationError(
            {"passcode": "Too many wrong passcodes for this room; try again in 15 minutes."}
        )
    if room.passcode_hash and check_password(passcode, room.passcode_hash):
        DealRoom.objects.filter(pk=room.pk).update(passcode_failures=0, passcode_failed_at=None)
        return True
    DealRoom.objects.filter(pk=room.pk).update(
        passcode_failures=(room.passcode_failures if recent else 0) + 1, passcode_failed_at=now
    )
    return False


def cookie_hash(*, room: DealRoom, cookie: str) -> str:
    """A keyed hash of the buyer's cookie, different per room: the same browser in two rooms cannot
    be linked, and without the site's secret key the cookie cannot be recovered or guessed."""
    message = f"deal-room-viewer:{room.pk}:{cookie}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


def _code_hash(room: DealRoom, email: str, code: str) -> str:
    message = f"deal-room-code:{room.pk}:{email}:{code}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


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


@transaction.atomic
def email_challenge_send(*, room: DealRoom, email: str) -> EmailChallenge:
    """Email a six-digit code to a buyer's work address; only its keyed hash is stored."""
    email = email.strip().lower()
    if problem := email_refusal(room=room, email=email):
        raise ValidationError({"email": problem})
    hour_ago = timezone.now() - timedelta(hours=1)
    sent = EmailChallenge.objects.filter(room=room, created_at__gt=hour_ago)
    if sent.filter(email=email).count() >= CODES_PER_ADDRESS_HOUR or sent.count() >= CODES_PER_ROOM_HOUR:
        raise ValidationError({"email": "Too many codes were sent for this room; try again in an hour."})
    code = f"{secrets.randbelow(10**6):06d}"
    challenge = EmailChallenge.objects.create(
        room=room,
        email=email,
        code_hash=_code_hash(room, email, code),
        expires_at=timezone.now() + timedelta(minutes=CODE_MINUTES),
    )
    send_mail(
        subject=f"Your code for “{room.title}”",
        message=(
            f"Your code is {code}\n\nEnter it on the page to open “{room.title}”. "
            f"It works for {CODE_MINUTES} minutes. If you did not ask for it, ignore this email."
        ),
        from_email=None,
        recipient_list=[email],
    )
    return challenge


@transaction.atomic
def email_challenge_verify(*, room: DealRoom, email: str, code: str) -> bool:
    """True when `code` is the latest live code sent to `email` for this room (a few tries only)."""
    email = email.strip().lower()
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
