# The p-value now comes from the adjusted lift's own (Sato) variance, where it came from the
# Cochran–Mantel–Haenszel test, and each row carries the interval shown beside its verdict. A refresh
# keeps the rows it does not recompute, so one after this migration would mix both tests: the next
# run (either way) is a full one.

from django.db import migrations, models


def next_run_full(apps, schema_editor):
    apps.get_model("enablement", "AnalyticsRun").objects.update(watermark=None)


class Migration(migrations.Migration):

    dependencies = [
        ('enablement', '0018_shareview_key'),
    ]

    operations = [
        migrations.AddField(
            model_name='assetstagemetric',
            name='adjusted_fcr_high',
            field=models.FloatField(null=True),
        ),
        migrations.AddField(
            model_name='assetstagemetric',
            name='adjusted_fcr_low',
            field=models.FloatField(help_text='the interval shown beside the verdict, adjusted for the rows tested', null=True),
        ),
        migrations.AddField(
            model_name='assetstagemetric',
            name='comparisons',
            field=models.PositiveIntegerField(default=0, help_text='rows with enough data tested with it'),
        ),
        migrations.RunPython(next_run_full, next_run_full),
    ]
