"""A permission of its own for seeing every deal, which assets.view_unpublished_asset used to grant.

Whoever held that permission (through a group or directly) is given the new one, so nobody sees
fewer deals than before.
"""

from django.db import migrations


def grant(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    User = apps.get_model("auth", "User")
    deal_type, _ = ContentType.objects.get_or_create(app_label="enablement", model="deal")
    new, _ = Permission.objects.get_or_create(
        content_type=deal_type,
        codename="view_all_deals",
        defaults={"name": "Can see every deal, not only their own"},
    )
    old = Permission.objects.filter(
        content_type__app_label="assets", codename="view_unpublished_asset"
    ).first()
    if old is None:
        return
    for group in Group.objects.filter(permissions=old):
        group.permissions.add(new)
    for user in User.objects.filter(user_permissions=old):
        user.user_permissions.add(new)


class Migration(migrations.Migration):
    dependencies = [
        ("enablement", "0004_analytics_landmark"),
        ("assets", "0004_funnelstage_landmark_days"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="deal",
            options={
                "ordering": ["-created_at"],
                "permissions": [("view_all_deals", "Can see every deal, not only their own")],
            },
        ),
        migrations.RunPython(grant, migrations.RunPython.noop),
    ]
