"""`seed_demo` builds the demo organisation and is idempotent."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command

from assets.choices import AssetStatus
from assets.models import Asset, AssetVersion, BuyerRole, FunnelStage
from enablement.models import Deal, StageChange, UsageEvent
from tests.assets.renditions.conftest import needs_libreoffice

pytestmark = pytest.mark.django_db


def seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def snapshot() -> dict:
    return {
        "users": sorted(User.objects.values_list("username", "email", "is_staff", "is_superuser")),
        "assets": sorted(Asset.objects.values_list("slug", "title", "kind", "status", "owner__username")),
        "versions": AssetVersion.objects.count(),
        "deals": sorted(
            Deal.objects.values_list(
                "external_id", "name", "amount", "owner__username", "current_stage__slug", "closed_at"
            )
        ),
        "history": sorted(StageChange.objects.values_list("deal__external_id", "stage__slug", "entered_at")),
        # by deal, not by event id: a deal room's "shared" events are named by the room item's id
        "usage": sorted(
            UsageEvent.objects.values_list(
                "deal__external_id", "asset__slug", "stage__slug", "action", "occurred_at"
            )
        ),
    }


def test_seed_demo_twice_changes_nothing_the_second_time():
    first_output = seed("--assets", "30", "--reps", "4", "--deals", "150")
    before = snapshot()
    second_output = seed("--assets", "30", "--reps", "4", "--deals", "150")
    assert snapshot() == before
    assert "6 user(s) and 30 asset(s) and 150 deal(s) created" in first_output
    assert "0 user(s) and 0 asset(s) and 0 deal(s) created" in second_output


def test_the_same_seed_makes_the_same_deals_history_and_usage():
    seed("--assets", "20", "--reps", "3", "--deals", "120")
    first = snapshot()
    Deal.objects.all().delete()
    seed("--assets", "20", "--reps", "3", "--deals", "120")
    again = snapshot()
    assert again == first


def test_demo_deals_walk_the_funnel_with_usage_at_the_stage_they_were_in():
    seed("--assets", "30", "--reps", "4", "--deals", "300")
    assert Deal.objects.count() == 300
    assert Deal.objects.filter(current_stage__slug="closed-won").exists()
    assert Deal.objects.filter(current_stage__slug="closed-lost").exists()
    assert Deal.objects.filter(closed_at__isnull=True).exists()
    assert not Deal.objects.filter(current_stage__isnull=True).exists()
    assert UsageEvent.objects.count() > 300
    assert not UsageEvent.objects.filter(stage__isnull=True).exists()
    # Each event's stage is the stage the deal had entered last before the event.
    for event in UsageEvent.objects.select_related("deal")[:50]:
        latest = (
            event.deal.stage_changes.filter(entered_at__lte=event.occurred_at).order_by("-entered_at").first()
        )
        assert event.stage_id == latest.stage_id


def test_demo_logins_work_with_the_documented_password(client):
    seed("--assets", "12", "--reps", "3", "--deals", "10")
    for username in ["admin", "marketing", "rep1", "rep3"]:
        # Through the login form, as a person logs in (the lockout backend needs the request).
        response = client.post("/accounts/login/", {"username": username, "password": "demo1234"})
        assert response.status_code == 302 and client.session["_auth_user_id"], username
        client.logout()
    assert User.objects.get(username="admin").is_superuser
    assert User.objects.get(username="marketing").groups.filter(name="Marketing").exists()
    assert User.objects.get(username="rep2").groups.filter(name="Reps").exists()


def test_default_demo_covers_every_buyer_role_and_open_stage_with_published_assets():
    output = seed()
    published = Asset.objects.filter(status=AssetStatus.PUBLISHED)
    assert Asset.objects.count() == 60 and User.objects.filter(groups__name="Reps").count() == 12
    assert Deal.objects.count() == 2000
    assert published.count() > 50
    for role in BuyerRole.objects.all():
        assert published.filter(buyer_roles=role).exists(), role
    for stage in FunnelStage.objects.filter(outcome="open"):
        assert published.filter(stages=stage).exists(), stage
    assert "rep12" in output


def test_every_demo_file_asset_has_a_current_version_with_content():
    from assets.extract import extract_text

    seed("--assets", "20", "--reps", "1", "--deals", "10")
    suffixes = set()
    for asset in Asset.objects.exclude(kind="video"):
        assert asset.current_version is not None
        name = asset.current_version.file.name
        suffixes.add(name.rsplit(".", 1)[1])
        with asset.current_version.file.open("rb") as stream:
            assert asset.title in extract_text(stream, name)
    assert suffixes == {"pdf", "pptx", "md"}


@needs_libreoffice
def test_demo_collateral_is_read_as_real_pages_with_thumbnails_and_no_raw_markdown(
    client, django_capture_on_commit_callbacks
):
    from django.urls import reverse

    from assets.renditions.models import Rendition

    with django_capture_on_commit_callbacks(execute=True):
        seed("--assets", "10", "--reps", "1", "--deals", "10")
    renditions = Rendition.objects.select_related("version__asset")
    assert {r.status for r in renditions} == {"ready"}
    pages = {r.version.asset.kind: r.page_count for r in renditions}
    assert pages["deck"] == 6 and pages["case_study"] == 2 and pages["whitepaper"] == 3
    assert all(r.thumbnail for r in renditions)
    assert Asset.objects.get(kind="battlecard").audience == "internal"
    client.force_login(User.objects.get(username="marketing"))
    for asset in Asset.objects.exclude(kind="video"):
        page = client.get(reverse("asset-detail", args=[asset.slug])).text
        assert "pdf-viewer" in page and f'alt="Preview of {asset.title}"' in page
        assert f"# {asset.title}" not in page


def test_seed_demo_refuses_a_non_positive_count():
    with pytest.raises(CommandError, match="--assets"):
        call_command("seed_demo", "--assets", "0")
