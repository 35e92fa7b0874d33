"""The audit trail answers "who changed or shared what, when": the product's events with who did them,
read-only in the admin, exported as formula-safe CSV, and kept for the retention period."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from auditlog.models import LogEntry
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from assets.choices import AssetStatus
from config.audit.services import audit_purge
from enablement.api.tokens import api_token_create
from enablement.buyers.services import profile_approve, profile_propose
from enablement.choices import ImportStatus
from enablement.models import ImportRun
from tests.enablement.importing import native_zip, upload
from tests.factories import AssetFactory


def events(name: str):
    return LogEntry.objects.filter(additional_data__event=name).select_related("actor")


def test_publishing_through_the_api_is_recorded_with_the_tokens_user(db, marketer):
    asset = AssetFactory(
        slug="roi-calculator", status=AssetStatus.DRAFT, external_url="https://example.com/roi"
    )
    _, key = api_token_create(name="Content pipeline", user=marketer)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    reply = client.patch("/api/v1/assets/roi-calculator/", {"status": "published"}, format="json")
    assert reply.status_code == 200
    (entry,) = events("asset.published")
    assert entry.actor == marketer
    assert entry.object_pk == str(asset.pk)
    assert entry.additional_data["via"] == "api_token"
    assert entry.additional_data["via_name"] == "Content pipeline"
    assert entry.changes == {"status": ["draft", "published"]}


def test_publishing_in_the_admin_is_recorded_with_the_admin(client, admin_user):
    asset = AssetFactory(status=AssetStatus.DRAFT, external_url="https://example.com/deck")
    client.force_login(admin_user)
    client.post(
        reverse("admin:assets_asset_changelist"),
        {"action": "publish", "_selected_action": [asset.pk]},
    )
    (entry,) = events("asset.published")
    assert (entry.actor, entry.additional_data["via"]) == (admin_user, "user")


def test_turning_an_asset_internal_in_the_studio_is_recorded_as_an_audience_change(client, marketer):
    asset = AssetFactory(title="Pricing sheet", external_url="https://example.com/pricing")
    client.force_login(marketer)
    form = client.get(reverse("studio-edit", args=[asset.slug])).context["form"]
    data = {name: value for name, value in form.initial.items() if value is not None}
    data.update(audience="internal", buyer_roles=[r.pk for r in asset.buyer_roles.all()])
    data.update(
        stages=[s.pk for s in asset.stages.all()], owner=marketer.pk, title=asset.title, kind=asset.kind
    )
    data.update(industries="", products="", review_by="")
    response = client.post(reverse("studio-edit", args=[asset.slug]), data)
    assert response.status_code == 302, response.context["form"].errors if response.context else response
    (entry,) = events("asset.audience_changed")
    assert entry.actor == marketer and entry.changes == {"audience": ["external", "internal"]}


def test_approving_a_profile_is_recorded_with_the_approver(db, marketer, admin_user):
    profile = profile_propose(by=marketer, summary="Mid-size software companies")
    profile_approve(profile=profile, by=admin_user, note="Agreed", rescore=False)
    assert events("profile.proposed").get().actor == marketer
    approved = events("profile.approved").get()
    assert approved.actor == admin_user
    assert approved.changes == {"status": ["proposed", "approved"]}
    assert approved.additional_data["note"] == "Agreed"


def test_an_admin_import_is_recorded_with_its_changes(client, marketer, django_capture_on_commit_callbacks):
    client.force_login(marketer)
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, native_zip())
    run = ImportRun.objects.get()
    assert run.status == ImportStatus.DONE
    entry = events("import.finished").get()
    assert entry.actor == marketer
    assert entry.object_pk == str(run.pk)
    assert entry.additional_data["counts"]["deals.csv"] == {
        "created": 3,
        "updated": 0,
        "unchanged": 0,
        "rejected": 0,
    }


def test_an_asset_edit_in_the_admin_keeps_before_and_after(client, admin_user):
    asset = AssetFactory(title="Old title", summary="s", owner=admin_user)
    client.force_login(admin_user)
    page = client.get(reverse("admin:assets_asset_change", args=[asset.pk]))
    form = page.context["adminform"].form
    data = {name: form.initial.get(name) for name in form.fields if form.initial.get(name) is not None}
    data.update({"title": "New title", "_save": "Save"})
    for name in ("buyer_roles", "stages", "industries", "products"):
        data[name] = [obj.pk for obj in data.get(name, [])] if data.get(name) else []
    for prefix in ("versions",):
        data.update({f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0})
    response = client.post(reverse("admin:assets_asset_change", args=[asset.pk]), data)
    assert response.status_code == 302, (
        response.context["adminform"].form.errors,
        [
            (f.formset.prefix, f.formset.errors, f.formset.non_form_errors())
            for f in response.context["inline_admin_formsets"]
        ],
    )
    entry = events("asset.changed").get()
    assert entry.changes["title"] == ["Old title", "New title"]
    assert entry.actor == admin_user


def test_a_failed_sign_in_names_the_username_tried_and_a_success_the_user(client, rep):
    client.post("/accounts/login/", {"username": rep.username, "password": "wrong"})
    client.post("/accounts/login/", {"username": rep.username, "password": "pw-for-tests"})
    failed = events("sign_in.failed").get()
    assert failed.additional_data["username"] == rep.username
    assert "password" not in str(failed.additional_data)
    assert events("sign_in.succeeded").get().actor == rep


def test_the_admin_shows_the_log_read_only_with_filters(client, admin_user, marketer):
    profile = profile_propose(by=marketer, summary="Mid-size software companies")
    profile_approve(profile=profile, by=admin_user, rescore=False)
    client.force_login(admin_user)
    url = reverse("admin:auditlog_logentry_changelist")
    page = client.get(url, {"event": "profile.approved"})
    assert page.status_code == 200
    assert "Buyer profile approved" in page.text
    assert page.context["cl"].result_count == 1
    assert client.get(url, {"via": "scim"}).context["cl"].result_count == 0
    entry = events("profile.approved").get()
    assert client.get(reverse("admin:auditlog_logentry_change", args=[entry.pk])).status_code == 200
    assert (
        client.post(reverse("admin:auditlog_logentry_delete", args=[entry.pk]), {"post": "yes"}).status_code
        == 403
    )
    assert LogEntry.objects.filter(pk=entry.pk).exists()
    assert client.get(reverse("admin:auditlog_logentry_add")).status_code == 403


def _export(*args: str) -> list[dict]:
    out = io.StringIO()
    call_command("audit_export", *args, stdout=out)
    return list(csv.DictReader(io.StringIO(out.getvalue())))


def test_the_export_is_csv_from_the_date_and_safe_for_spreadsheets(db, marketer, admin_user):
    profile = profile_propose(by=marketer, summary='=HYPERLINK("http://evil.example")')
    old = events("profile.proposed").get()
    LogEntry.objects.filter(pk=old.pk).update(timestamp=timezone.now() - timedelta(days=10))
    AssetFactory(title="=cmd|' /C calc'!A0", status=AssetStatus.DRAFT, external_url="https://example.com/x")
    from assets.models import Asset
    from assets.services import asset_publish

    asset_publish(asset=Asset.objects.get(title__startswith="=cmd"), by=marketer)
    rows = _export("--since", (timezone.now() - timedelta(days=2)).date().isoformat())
    published = [row for row in rows if row["event"] == "asset.published"]
    assert len(published) == 1
    assert published[0]["who"] == marketer.username
    assert published[0]["object"].startswith("'=cmd")
    assert not [row for row in rows if row["event"] == "profile.proposed"], "older than --since"
    assert len(_export("--since", (timezone.now() - timedelta(days=30)).date().isoformat())) > len(rows)
    assert events("export.downloaded").exists(), "the export itself is audited"
    assert profile


def test_the_export_refuses_a_bad_date(db):
    with pytest.raises(CommandError, match="not a date"):
        _export("--since", "last tuesday")


def test_entries_past_the_retention_period_are_deleted(db, marketer, settings):
    settings.AUDIT_RETENTION_DAYS = 30
    profile_propose(by=marketer, summary="Old")
    LogEntry.objects.update(timestamp=timezone.now() - timedelta(days=31))
    profile_propose(by=marketer, summary="New")
    assert audit_purge() >= 1
    assert [e.additional_data["event"] for e in LogEntry.objects.order_by("timestamp")] == [
        "profile.proposed",
        "audit.purged",
    ]
    settings.AUDIT_RETENTION_DAYS = 0
    LogEntry.objects.update(timestamp=timezone.now() - timedelta(days=3650))
    assert audit_purge() == 0


def test_a_change_to_a_users_groups_in_the_admin_is_recorded(client, admin_user, rep):
    from django.contrib.auth.models import Group

    client.force_login(admin_user)
    page = client.get(reverse("admin:auth_user_change", args=[rep.pk]))
    form = page.context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None and name != "password"}
    data.update(
        {
            "groups": [Group.objects.get(name="Marketing").pk],
            "user_permissions": [],
            "date_joined_0": rep.date_joined.strftime("%Y-%m-%d"),
            "date_joined_1": rep.date_joined.strftime("%H:%M:%S"),
            "last_login_0": "",
            "last_login_1": "",
        }
    )
    before = LogEntry.objects.order_by("-pk").values_list("pk", flat=True).first()
    response = client.post(reverse("admin:auth_user_change", args=[rep.pk]), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    entries = LogEntry.objects.filter(pk__gt=before, object_pk=str(rep.pk), changes__has_key="groups")
    assert entries.exists()
    assert all(entry.actor == admin_user for entry in entries)
    assert any("Marketing" in str(entry.changes["groups"]) for entry in entries)


def test_an_analytics_csv_download_is_recorded_with_who_and_which(client, marketer):
    client.force_login(marketer)
    response = client.get("/analytics/assets/", {"format": "csv", "stage": "discovery"})
    assert response.status_code == 200
    entry = events("export.downloaded").get()
    assert entry.actor == marketer
    assert entry.additional_data["export"] == "assets and conversion"
    assert entry.additional_data["filters"]["stage"] == "discovery"


def test_api_tokens_made_and_revoked_by_command_are_recorded_as_the_systems_doing(db, rep):
    call_command("api_token", "create", "BI tool", "--user", rep.username, stdout=io.StringIO())
    call_command("api_token", "revoke", "BI tool", stdout=io.StringIO())
    created, revoked = events("api_token.created").get(), events("api_token.revoked").get()
    assert created.additional_data["acts_for"] == rep.username
    assert (created.additional_data["via"], revoked.additional_data["via"]) == ("system", "system")
