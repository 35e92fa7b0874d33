"""Usage staged: judged under usage_record_many's rules for the whole file, then inserted with stages."""

from __future__ import annotations

from datetime import datetime

from django.db import connection
from django.utils import timezone

from enablement.choices import UsageSource
from enablement.importers.base import no_deal_message
from enablement.importers.staging.base import (
    DEAL,
    Sink,
    report_rejects,
)
from enablement.importers.writers import (
    UsageRow,
    write_usage,
)
from enablement.usage.bulk import usage_insert_judged, usage_judge
from enablement.usage.counts import new_uses_count
from enablement.usage.rules import judged_outcome

# --- usage ----------------------------------------------------------------------------------------

# The staged rows as enablement.usage.bulk.USAGE_VERDICTS reads them, with their deals found by the
# source's id (a row naming no known deal is judged 'no deal').
STAGED_ROWS = f"""
    SELECT s.line, s.event_id, d.id AS deal_id, s.deal_ext AS deal_label, d.closed_at, s.asset_id,
           s.version_id AS asset_version_id, s.rep_id, s.action, s.occurred_at, TRUE AS stated,
           FALSE AS refused, %s::text AS source
    FROM {{staging}} s LEFT JOIN {DEAL} d ON d.source = %s AND d.external_id = s.deal_ext
"""


class UsageSink(Sink):
    """usage rows, under usage_record_many's rules: an event_id recorded the same is unchanged, with
    other content rejected, and so is usage at or after its deal closed."""

    STAGING = "import_usage"
    COLUMNS = [
        ("event_id", "text"),
        ("deal_ext", "text"),
        ("asset_id", "bigint"),
        ("version_id", "bigint"),
        ("rep_id", "bigint"),
        ("action", "text"),
        ("occurred_at", "timestamptz"),
    ]

    def add(self, rows: list[UsageRow]) -> None:
        if not self.copy:
            write_usage(rows, source=self.source, file=self.file, report=self.report)
            return
        self.staging.write(
            [
                (r.line, r.event_id, r.deal_id, r.asset_id, r.version_id, r.rep.pk, r.action, r.occurred_at)
                for r in rows
            ]
        )

    def finish(self) -> None:
        if not self.copy:
            return
        self.staging.analyse()
        rows = STAGED_ROWS.format(staging=self.STAGING)
        judged = usage_judge(rows, [UsageSource.IMPORT, self.source], f"{self.STAGING}_judged")
        file, report = self.file, self.report
        # The stage of each new event is its deal's stage at occurred_at, from the history, in the
        # same statement.
        created = usage_insert_judged(judged, timezone.now())
        report.counts(file).created += sum(created.values())
        new_uses_count(created)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM {judged} WHERE verdict = 'same'")
            report.counts(file).unchanged += cursor.fetchone()[0]
        self._reject(judged)
        self._done(judged)

    def _reject(self, judged: str) -> None:
        def reason(verdict: str, event_id: str, label: str, closed_at: datetime | None, differs: str) -> str:
            if verdict == "no deal":
                return no_deal_message(label)
            return judged_outcome(verdict, event_id, label, closed_at, differs, stated=True).message

        report_rejects(
            self.report,
            self.file,
            f"SELECT line, verdict, event_id, deal_label, closed_at, differs FROM {judged} "
            "WHERE verdict NOT IN ('new', 'same')",
            [],
            reason,
        )
