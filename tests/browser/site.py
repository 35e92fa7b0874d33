"""Every page of the site, by who sees it, and a small organisation to show them with.

The accessibility test opens each page below as its person would, at a desktop and a phone size. A
new page is one more `SitePage` line; its path may name the world's objects in braces (`{deal}`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.core.files.base import ContentFile
from django.utils import timezone

from assets.models import BuyerRole, FunnelStage
from assets.services import asset_version_add
from enablement.analytics.engine import analytics_compute
from enablement.buyers.services import profile_propose
from enablement.deals.history import deal_stage_change
from enablement.rooms.services import room_create, room_item_add, room_revoke
from enablement.sharing.services import share_link_create
from enablement.usage.services import usage_record
from tests.factories import AccountFactory, AssetFactory, DealFactory, UserFactory
from tests.files import pdf_with_pages

# Who opens a page: a username of the world below, or "buyer" (no login).
REP, MARKETING, ADMIN, BUYER = "rita", "mia", "ada", "buyer"


@dataclass(frozen=True)
class SitePage:
    who: str
    name: str
    path: str
    status: int = 200
    # A selector to wait for before checking, where the page draws after it loads.
    ready: str = ""
    # The manual's phone screenshots (docs/using/rep.md): the first screen at 390 px, written as
    # docs/screenshots/NAME.png.
    phone_shot: str = ""
    # A page reached through a form: {label: text} filled in, then the button of this name pressed.
    fill: tuple[tuple[str, str], ...] = ()
    press: str = ""


PAGES = [
    SitePage(BUYER, "login", "/accounts/login/"),
    SitePage(REP, "home", "/", phone_shot="phone-home"),
    SitePage(REP, "search", "/assets/?q=calculator"),
    SitePage(REP, "search without a result", "/assets/?q=procurement+pricing+sheet"),
    SitePage(REP, "asset", "/assets/{asset}/"),
    SitePage(REP, "my deals", "/deals/"),
    SitePage(REP, "sent to buyers", "/shares/"),
    SitePage(REP, "deal", "/deals/{deal}/", phone_shot="phone-deal"),
    SitePage(REP, "closed deal", "/deals/{closed_deal}/"),
    SitePage(REP, "buyer profile", "/profile/"),
    SitePage(REP, "content requests", "/requests/"),
    SitePage(REP, "password change", "/accounts/password_change/"),
    SitePage(REP, "password changed", "/accounts/password_change/done/"),
    SitePage(REP, "analytics, refused", "/analytics/", status=403),
    SitePage(REP, "page not found", "/no-such-page/", status=404),
    SitePage(MARKETING, "home", "/"),
    SitePage(MARKETING, "draft asset", "/assets/{draft}/"),
    SitePage(MARKETING, "funnel", "/analytics/", ready="#chart-conversion[style*=width]"),
    SitePage(MARKETING, "assets and conversion", "/analytics/assets/"),
    SitePage(MARKETING, "asset figures", "/analytics/assets/{asset}/"),
    SitePage(MARKETING, "coverage map", "/analytics/coverage/"),
    SitePage(MARKETING, "build next", "/analytics/build-next/"),
    SitePage(MARKETING, "retire or refresh", "/analytics/retire/"),
    SitePage(MARKETING, "stalled deals", "/analytics/stalled/"),
    SitePage(MARKETING, "digest", "/analytics/digest/"),
    SitePage(MARKETING, "propose a buyer profile", "/profile/propose/"),
    SitePage(MARKETING, "content studio", "/studio/"),
    SitePage(MARKETING, "content studio, an asset's form", "/studio/{asset}/"),
    SitePage(MARKETING, "content studio, a draft's form", "/studio/{draft}/"),
    SitePage(REP, "content studio, refused", "/studio/", status=403),
    SitePage(MARKETING, "every deal", "/deals/?status=open"),
    SitePage(MARKETING, "everything sent", "/shares/"),
    SitePage(MARKETING, "another rep's deal", "/deals/{deal}/"),
    SitePage(ADMIN, "home", "/"),
    SitePage(ADMIN, "every deal of one rep", "/deals/?rep=" + REP),
    SitePage(ADMIN, "buyer profile with a proposal to decide", "/profile/"),
    SitePage(BUYER, "share link", "/s/{share}/"),
    SitePage(BUYER, "share link gone", "/s/no-such-link/", status=410),
    SitePage(BUYER, "room gate, passcode", "/r/{locked_room}/"),
    SitePage(BUYER, "room gate, work email", "/r/{email_room}/"),
    SitePage(
        BUYER,
        "room gate, code",
        "/r/{email_room}/",
        fill=(("Work email", "ann@globex.com"),),
        press="Send me a code",
        ready="#gate-code",
    ),
    SitePage(BUYER, "room withdrawn", "/r/{gone_room}/", status=410),
    SitePage(BUYER, "room", "/r/{room}/", phone_shot="phone-room"),
    SitePage(BUYER, "room viewer", "/r/{room}/a/{asset_id}/", ready=".pdf-status:text-matches('Page 1 of')"),
    SitePage(BUYER, "room, text asset", "/r/{room}/a/{text_asset_id}/"),
]


def site_world() -> dict:
    """A rep with open and closed deals, a room, a share link and usage; marketing with a draft, an
    admin with a proposed profile to decide; an analytics run. Names are as long as real ones get."""
    rep = UserFactory(username=REP, first_name="Rita", last_name="Alvarez-Fitzgerald", role="Reps")
    other = UserFactory(username="omar", first_name="Omar", role="Reps")
    marketing = UserFactory(username=MARKETING, first_name="Mia", role="Marketing", is_staff=True)
    UserFactory(username=ADMIN, first_name="Ada", role="Admins", is_staff=True, is_superuser=True)
    stages = {s.slug: s for s in FunnelStage.objects.all()}
    buyer = BuyerRole.objects.get(slug="economic-buyer")
    now = timezone.now()
    account = AccountFactory(name="Globex International Holdings (EMEA) Ltd.")
    deal = DealFactory(name="Globex platform renewal and expansion 2027", owner=rep, account=account)
    deal_stage_change(deal=deal, stage=stages["discovery"], entered_at=now - timedelta(days=12))
    deal_stage_change(deal=deal, stage=stages["proposal"], entered_at=now - timedelta(days=4))
    closed = DealFactory(name="Initech renewal", owner=rep)
    deal_stage_change(deal=closed, stage=stages["proposal"], entered_at=now - timedelta(days=20))
    deal_stage_change(deal=closed, stage=stages["closed-won"], entered_at=now - timedelta(days=10))
    theirs = DealFactory(name="Umbrella analytics", owner=other)
    deal_stage_change(deal=theirs, stage=stages["proposal"], entered_at=now - timedelta(days=6))
    roi = AssetFactory(
        title="ROI calculator for finance teams",
        slug="roi-calculator",
        kind="roi_calculator",
        external_url="",
        buyer_roles=[buyer],
        stages=[stages["proposal"]],
    )
    pages = ["1. Why it pays", "2. The numbers", "3. Payback"]
    asset_version_add(asset=roi, file=ContentFile(pdf_with_pages(pages), name="roi.pdf"), author=marketing)
    security = AssetFactory(title="Security overview", external_url="", stages=[stages["proposal"]])
    asset_version_add(
        asset=security, file=ContentFile(b"SOC 2 Type II.", name="security.txt"), author=marketing
    )
    AssetFactory(title="Champion battlecard", kind="battlecard", stages=[stages["proposal"]])
    draft = AssetFactory(title="Pricing one-pager (draft)", draft=True)
    usage_record(event_id="site-1", asset=roi, deal=deal, rep=rep, action="presented")
    usage_record(
        event_id="site-2",
        asset=security,
        deal=closed,
        rep=rep,
        action="emailed",
        occurred_at=now - timedelta(days=15),
    )
    share = share_link_create(asset=roi, deal=deal, by=rep)
    room = room_create(deal=deal, by=rep, title="Globex: material for your evaluation", note="As discussed.")
    room_item_add(room=room, asset=roi, by=rep, reason="The numbers for your CFO")
    room_item_add(room=room, asset=security, by=rep, reason="For your security review")
    locked = room_create(deal=deal, by=rep, title="Globex: pricing", passcode="orange-42")
    room_item_add(room=locked, asset=roi, by=rep, reason="Payback from your own numbers")
    by_email = room_create(
        deal=deal, by=rep, title="Globex: legal", email_gate=True, allowed_domains="globex.com"
    )
    gone = room_create(deal=deal, by=rep, title="Globex: last quarter")
    room_revoke(room=gone)
    profile_propose(
        by=marketing,
        summary="Software companies in EMEA with a champion in the room.",
        industries=["Software"],
        regions=["EMEA"],
    )
    analytics_compute()
    return {
        "asset": roi.slug,
        "asset_id": roi.pk,
        "text_asset_id": security.pk,
        "draft": draft.slug,
        "deal": deal.pk,
        "closed_deal": closed.pk,
        "share": share.token,
        "room": room.token,
        "locked_room": locked.token,
        "email_room": by_email.token,
        "gone_room": gone.token,
    }
