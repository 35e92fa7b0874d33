# The exposures' key becomes (entry, asset): no serial id, and the key's index is the one the
# refresh reads exposures by entry with. Django cannot turn an id key into a composite one in place,
# so the table is made anew: its rows are derived, and the next analytics run is a full one.

import django.db.models.deletion
from django.db import migrations, models


WORKING = ("enablement_stageentry", "enablement_exposure", "enablement_figurestate")


def next_run_full(apps, schema_editor):
    """Without exposures a refresh would see every use as new: the next run recomputes everything.

    On PostgreSQL the exposures skip the write-ahead log as the other working tables do (0004), and
    no working table is vacuumed or analysed by autovacuum: every full run writes them anew and
    analyses them itself, so a vacuum after it is wasted work (and competes with the refresh after)."""
    apps.get_model("enablement", "AnalyticsRun").objects.update(watermark=None)
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE enablement_exposure SET UNLOGGED")
        for table in WORKING:
            schema_editor.execute(f"ALTER TABLE {table} SET (autovacuum_enabled = false)")


def autovacuum_back(apps, schema_editor):
    """Back to 0013 the table is made again empty, as on the way here: the next run recomputes
    everything (a refresh would build on a run whose exposures are gone)."""
    apps.get_model("enablement", "AnalyticsRun").objects.update(watermark=None)
    if schema_editor.connection.vendor == "postgresql":
        for table in ("enablement_stageentry", "enablement_figurestate"):
            schema_editor.execute(f"ALTER TABLE {table} RESET (autovacuum_enabled)")


def old_table_unlogged(apps, schema_editor):
    """Back to 0013: the id-keyed table DeleteModel's reverse made again skips the log, as 0004 left it."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE enablement_exposure SET UNLOGGED")


class Migration(migrations.Migration):

    dependencies = [
        ("assets", "0004_funnelstage_landmark_days"),
        ("enablement", "0013_analytics_working_indexes"),
    ]

    operations = [
        migrations.RunPython(migrations.RunPython.noop, old_table_unlogged),
        migrations.DeleteModel(name="Exposure"),
        migrations.CreateModel(
            name="Exposure",
            fields=[
                (
                    "pk",
                    models.CompositePrimaryKey(
                        "entry", "asset", blank=True, editable=False, primary_key=True, serialize=False
                    ),
                ),
                (
                    "run",
                    models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="enablement.analyticsrun",
                        db_index=False,
                    ),
                ),
                (
                    "asset",
                    models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="assets.asset",
                        db_index=False,
                    ),
                ),
                (
                    "entry",
                    models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="enablement.stageentry",
                        db_index=False,
                    ),
                ),
                ("in_window", models.BooleanField(default=True)),
            ],
        ),
        migrations.RunPython(next_run_full, autovacuum_back),
    ]
