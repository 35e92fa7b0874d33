"""Deal rooms and the buyer's reading in them. Registered through enablement.models (app label
`enablement`).

Privacy: a viewer is a verified email (where the room's email gate is on) or a keyed hash of a
random first-party cookie; no IP address, user agent or raw cookie value is ever stored.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from assets.models import Asset
from enablement.sharing.models import Lapsing

# A visit's sitting: it ends after this long without a sign of its page, and a buyer back within it
# (Back, a reload, another page of the room) continues it. The rep hears of a sitting once.
VISIT_IDLE_MINUTES = 30
SITTING = timedelta(minutes=VISIT_IDLE_MINUTES)


def new_room_token() -> str:
    return secrets.token_urlsafe(32)


def new_visit_key() -> str:
    return secrets.token_urlsafe(24)


class DealRoom(Lapsing, models.Model):
    """One link for one deal's buyer: several assets in an order, each with the rep's reason."""

    token = models.CharField(max_length=64, unique=True, default=new_room_token, editable=False)
    deal = models.ForeignKey("enablement.Deal", on_delete=models.CASCADE, related_name="rooms")
    title = models.CharField(max_length=200)
    note = models.TextField("note to the buyer", blank=True, max_length=2000)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="deal_rooms"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    allow_download = models.BooleanField(default=False)
    passcode_hash = models.CharField(max_length=200, blank=True, editable=False)
    email_gate = models.BooleanField(
        default=False, help_text="The buyer confirms a work email with a one-time code before reading."
    )
    allowed_domains = models.CharField(
        max_length=1000,
        blank=True,
        help_text="With the email gate: only addresses at these domains (space or comma separated).",
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "deal room"

    def __str__(self) -> str:
        return f"{self.title} ({self.deal})"

    @property
    def has_passcode(self) -> bool:
        return bool(self.passcode_hash)

    @property
    def domains(self) -> list[str]:
        return [
            d.strip().lower().lstrip("@") for d in self.allowed_domains.replace(",", " ").split() if d.strip()
        ]


class RoomItem(models.Model):
    """An asset in a room, in the rep's order, with the rep's one-line reason."""

    room = models.ForeignKey(DealRoom, on_delete=models.CASCADE, related_name="items")
    asset = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="room_items")
    order = models.PositiveIntegerField(default=0)
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["room", "order", "pk"]
        constraints = [models.UniqueConstraint(fields=["room", "asset"], name="roomitem_unique_asset")]

    def __str__(self) -> str:
        return f"{self.asset} in {self.room}"


class Viewer(models.Model):
    """Who read a room: a verified email, or a keyed hash of a first-party cookie (never reversible)."""

    room = models.ForeignKey(DealRoom, on_delete=models.CASCADE, related_name="viewers")
    email = models.EmailField(blank=True)
    cookie_hash = models.CharField(max_length=64, blank=True)
    first_seen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["room", "first_seen_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["room", "email"], condition=~Q(email=""), name="viewer_unique_email"
            ),
            models.UniqueConstraint(
                fields=["room", "cookie_hash"], condition=~Q(cookie_hash=""), name="viewer_unique_cookie"
            ),
            models.CheckConstraint(condition=~Q(email="") | ~Q(cookie_hash=""), name="viewer_has_identity"),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return self.email or f"Anonymous reader {self.cookie_hash[:6]}"


class VisitQuerySet(models.QuerySet):
    def confirmed(self) -> VisitQuerySet:
        """Visits whose page ran: at least one event accepted. A link preview or a mail scanner
        fetches the room without running its script, so its visit stays unconfirmed and counts
        nowhere (the idle sweep deletes it)."""
        return self.filter(events__gt=0)


# The same rule from a room: `Count("visits", filter=CONFIRMED_VISITS)`.
CONFIRMED_VISITS = Q(visits__events__gt=0)


class Visit(models.Model):
    """One sitting of a viewer in a room. `key` is the unguessable id the page sends events with.
    Only a confirmed visit (`events` > 0: its page ran and reported) is shown, counted or notified."""

    key = models.CharField(max_length=64, unique=True, default=new_visit_key, editable=False)
    room = models.ForeignKey(DealRoom, on_delete=models.CASCADE, related_name="visits")
    viewer = models.ForeignKey(Viewer, on_delete=models.CASCADE, related_name="visits")
    started_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)
    events = models.PositiveIntegerField(default=0)
    summary_sent_at = models.DateTimeField(null=True, blank=True)
    # Claimed but not emailed: the room had its hour's summaries already; the next summary counts it.
    summary_folded = models.BooleanField(default=False)

    objects = VisitQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at"]
        indexes = [
            models.Index(fields=["room", "started_at"]),
            models.Index(fields=["ended_at", "last_seen_at"]),
        ]

    def __str__(self) -> str:
        return f"visit of {self.room} at {self.started_at:%Y-%m-%d %H:%M}"


class PageView(models.Model):
    """Seconds a page of an asset was visible in one visit (page 1 for files without pages)."""

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="page_views")
    asset = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="+")
    page = models.PositiveIntegerField()
    seconds = models.FloatField(default=0)

    class Meta:
        ordering = ["visit", "asset", "page"]
        constraints = [
            models.UniqueConstraint(fields=["visit", "asset", "page"], name="pageview_unique_page"),
            models.CheckConstraint(condition=Q(seconds__gte=0), name="pageview_seconds_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.asset} p.{self.page}: {self.seconds:.0f} s"


class EmailChallenge(models.Model):
    """A one-time code sent to a buyer's work email; only its hash is kept."""

    room = models.ForeignKey(DealRoom, on_delete=models.CASCADE, related_name="+")
    email = models.EmailField()
    code_hash = models.CharField(max_length=64)
    # Keyed hash of the address that asked (enablement.rooms.gate.client_hash): one client may not
    # have codes sent to many addresses.
    client_hash = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"code for {self.email}"


