from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from enablement.analytics.engine import analytics_compute
from enablement.analytics.models import AssetStageMetric
from enablement.choices import Verdict


class Command(BaseCommand):
    help = "Recompute all analytics now (the same code the Celery task runs) and print a summary."

    def handle(self, *args, **options) -> None:
        run = analytics_compute()
        if run is None:
            raise CommandError("Another analytics run is computing right now; try again when it is done.")
        rows = AssetStageMetric.objects.filter(run=run)
        self.stdout.write(
            f"Analytics computed in {run.seconds:.2f} s over {run.deals:,} deals and "
            f"{run.usage_events:,} usage events."
        )
        for verdict in Verdict:
            self.stdout.write(
                f"  {verdict.label:<16} {rows.filter(verdict=verdict).count():>6} asset-stage rows"
            )
