"""`manage.py scim_token create NAME` (prints the token once), `scim_token revoke NAME`, `scim_token list`."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import IntegrityError

from enablement.identity.models import ScimToken
from enablement.identity.tokens import scim_token_create, scim_token_revoke


class Command(BaseCommand):
    help = "Make, list or revoke SCIM bearer tokens for an identity provider. A token is printed once."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("create", help="make a token").add_argument("name")
        sub.add_parser("revoke", help="revoke a token by name").add_argument("name")
        sub.add_parser("list", help="list tokens")

    def handle(self, *args, **options) -> None:
        if options["action"] == "create":
            try:
                _, key = scim_token_create(name=options["name"])
            except IntegrityError:
                raise CommandError(f"A SCIM token named {options['name']!r} exists already.") from None
            self.stdout.write(key)
        elif options["action"] == "revoke":
            token = ScimToken.objects.filter(name=options["name"]).first()
            if token is None:
                raise CommandError(f"No SCIM token named {options['name']!r}.")
            scim_token_revoke(token=token)
            self.stdout.write(f"Revoked {token}.")
        else:
            for token in ScimToken.objects.all():
                state = "revoked" if token.revoked_at else "active"
                used = token.last_used_at.isoformat() if token.last_used_at else "never used"
                self.stdout.write(f"{token.name}\t{token.prefix}…\t{state}\t{used}")
