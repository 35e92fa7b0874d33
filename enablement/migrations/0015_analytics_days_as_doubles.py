# The entries' days are computed by date_part (a double) where they were computed by EXTRACT (a
# numeric rounded to a double): the two differ in the last digit for some intervals. A refresh of a
# run made before would mix both in its medians, so the next run after this migration (either way)
# is a full one, which writes every entry anew.

from django.db import migrations


def next_run_full(apps, schema_editor):
    apps.get_model("enablement", "AnalyticsRun").objects.update(watermark=None)


class Migration(migrations.Migration):
    dependencies = [("enablement", "0014_analytics_exposure_key")]

    operations = [migrations.RunPython(next_run_full, next_run_full)]
