"""Stage history staged: judged against what is recorded and the file's own repeats, then added."""

from __future__ import annotations

from django.db import connection
from django.db.models.expressions import RawSQL
from django.utils import timezone

from enablement.deals.history import deals_state_recompute_sql, history_rewrite_message
from enablement.importers.base import no_deal_message
from enablement.importers.staging.base import (
    ANALYSE_AFTER,
    DEAL,
    HISTORY,
    Sink,
    execute,
    report_rejects,
)
from enablement.importers.writers import (
    HistoryRow,
    write_history,
)
from enablement.usage.models import UsageEvent
from enablement.usage.stages import usage_stages_recompute

# --- history --------------------------------------------------------------------------------------

HISTORY_VERDICTS = f"""
    SELECT v.*, CASE
        WHEN v.deal_pk IS NULL THEN 'no deal'
        WHEN v.stored_stage IS NOT NULL THEN
            CASE WHEN (v.stored_stage, v.stored_at) = (v.stage_id, v.entered_at) THEN 'same'
            ELSE 'rewrite' END
        WHEN v.nth > 1 THEN
            CASE WHEN (v.first_stage, v.first_at) = (v.stage_id, v.entered_at) THEN 'same' ELSE 'rewrite' END
        ELSE 'new' END AS verdict
    FROM (
        SELECT s.line, s.deal_ext, d.id AS deal_pk, s.stage_id, s.entered_at, s.key,
               h.stage_id AS stored_stage, h.entered_at AS stored_at,
               ROW_NUMBER() OVER w AS nth, FIRST_VALUE(s.stage_id) OVER w AS first_stage,
               FIRST_VALUE(s.entered_at) OVER w AS first_at
        FROM {{staging}} s
        LEFT JOIN {DEAL} d ON d.source = %s AND d.external_id = s.deal_ext
        LEFT JOIN {HISTORY} h ON h.deal_id = d.id AND h.external_id = s.key
        WINDOW w AS (PARTITION BY d.id, s.key ORDER BY s.line)
    ) v
"""


class HistorySink(Sink):
    """stage_history rows: new ones added, the same again unchanged, a rewrite refused; then the
    current stage of every deal that gained history, and the stage of its usage, set-based."""

    STAGING = "import_history"
    COLUMNS = [("deal_ext", "text"), ("stage_id", "bigint"), ("entered_at", "timestamptz"), ("key", "text")]

    def add(self, rows: list[HistoryRow]) -> None:
        if not self.copy:
            write_history(rows, source=self.source, file=self.file, report=self.report)
            return
        self.staging.write([(r.line, r.deal_id, r.stage.pk, r.entered_at, r.key) for r in rows])

    def finish(self) -> None:
        if not self.copy:
            return
        self.staging.analyse()
        judged = self._judge(HISTORY_VERDICTS)
        file, report = self.file, self.report
        report_rejects(
            report,
            file,
            f"SELECT line, deal_ext FROM {judged} WHERE verdict = 'no deal'",
            [],
            no_deal_message,
        )
        report_rejects(
            report,
            file,
            f"SELECT line, key FROM {judged} WHERE verdict = 'rewrite'",
            [],
            history_rewrite_message,
        )
        created = execute(
            f"""
            INSERT INTO {HISTORY} (deal_id, stage_id, entered_at, external_id, recorded_at)
            SELECT deal_pk, stage_id, entered_at, key, %s FROM {judged} WHERE verdict = 'new'
            ORDER BY deal_pk, key
            ON CONFLICT (deal_id, external_id) DO NOTHING
            """,
            [timezone.now()],
        )
        counts = report.counts(file)
        counts.created += created
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM {judged} WHERE verdict = 'same'")
            counts.unchanged += cursor.fetchone()[0]
        if created > ANALYSE_AFTER:
            execute(f"ANALYZE {HISTORY}")
        if created:
            touched = RawSQL(f"SELECT DISTINCT deal_pk FROM {judged} WHERE verdict = 'new'", [])
            deals_state_recompute_sql(f"SELECT deal_pk FROM {judged} WHERE verdict = 'new'")
            usage_stages_recompute(UsageEvent.objects.filter(deal_id__in=touched))
        self._done(judged)
