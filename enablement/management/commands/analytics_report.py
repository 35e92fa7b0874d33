from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError, CommandParser

from assets.models import FunnelStage
from enablement.analytics.report import assets_csv, report


class Command(BaseCommand):
    help = "Print the current analytics (the report of the manual's Analytics method) as JSON or CSV."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--format", choices=["json", "csv"], default="json")
        parser.add_argument("--stage", help="only this stage (its slug)")

    def handle(self, *args, **options) -> None:
        stage = options["stage"]
        if stage and not FunnelStage.objects.open().filter(slug=stage).exists():
            raise CommandError(f"No open funnel stage with slug {stage!r}.")
        data = report(stage=stage)
        if data["as_of"] is None:
            raise CommandError("No analytics computed yet: run `manage.py compute_analytics` first.")
        if options["format"] == "json":
            self.stdout.write(json.dumps(data, indent=2))
        else:
            self.stdout.write(assets_csv(data["assets"]), ending="")
