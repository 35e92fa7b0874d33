from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from enablement.demo.seed import DEMO_PASSWORD, seed_demo


def positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise ValueError(value)
    return number


class Command(BaseCommand):
    help = "Create (or complete) the demo organisation: people, catalogue, deals and usage. Idempotent."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--deals", type=positive, default=2000, help="number of deals (default 2000)")
        parser.add_argument("--assets", type=positive, default=60, help="number of assets (default 60)")
        parser.add_argument("--reps", type=positive, default=12, help="number of reps (default 12)")
        parser.add_argument("--seed", type=int, default=7, help="random seed (default 7)")

    def handle(self, *args, **options) -> None:
        if options["reps"] > 500:
            raise CommandError("--reps above 500 is not a demo organisation.")
        report = seed_demo(
            assets=options["assets"], reps=options["reps"], deals=options["deals"], seed=options["seed"]
        )
        self.stdout.write(
            f"Demo organisation ready: {report.users_created} user(s) and "
            f"{report.assets_created} asset(s) and {report.deals_created} deal(s) created this run."
        )
        for name, count in report.counts.items():
            self.stdout.write(f"  {name}: {count}")
        logins = f"admin (superuser), marketing, rep1 … rep{options['reps']}"
        self.stdout.write(self.style.SUCCESS(f"Logins (password {DEMO_PASSWORD}): {logins}"))
