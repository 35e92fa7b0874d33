"""The statements enablement.analytics.figures runs over a run's working tables, as templates: table
names and a refresh's scope are filled in by `figures._sql`; values always go as parameters."""

# Days of advanced entries, keyed; the window picks the middle rows and the 75th-percentile row.
QUANTILES_SQL = """
SELECT k1, k2, days, rn, cnt FROM (
    SELECT k1, k2, days, ROW_NUMBER() OVER (PARTITION BY k1, k2 ORDER BY days) AS rn,
           COUNT(*) OVER (PARTITION BY k1, k2) AS cnt
    FROM ({source}) src
) ranked
WHERE rn = (cnt + 1) / 2 OR rn = (cnt + 2) / 2 OR rn = (3 * cnt + 3) / 4
"""

STAGE_COUNTS_SQL = (
    "SELECT stage_id, outcome, COUNT(*) FROM {entry} WHERE run_id = %s GROUP BY stage_id, outcome"
)
STAGE_DAYS = "SELECT stage_id AS k1, 0 AS k2, days FROM {entry} WHERE run_id = %s AND outcome = 'advanced'"

AT_RISK_STRATA_SQL = """
SELECT e.stage_id, e.owner_id, e.quarter, e.outcome, COUNT(*), MIN(e.entered_at) FROM {entry} e
WHERE e.run_id = %s AND {at_risk} {stages} GROUP BY e.stage_id, e.owner_id, e.quarter, e.outcome
"""
# Uses before the landmark per stratum, and (in_window false) uses only later, in one pass; `{days}`
# (PostgreSQL) brings the days of the stratum's exposed advanced entries along (unordered), saving a
# second join of the same tables for the medians.
EXPOSED_STRATA_SQL = """
SELECT x.asset_id, e.stage_id, e.owner_id, e.quarter, e.outcome, x.in_window, COUNT(*), SUM(e.amount),
       SUM(CASE WHEN e.won THEN e.amount ELSE 0 END), {days}
FROM {exposure} x JOIN {entry} e ON e.id = x.entry_id {pairs}
WHERE x.run_id = %s {stages}
GROUP BY x.asset_id, e.stage_id, e.owner_id, e.quarter, e.outcome, x.in_window
"""
# For assets available after a stage's first entries (the cuts table): the entries of the cut's own
# quarter that entered after it, which are comparable; earlier quarters are not, later ones are.
PARTIAL_SQL = """
SELECT c.asset_id, c.stage_id, e.owner_id, e.outcome, COUNT(*)
FROM {cuts} c JOIN {entry} e ON e.run_id = %s AND e.stage_id = c.stage_id AND e.quarter = c.quarter
WHERE e.entered_at > c.cut AND {at_risk} {stages}
GROUP BY c.asset_id, c.stage_id, e.owner_id, e.outcome
"""
EXPOSED_DAYS_PG = "array_agg(e.days) FILTER (WHERE x.in_window AND e.outcome = 'advanced')"
CUTS = "analytics_cuts"
SCOPE = "analytics_scope"
