"""`python manage.py audit_export --since DATE [--until DATE]`: the audit trail as CSV on stdout."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from auditlog.models import LogEntry
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from config.audit.selectors import EXPORT_COLUMNS, entries_since, export_row
from config.audit.services import audit_record_about
from config.csv_export import SafeCsvWriter


def _moment(raw: str, option: str) -> datetime:
    """A date (midnight UTC) or an ISO 8601 time; a time without an offset is UTC."""
    try:
        moment = parse_datetime(raw) or parse_date(raw)
    except ValueError:
        moment = None
    if moment is None:
        raise CommandError(f"{option} {raw!r} is not a date: use YYYY-MM-DD or an ISO 8601 time.")
    if isinstance(moment, date) and not isinstance(moment, datetime):
        moment = datetime.combine(moment, time.min)
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment, UTC)


class Command(BaseCommand):
    help = "Write the audit trail from --since (and before --until) as CSV to stdout, oldest first."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--since", required=True, help="A date (YYYY-MM-DD) or an ISO 8601 time.")
        parser.add_argument("--until", help="Stop before this date or time (default: now).")

    def handle(self, *args, **options) -> None:
        since = _moment(options["since"], "--since")
        until = _moment(options["until"], "--until") if options["until"] else None
        if until is not None and until <= since:
            raise CommandError("--until must come after --since.")
        # The export itself is in the trail, written first so it is never part of what it exports.
        audit_record_about(
            event="export.downloaded",
            model=LogEntry,
            data={"export": "audit_export", "since": since, "until": until},
        )
        writer = SafeCsvWriter(self.stdout)
        writer.writerow(EXPORT_COLUMNS)
        for entry in entries_since(since=since, until=until or timezone.now()):
            writer.writerow(export_row(entry))
