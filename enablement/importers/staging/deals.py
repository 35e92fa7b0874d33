"""deals.csv staged: accounts and deals upserted by the source's ids, one statement each."""

from __future__ import annotations

from django.db import connection
from django.utils import timezone

from enablement.importers.staging.base import (
    ACCOUNT,
    ANALYSE_AFTER,
    DEAL,
    Sink,
    execute,
)
from enablement.importers.writers import (
    AccountRow,
    DealRow,
    write_accounts,
    write_deals,
)


class DealSink(Sink):
    """deals.csv: accounts upserted from the deals' account names, then the deals, by the source's id."""

    STAGING = "import_deals"
    COLUMNS = [
        ("external_id", "text"),
        ("name", "text"),
        ("account", "text"),
        ("industry", "text"),
        ("owner_id", "bigint"),
        ("amount", "numeric"),
        ("currency", "text"),
        ("created_at", "timestamptz"),
    ]

    def add(self, rows: list[DealRow], accounts: list[AccountRow]) -> None:
        if not self.copy:
            account_pks = write_accounts(accounts, source=self.source)
            write_deals(
                rows, source=self.source, counts=self.report.counts(self.file), account_pks=account_pks
            )
            return
        industry = {a.external_id: a.industry[:120] for a in accounts}
        self.staging.write(
            [
                (
                    r.line,
                    r.external_id,
                    r.name[:255],
                    r.account_id or "",
                    industry.get(r.account_id, "") if r.account_id else "",
                    r.owner.pk if r.owner else None,
                    r.amount,
                    r.currency,
                    r.created_at,
                )
                for r in rows
            ]
        )

    def finish(self) -> None:
        if not self.copy:
            return
        self.staging.analyse()
        s = self.staging.name
        # Accounts: the last row naming an account sets its industry, as batch by batch before; size
        # and region are not in deals.csv, so what is stored (the admin's, say) stands.
        execute(
            f"""
            INSERT INTO {ACCOUNT} (source, external_id, name, industry, size, region)
            SELECT DISTINCT ON (account) %s, account, account, industry, '', ''
            FROM {s} WHERE account <> '' ORDER BY account, line DESC
            ON CONFLICT (source, external_id) DO UPDATE
               SET name = EXCLUDED.name, industry = EXCLUDED.industry
             WHERE ({ACCOUNT}.name, {ACCOUNT}.industry) IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.industry)
            """,
            [self.source],
        )
        with connection.cursor() as cursor:
            cursor.execute(
                f"""
                WITH written AS (
                    INSERT INTO {DEAL} (source, external_id, name, account_id, owner_id, amount, currency,
                                        created_at, updated_at)
                    SELECT %s, s.external_id, s.name, a.id, s.owner_id, s.amount, s.currency, s.created_at,
                           %s
                    FROM {s} s
                    LEFT JOIN {ACCOUNT} a ON a.source = %s AND a.external_id = s.account AND s.account <> ''
                    ORDER BY s.external_id
                    ON CONFLICT (source, external_id) DO UPDATE
                       SET name = EXCLUDED.name, account_id = EXCLUDED.account_id,
                           owner_id = EXCLUDED.owner_id,
                           amount = EXCLUDED.amount, currency = EXCLUDED.currency,
                           created_at = EXCLUDED.created_at, updated_at = EXCLUDED.updated_at
                     WHERE ({DEAL}.name, {DEAL}.account_id, {DEAL}.owner_id, {DEAL}.amount, {DEAL}.currency,
                            {DEAL}.created_at)
                           IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.account_id, EXCLUDED.owner_id,
                                             EXCLUDED.amount, EXCLUDED.currency, EXCLUDED.created_at)
                    RETURNING xmax = 0 AS created
                )
                SELECT COUNT(*) FILTER (WHERE created), COUNT(*) FILTER (WHERE NOT created) FROM written
                """,
                [self.source, timezone.now(), self.source],
            )
            created, updated = cursor.fetchone()
        counts = self.report.counts(self.file)
        counts.created += created
        counts.updated += updated
        counts.unchanged += self.staging.rows - created - updated
        if created + updated > ANALYSE_AFTER:
            execute(f"ANALYZE {ACCOUNT}")
            execute(f"ANALYZE {DEAL}")
        self._done()
