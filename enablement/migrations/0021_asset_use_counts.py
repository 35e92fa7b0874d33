from django.db import migrations
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce


def count_uses(apps, schema_editor):
    """Fill the assets' stored use counts from the events recorded before they were kept."""
    Asset = apps.get_model("assets", "Asset")
    UsageEvent = apps.get_model("enablement", "UsageEvent")
    counted = (
        UsageEvent.objects.filter(asset=OuterRef("pk")).order_by().values("asset").annotate(n=Count("pk")).values("n")
    )
    Asset.objects.update(use_count=Coalesce(Subquery(counted, output_field=IntegerField()), 0))


class Migration(migrations.Migration):
    dependencies = [
        ("assets", "0006_asset_use_count"),
        ("enablement", "0020_analytics_read_exposure"),
    ]

    operations = [migrations.RunPython(count_uses, migrations.RunPython.noop)]
