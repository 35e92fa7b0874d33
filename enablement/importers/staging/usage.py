"""Usage staged: judged under usage_record_many's rules for the whole file, then inserted with stages."""

from __future__ import annotations

from datetime import datetime

from django.db import connection
from django.utils import timezone

from enablement.choices import UsageSource
from enablement.deals.history import stage_at_sql
from enablement.importers.base import no_deal_message
from enablement.importers.staging.base import (
    DEAL,
    USAGE,
    Sink,
    execute,
    report_rejects,
)
from enablement.importers.writers import (
    UsageRow,
    write_usage,
)
from enablement.usage.counts import usage_counts_refresh
from enablement.usage.services import usage_after_close, usage_conflict_message

# --- usage ----------------------------------------------------------------------------------------

# Each staged event judged against the deals, what is recorded under its event_id, and its first
# mention in the file (usage_record_many's rules, for a whole file at once).
USAGE_VERDICTS = f"""
    SELECT v.line, v.event_id, v.deal_pk, v.asset_id, v.version_id, v.rep_id, v.action, v.occurred_at,
           v.deal_ext, v.closed_at, v.differs, CASE
        WHEN v.deal_pk IS NULL THEN 'no deal'
        WHEN v.stored THEN CASE WHEN v.differs = '' THEN 'same' ELSE 'recorded differently' END
        WHEN v.nth > 1 THEN CASE  -- the first mention is recorded by now, unless it came after close
            WHEN v.differs <> '' AND v.first_closed THEN 'differs from earlier'
            WHEN v.differs <> '' THEN 'recorded differently'
            WHEN v.first_closed THEN 'closed'
            ELSE 'same' END
        WHEN v.closed_at IS NOT NULL AND v.occurred_at >= v.closed_at THEN 'closed'
        ELSE 'new' END AS verdict
    FROM (
        SELECT w.*, CONCAT_WS(', ',
                   CASE WHEN w.ref_deal IS DISTINCT FROM w.deal_pk THEN 'deal_id' END,
                   CASE WHEN w.ref_asset IS DISTINCT FROM w.asset_id THEN 'asset' END,
                   CASE WHEN w.ref_rep IS DISTINCT FROM w.rep_id THEN 'rep' END,
                   CASE WHEN w.ref_action IS DISTINCT FROM w.action THEN 'action' END,
                   CASE WHEN w.ref_at IS DISTINCT FROM w.occurred_at THEN 'occurred_at' END) AS differs
        FROM (
            SELECT x.*, u.id IS NOT NULL AS stored,
                   CASE WHEN u.id IS NOT NULL THEN u.deal_id
                        ELSE FIRST_VALUE(x.deal_pk) OVER w END AS ref_deal,
                   CASE WHEN u.id IS NOT NULL THEN u.asset_id
                        ELSE FIRST_VALUE(x.asset_id) OVER w END AS ref_asset,
                   CASE WHEN u.id IS NOT NULL THEN u.rep_id
                        ELSE FIRST_VALUE(x.rep_id) OVER w END AS ref_rep,
                   CASE WHEN u.id IS NOT NULL THEN u.action
                        ELSE FIRST_VALUE(x.action) OVER w END AS ref_action,
                   CASE WHEN u.id IS NOT NULL THEN u.occurred_at
                        ELSE FIRST_VALUE(x.occurred_at) OVER w END AS ref_at,
                   FIRST_VALUE(x.closed_at IS NOT NULL AND x.occurred_at >= x.closed_at) OVER w
                       AS first_closed,
                   ROW_NUMBER() OVER w AS nth
            FROM (
                SELECT s.*, d.id AS deal_pk, d.closed_at
                FROM {{staging}} s LEFT JOIN {DEAL} d ON d.source = %s AND d.external_id = s.deal_ext
            ) x
            LEFT JOIN {USAGE} u ON u.event_id = x.event_id
            WINDOW w AS (PARTITION BY x.event_id, x.deal_pk IS NULL ORDER BY x.line)
        ) w
    ) v
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
        judged = self._judge(USAGE_VERDICTS)
        file, report = self.file, self.report
        # The stage of each new event is its deal's stage at occurred_at, from the history, in the
        # same statement; rows in event_id order, as usage_record_many takes its locks.
        created = execute(
            f"""
            INSERT INTO {USAGE} (event_id, asset_id, asset_version_id, deal_id, rep_id, action, occurred_at,
                                 source, recorded_at, stage_id)
            SELECT j.event_id, j.asset_id, j.version_id, j.deal_pk, j.rep_id, j.action, j.occurred_at,
                   %s, %s, {stage_at_sql("j.deal_pk", "j.occurred_at")}
            FROM {judged} j WHERE j.verdict = 'new'
            ORDER BY j.event_id
            ON CONFLICT (event_id) DO NOTHING
            """,
            [UsageSource.IMPORT, timezone.now()],
        )
        report.counts(file).created += created
        with connection.cursor() as cursor:
            if created:
                cursor.execute(f"SELECT DISTINCT asset_id FROM {judged} WHERE verdict = 'new'")
                usage_counts_refresh(asset_ids={asset_id for (asset_id,) in cursor.fetchall()})
            cursor.execute(f"SELECT COUNT(*) FROM {judged} WHERE verdict = 'same'")
            report.counts(file).unchanged += cursor.fetchone()[0]
        self._reject(judged)
        self._done(judged)

    def _reject(self, judged: str) -> None:
        def reason(
            verdict: str, event_id: str, deal_ext: str, closed_at: datetime | None, differs: str
        ) -> str:
            if verdict == "no deal":
                return no_deal_message(deal_ext)
            if verdict == "closed":
                return usage_after_close(deal_label=deal_ext, closed_at=closed_at, occurred_at=closed_at)
            return usage_conflict_message(
                event_id, differs.split(", "), earlier_in_batch=verdict == "differs from earlier"
            )

        report_rejects(
            self.report,
            self.file,
            f"SELECT line, verdict, event_id, deal_ext, closed_at, differs FROM {judged} "
            "WHERE verdict NOT IN ('new', 'same')",
            [],
            reason,
        )
