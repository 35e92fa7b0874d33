"""`manage.py webhook add URL --events EV1,EV2 --secret SECRET`, `webhook list`, `webhook remove ID`."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from config.webhooks.events import EVENTS
from config.webhooks.models import Endpoint, PayloadFormat
from config.webhooks.services import endpoint_add


class Command(BaseCommand):
    help = "Register, list or remove webhook endpoints."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add", help="Register an endpoint.")
        add.add_argument("url")
        add.add_argument("--events", required=True, help=f"Comma-separated: {', '.join(EVENTS)}.")
        add.add_argument("--secret", default="", help="Signs each delivery; made for you when left out.")
        add.add_argument("--name", default="")
        add.add_argument("--format", default=PayloadFormat.JSON, choices=PayloadFormat.values)
        sub.add_parser("list", help="Show the endpoints.")
        remove = sub.add_parser("remove", help="Delete an endpoint and its delivery log.")
        remove.add_argument("id", type=int)

    def handle(self, *args, **options) -> None:
        getattr(self, f"_{options['action']}")(options)

    def _add(self, options: dict) -> None:
        events = [name.strip() for name in options["events"].split(",") if name.strip()]
        try:
            endpoint = endpoint_add(
                url=options["url"],
                events=events,
                secret=options["secret"],
                name=options["name"],
                format=options["format"],
            )
        except ValidationError as exc:
            raise CommandError(
                " ".join(f"{field}: {'; '.join(errors)}" for field, errors in exc.message_dict.items())
            ) from None
        self.stdout.write(f"Endpoint {endpoint.pk} added for {', '.join(endpoint.events)}.")
        if not options["secret"]:
            self.stdout.write(f"Secret (shown once here, kept in the admin): {endpoint.secret}")

    def _list(self, options: dict) -> None:
        for endpoint in Endpoint.objects.all():
            state = "active" if endpoint.active else "paused"
            self.stdout.write(
                f"{endpoint.pk}\t{state}\t{endpoint.format}\t{endpoint.url}\t{','.join(endpoint.events)}"
            )

    def _remove(self, options: dict) -> None:
        deleted, _ = Endpoint.objects.filter(pk=options["id"]).delete()
        if not deleted:
            raise CommandError(f"No endpoint {options['id']}.")
        self.stdout.write(f"Endpoint {options['id']} removed.")
