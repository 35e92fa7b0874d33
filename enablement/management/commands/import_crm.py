from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from config.outbox.selectors import task_pending
from enablement.analytics.tasks import analytics_refresh_after_import
from enablement.importers import FORMATS, ImportFailed, ImportReport, run_import, unexpected_error_message


class Command(BaseCommand):
    help = (
        "Import deals, stage history, usage, buying committees and qualification ratings from CRM exports "
        "(native CSV, Salesforce, HubSpot)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("format", choices=sorted(FORMATS))
        parser.add_argument("path", type=Path, help="a folder or zip (native, salesforce) or a CSV file")
        parser.add_argument("--dry-run", action="store_true", help="check everything, write nothing")
        parser.add_argument(
            "--skip-invalid", action="store_true", help="write the good rows, report the rest"
        )
        parser.add_argument("--stage-map", type=Path, help="CSV with columns crm_stage,stage_slug")
        parser.add_argument("--role-map", type=Path, help="CSV with columns crm_role,role_slug")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args, **options) -> None:
        bars: dict[str, tqdm] = {}

        def progress(name: str, done: int, total: int) -> None:
            bar = bars.get(name)
            if bar is None:
                for finished in bars.values():  # files are read one after another
                    finished.close()
                bar = bars[name] = tqdm(
                    total=total,
                    desc=name,
                    unit="B",
                    unit_scale=True,
                    leave=True,
                    disable=options["no_progress"],
                    file=self.stderr._out,
                )
            bar.update(done - bar.n)

        try:
            report = run_import(
                options["format"],
                options["path"],
                dry_run=options["dry_run"],
                skip_invalid=options["skip_invalid"],
                stage_map=options["stage_map"],
                role_map=options["role_map"],
                progress=progress,
            )
        except ImportFailed as exc:
            for line in exc.rows:
                self.stderr.write(line)
            # One line even when a name in the message (a zip member's, say) holds a line break.
            raise CommandError(" ".join(exc.message.splitlines())) from None
        except Exception as exc:
            # Never a traceback for any input, only one line; --traceback shows this error's cause.
            raise CommandError(
                f"{unexpected_error_message(exc)} Run again with --traceback for the details."
            ) from exc
        finally:
            for bar in bars.values():
                bar.close()
        self._print(report)
        if report.failed:
            raise CommandError(
                f"{report.error_count} row(s) rejected; nothing was written. "
                "Fix them, or use --skip-invalid to write the good rows."
            )

    def _print(self, report: ImportReport) -> None:
        for line in report.errors:
            self.stderr.write(line)
        if report.error_count > len(report.errors):
            self.stderr.write(f"… and {report.error_count - len(report.errors)} more rejected row(s).")
        width = max([len(n) for n in report.files] + [4])
        self.stdout.write(f"{'file'.ljust(width)}  created  updated  unchanged  rejected")
        for name, c in report.files.items():
            self.stdout.write(
                f"{name.ljust(width)}  {c.created:7}  {c.updated:7}  {c.unchanged:9}  {c.rejected:8}"
            )
        if report.dry_run:
            self.stdout.write(self.style.WARNING("Dry run: nothing was written."))
        elif report.written:
            self.stdout.write(self.style.SUCCESS("Import complete."))
            if report.changed:
                self._say_if_refresh_waits()
        self.stdout.write(f"Import: {report.seconds:.1f} s.")
        if report.refresh_seconds is not None:
            self.stdout.write(f"Analytics refresh after the import: {report.refresh_seconds:.1f} s.")

    def _say_if_refresh_waits(self) -> None:
        if task_pending(analytics_refresh_after_import):
            self.stdout.write(
                self.style.WARNING(
                    "The analytics refresh is waiting for the worker: the task queue could not be "
                    "reached. It is sent when a worker starts or beat runs (every minute); "
                    "`manage.py compute_analytics` refreshes now."
                )
            )
