"""The three groups and what each may do.

Reps read published assets; Marketing edits the catalogue and sees analytics; Admins may do
everything. Permissions appear only after migrate, so the groups are synchronised after each
migrate run, and a permission that does not exist yet (its app not migrated) is simply skipped.
"""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission
from django.db.models import Q

from assets.choices import Role

READ = ("view",)
EDIT = ("add", "change", "delete", "view")
CATALOGUE = ("asset", "assetversion", "funnelstage", "buyerrole", "industry", "product")


def model_perms(app_label: str, models: tuple[str, ...], actions: tuple[str, ...]) -> list[str]:
    return [f"{app_label}.{action}_{model}" for model in models for action in actions]


DEALS = (
    "account",
    "deal",
    "stagechange",
    "usageevent",
    "sharelink",
    "shareview",
    "dealroom",
    "roomitem",
    "viewer",
    "visit",
    "pageview",
    "dealrole",
)

# Each group's permissions as "app_label.codename" (strings: the catalogue imports nothing of
# enablement). Reps see their own deals (the deal selectors' rule); enablement.view_all_deals shows all.
ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.REPS: [
        *model_perms("assets", CATALOGUE, READ),
        *model_perms("enablement", DEALS, READ),
        "enablement.add_usageevent",
        "enablement.add_sharelink",
        "enablement.add_dealroom",
        "enablement.add_roomitem",
    ],
    Role.MARKETING: [
        *model_perms("assets", CATALOGUE, EDIT),
        "assets.view_unpublished_asset",
        "assets.view_analytics",
        *model_perms("enablement", DEALS, READ),
        "enablement.view_all_deals",
        *model_perms("enablement", ("stagemap", "rolemap"), EDIT),
        *model_perms("enablement", ("buyerprofile",), ("add", "view")),
        *model_perms("enablement", ("qualification",), READ),
        *model_perms("enablement", ("importrun",), ("add", "view")),
    ],
}


def roles_sync() -> None:
    """Create the groups if missing and give each exactly its permissions."""
    for role in Role:
        group, _ = Group.objects.get_or_create(name=role.value)
        if role == Role.ADMINS:
            group.permissions.set(Permission.objects.all())
            continue
        query = Q(pk__in=[])
        for name in ROLE_PERMISSIONS[role]:
            app_label, codename = name.split(".")
            query |= Q(content_type__app_label=app_label, codename=codename)
        group.permissions.set(Permission.objects.filter(query))


def roles_sync_after_migrate(sender, **kwargs) -> None:
    roles_sync()
