"""What Reps, Marketing and Admins may do."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from assets.roles import roles_sync
from assets.selectors import assets_visible_to
from tests.factories import AssetFactory

pytestmark = pytest.mark.django_db


def test_reps_can_read_the_catalogue_but_not_change_it(rep):
    assert rep.has_perm("assets.view_asset")
    assert rep.has_perm("assets.view_funnelstage")
    assert not rep.has_perm("assets.change_asset")
    assert not rep.has_perm("assets.view_analytics")
    assert not rep.has_perm("assets.view_unpublished_asset")


def test_reps_see_published_assets_only(rep):
    published = AssetFactory()
    AssetFactory(draft=True)
    AssetFactory(status="archived")
    assert list(assets_visible_to(rep)) == [published]


def test_marketing_edits_the_catalogue_and_sees_analytics_and_every_status(marketer):
    for perm in [
        "add_asset",
        "change_asset",
        "delete_asset",
        "change_funnelstage",
        "add_assetversion",
        "view_analytics",
        "view_unpublished_asset",
    ]:
        assert marketer.has_perm(f"assets.{perm}"), perm
    assert not marketer.has_perm("auth.change_user")
    AssetFactory()
    AssetFactory(draft=True)
    assert assets_visible_to(marketer).count() == 2


def test_admins_group_holds_every_permission(admin_user):
    admins = Group.objects.get(name="Admins")
    assert admins.permissions.count() == Permission.objects.count()
    admin_user.is_superuser = False
    admin_user.save()
    assert admin_user.has_perm("auth.change_user") and admin_user.has_perm("assets.delete_asset")


def test_roles_sync_restores_a_permission_removed_by_hand():
    reps = Group.objects.get(name="Reps")
    reps.permissions.remove(Permission.objects.get(codename="view_asset"))
    roles_sync()
    assert reps.permissions.filter(codename="view_asset").exists()


def test_a_rep_is_sent_to_log_in_when_opening_the_admin(client, rep):
    client.force_login(rep)
    response = client.get(reverse("admin:assets_asset_changelist"))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_marketing_can_open_the_catalogue_admin_but_not_users(client, marketer):
    client.force_login(marketer)
    assert client.get(reverse("admin:assets_asset_changelist")).status_code == 200
    assert client.get(reverse("admin:auth_user_changelist")).status_code == 403