class PasscodeFailure(models.Model):
    """A wrong passcode given to a room, by a client known only by a keyed hash of its address. Kept
    for the gate's pause (15 minutes): many from one client pause that client, very many from any
    clients pause the room."""

    room = models.ForeignKey(DealRoom, on_delete=models.CASCADE, related_name="+")
    client_hash = models.CharField(max_length=64)
    failed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["room", "failed_at"]), models.Index(fields=["failed_at"])]

    def __str__(self) -> str:
        return f"wrong passcode for {self.room} at {self.failed_at:%Y-%m-%d %H:%M}"


class CookielessOpening(models.Model):
    """A room opened by a request without the buyer cookie, by a client known only by a keyed hash
    of its address. Kept an hour: a client may begin only so many visits an hour this way (a fresh
    cookie each time would otherwise make a new viewer and a new alert for every request)."""

    room = models.ForeignKey(DealRoom, on_delete=models.CASCADE, related_name="+")
    client_hash = models.CharField(max_length=64)
    opened_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["room", "client_hash", "opened_at"]),
            models.Index(fields=["opened_at"]),
        ]

    def __str__(self) -> str:
        return f"opened {self.room} without a cookie at {self.opened_at:%Y-%m-%d %H:%M}"


class BuyerNotification(models.Model):
    """What the rep hears: a first open, a return visit, or a new viewer, once a visit is confirmed."""

    class Kind(models.TextChoices):
        FIRST_OPEN = "first_open", "First open"
        RETURN_VISIT = "return_visit", "Return visit"
        NEW_VIEWER = "new_viewer", "New viewer"

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="buyer_notifications"
    )
    room = models.ForeignKey(DealRoom, on_delete=models.CASCADE, related_name="notifications")
    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    created_at = models.DateTimeField(default=timezone.now)
    # Visits confirmed after the room's hourly bound was reached, told in this one line ("and N more").
    more_visits = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["recipient", "created_at"])]
        # A visit is announced once, when its first events are accepted.
        constraints = [models.UniqueConstraint(fields=["visit"], name="buyernotification_one_per_visit")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.room}"


class BuyerAlertSetting(models.Model):
    """A rep's choice about buyer-activity emails (no row: emails on)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    email_summaries = models.BooleanField(default=True)

    def __str__(self) -> str:
        return f"{self.user}: emails {'on' if self.email_summaries else 'off'}"
