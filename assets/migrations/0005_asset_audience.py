from django.db import migrations, models


def battlecards_internal(apps, schema_editor):
    # Competitive material was shareable before audiences existed; it is written for reps only.
    apps.get_model("assets", "Asset").objects.filter(kind="battlecard").update(audience="internal")


class Migration(migrations.Migration):

    dependencies = [
        ("assets", "0004_funnelstage_landmark_days"),
    ]

    operations = [
        migrations.AddField(
            model_name="asset",
            name="audience",
            field=models.CharField(
                choices=[("internal", "Internal only"), ("external", "Can be shared with buyers")],
                default="external",
                help_text="Internal material never reaches a buyer: no share link, deal room or buyer page.",
                max_length=8,
            ),
        ),
        migrations.AddConstraint(
            model_name="asset",
            constraint=models.CheckConstraint(
                condition=models.Q(("audience__in", ["internal", "external"])), name="asset_audience_valid"
            ),
        ),
        migrations.RunPython(battlecards_internal, migrations.RunPython.noop),
    ]
