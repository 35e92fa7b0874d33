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
# Uses before the landmark per stratum, and (in_window false) uses only later, in one pass.
EXPOSED_STRATA_SQL = """
SELECT x.asset_id, e.stage_id, e.owner_id, e.quarter, e.outcome, x.in_window, COUNT(*), SUM(e.amount),
       SUM(CASE WHEN e.won THEN e.amount ELSE 0 END)
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
AT_RISK_DAYS = """
SELECT e.stage_id AS k1, 0 AS k2, e.days FROM {entry} e
WHERE e.run_id = %s AND e.outcome = 'advanced' AND {at_risk} {stages}
"""
# The median of the deals *without* an asset, for every (asset, stage) at once, without listing
# them: rank the stage's advanced entries by days (g); number the ones left out for each asset
# among them (j): those that used it, and those not comparable (entered before its cut). Left-out
# entry j has g − j kept entries before it, so the k-th kept entry has rank k + #{left out with
# g − j < k}. Work grows with the entries plus the exposures, not their product.
UNEXPOSED_MEDIANS_SQL = """
WITH ranked AS (
    SELECT e.id, e.stage_id, e.entered_at, e.days,
           ROW_NUMBER() OVER (PARTITION BY e.stage_id ORDER BY e.days, e.id) AS g
    FROM {entry} e WHERE e.run_id = %s AND e.outcome = 'advanced' AND {at_risk} {stages}
), n AS (
    SELECT stage_id, COUNT(*) AS n FROM ranked GROUP BY stage_id
), out AS (
    SELECT x.asset_id, r.stage_id, r.g, r.days, 1 AS used FROM {exposure} x JOIN ranked r ON r.id = x.entry_id
    {pairs_r}
    WHERE x.run_id = %s AND x.in_window
    UNION ALL
    SELECT c.asset_id, r.stage_id, r.g, r.days, 0 FROM {cuts} c JOIN ranked r ON r.stage_id = c.stage_id
    WHERE r.entered_at <= c.cut
), xs AS (
    SELECT asset_id, stage_id, g, days, used,
           ROW_NUMBER() OVER (PARTITION BY asset_id, stage_id ORDER BY g) AS j,
           SUM(used) OVER (PARTITION BY asset_id, stage_id ORDER BY g) AS ju,
           SUM(used) OVER (PARTITION BY asset_id, stage_id) AS cu
    FROM out
), em AS (
    -- the median of those that used it, from the same numbering (one row, or the mean of two)
    SELECT asset_id, stage_id, AVG(days) AS median FROM xs
    WHERE used = 1 AND (ju = (cu + 1) / 2 OR ju = (cu + 2) / 2) GROUP BY asset_id, stage_id
), ks AS (
    SELECT xs.asset_id, xs.stage_id, (MAX(n.n) - COUNT(*) + 1) / 2 AS k1, (MAX(n.n) - COUNT(*) + 2) / 2 AS k2
    FROM xs JOIN n ON n.stage_id = xs.stage_id
    GROUP BY xs.asset_id, xs.stage_id
), ts AS (
    SELECT ks.asset_id, ks.stage_id,
           ks.k1 + SUM(CASE WHEN xs.g - xs.j < ks.k1 THEN 1 ELSE 0 END) AS t1,
           ks.k2 + SUM(CASE WHEN xs.g - xs.j < ks.k2 THEN 1 ELSE 0 END) AS t2
    FROM ks JOIN xs ON xs.asset_id = ks.asset_id AND xs.stage_id = ks.stage_id
    GROUP BY ks.asset_id, ks.stage_id, ks.k1, ks.k2
)
SELECT ts.asset_id, ts.stage_id, r1.days, r2.days, em.median
FROM ts LEFT JOIN ranked r1 ON r1.stage_id = ts.stage_id AND r1.g = ts.t1
LEFT JOIN ranked r2 ON r2.stage_id = ts.stage_id AND r2.g = ts.t2
LEFT JOIN em ON em.asset_id = ts.asset_id AND em.stage_id = ts.stage_id
"""
CUTS = "analytics_cuts"
SCOPE = "analytics_scope"
