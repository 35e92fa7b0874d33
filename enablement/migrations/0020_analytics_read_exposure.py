# Exposure kinds: an asset read by the buyer in a deal room is an exposure of its own kind, with its
# own rows of figures (AssetStageMetric.exposure) and states (FigureState.exposure). A refresh of a
# run made before this would find no read exposures and no states for them: the next run is full.
# On PostgreSQL the read exposures, like the other working tables, are not vacuumed by autovacuum
# (every full run writes and analyses them itself).

import django.db.models.deletion
from django.db import migrations, models


def next_run_full(apps, schema_editor):
    apps.get_model("enablement", "AnalyticsRun").objects.update(watermark=None)
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE enablement_readexposure SET (autovacuum_enabled = false)")


def back(apps, schema_editor):
    apps.get_model("enablement", "AnalyticsRun").objects.update(watermark=None)


class Migration(migrations.Migration):

    dependencies = [
        ('assets', '0004_funnelstage_landmark_days'),
        ('enablement', '0019_analytics_fcr_interval'),
    ]

    operations = [
        migrations.CreateModel(
            name='ReadExposure',
            fields=[
                ('pk', models.CompositePrimaryKey('entry', 'asset', blank=True, editable=False, primary_key=True, serialize=False)),
                ('in_window', models.BooleanField(default=True)),
                ('asset', models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='assets.asset')),
                ('entry', models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='enablement.stageentry')),
                ('run', models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='enablement.analyticsrun')),
            ],
        ),
        migrations.RemoveConstraint(
            model_name='figurestate',
            name='figure_state_once_per_pair',
        ),
        migrations.AddField(
            model_name='assetstagemetric',
            name='exposure',
            field=models.CharField(choices=[('used', 'Used by reps'), ('read', 'Read by buyers')], default='used', help_text='used by reps, or read by buyers in a deal room: each its own row, the same method', max_length=4),
        ),
        migrations.AddField(
            model_name='figurestate',
            name='exposure',
            field=models.CharField(choices=[('used', 'Used by reps'), ('read', 'Read by buyers')], default='used', max_length=4),
        ),
        migrations.AddConstraint(
            model_name='figurestate',
            constraint=models.UniqueConstraint(fields=('run', 'stage', 'asset_id', 'exposure'), name='figure_state_once_per_pair_and_kind'),
        ),
        migrations.RunPython(next_run_full, back),
    ]
