"""A sensible default funnel and set of buyer roles; all editable in the admin afterwards."""

from django.db import migrations

from assets.defaults import ROLES, STAGES, catalogue_defaults_ensure

def create(apps, schema_editor):
    catalogue_defaults_ensure(apps.get_model("assets", "FunnelStage"), apps.get_model("assets", "BuyerRole"))


def remove(apps, schema_editor):
    apps.get_model("assets", "FunnelStage").objects.filter(slug__in=[s[0] for s in STAGES]).delete()
    apps.get_model("assets", "BuyerRole").objects.filter(slug__in=[r[0] for r in ROLES]).delete()


class Migration(migrations.Migration):
    dependencies = [("assets", "0001_initial")]
    operations = [migrations.RunPython(create, remove)]
