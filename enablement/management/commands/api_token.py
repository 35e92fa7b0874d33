from __future__ import annotations

from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import IntegrityError

from enablement.api.tokens import ApiToken, api_token_create, api_token_revoke


class Command(BaseCommand):
    help = "Make, list or revoke integration API tokens. A new key is printed once and never again."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="make a token for an integration")
        create.add_argument("name")
        create.add_argument("--user", required=True, help="the user the token acts for")
        revoke = sub.add_parser("revoke", help="revoke a token by name")
        revoke.add_argument("name")
        sub.add_parser("list", help="list tokens")

    def handle(self, *args, **options) -> None:
        if options["action"] == "create":
            user = User.objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"No user {options['user']!r}.")
            try:
                _, key = api_token_create(name=options["name"], user=user)
            except IntegrityError:
                raise CommandError(f"A token named {options['name']!r} exists already.") from None
            self.stdout.write(key)
        elif options["action"] == "revoke":
            token = ApiToken.objects.filter(name=options["name"]).first()
            if token is None:
                raise CommandError(f"No token named {options['name']!r}.")
            api_token_revoke(token=token)
            self.stdout.write(f"Revoked {token}.")
        else:
            for token in ApiToken.objects.select_related("user"):
                state = "revoked" if token.revoked_at else "active"
                self.stdout.write(f"{token.name}\\t{token.user.username}\\t{token.prefix}…\\t{state}")
