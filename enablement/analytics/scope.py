"""What a refresh recomputes from the working tables, per exposure kind (enablement.analytics.figures)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db import connection

from assets.models import Asset, FunnelStage
from enablement.analytics import delta, sql
from enablement.analytics.figures_sql import SCOPE
from enablement.choices import ExposureKind

FULL = {"stages": "", "pairs": ""}


@dataclass
class Scope:
    """What a refresh recomputes: every asset at `stages`, the `pairs` (asset, stage), and `assets` at
    every stage; `changes` are the exposures that came or went in the pairs (enablement.analytics.delta
    moves the figures of those it can by them and takes them out of `pairs`). The rest of the run's
    rows stand; only their q-values and verdicts follow."""

    stages: set[int] = field(default_factory=set)
    pairs: set[tuple[int, int]] = field(default_factory=set)
    assets: set[int] = field(default_factory=set)
    changes: list[delta.Change] = field(default_factory=list)
    was_available: dict[int, datetime] = field(default_factory=dict)  # before the assets' moves
    fragments: dict[str, str] = field(default_factory=dict)
    computed_stages: set[int] = field(default_factory=set)
    moved: int = 0  # pairs settled by difference
    kind: str = ExposureKind.USED  # whose exposures: used by reps, or read by buyers

    def fill(self) -> set[tuple[int, int]]:
        """Write the scope's pairs to a temporary table the statements join, and return them."""
        open_stages = list(FunnelStage.objects.open().values_list("pk", flat=True))
        everything = set(self.pairs)
        if self.stages:
            assets = Asset.objects.values_list("pk", flat=True)
            everything |= {(a, s) for a in assets for s in self.stages}
        everything |= {(a, s) for a in self.assets for s in open_stages}
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {SCOPE}")
            cursor.execute(f"CREATE TEMPORARY TABLE {SCOPE} (asset_id BIGINT, stage_id BIGINT)")
            if everything:
                cursor.executemany(f"INSERT INTO {SCOPE} VALUES (%s, %s)", sorted(everything))
            if sql.postgres():
                cursor.execute(f"ANALYZE {SCOPE}")
        self.computed_stages = {s for _, s in everything}
        stages = ", ".join(str(int(s)) for s in sorted(self.computed_stages)) or "NULL"
        self.fragments = {
            "stages": f"AND e.stage_id IN ({stages})",
            "pairs": f"JOIN {SCOPE} p ON p.asset_id = x.asset_id AND p.stage_id = e.stage_id",
        }
        return everything
