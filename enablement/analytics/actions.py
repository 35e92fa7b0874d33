"""What to do now, for marketing: the top three of each of promote (assets with higher conversion that
reps leave unused at that stage), build (buyer role × stage gaps where reps asked for something) and
retire or refresh (lower conversion first, then unused, then past review), each with one sentence of
reason and a link. The analytics home and the weekly digest show the same items."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse

from enablement.analytics import gaps
from enablement.analytics import retire as retire_lists
from enablement.analytics.models import AnalyticsRun, AssetStageMetric
from enablement.analytics.wording import percent, points
from enablement.choices import ExposureKind, Verdict

TOP = 3


@dataclass
class Action:
    title: str
    reason: str
    url: str


@dataclass
class Actions:
    promote: list[Action]
    build: list[Action]
    retire: list[Action]

    def __bool__(self) -> bool:
        return bool(self.promote or self.build or self.retire)

    def sections(self) -> list[tuple[str, list[Action], str]]:
        """Each list with its heading and what to say when it is empty."""
        nothing_old = "Nothing to retire: every published asset is in use and current."
        return [
            ("Promote", self.promote, "No asset has significantly higher conversion yet."),
            ("Build", self.build, "No gap to rank until deals have entered stages and some have closed."),
            ("Retire or refresh", self.retire, nothing_old),
        ]


def actions(run: AnalyticsRun | None, grid: gaps.Coverage | None = None) -> Actions:
    if run is None:
        return Actions([], [], [])
    grid = grid or gaps.coverage(run)
    return Actions(promote=promote(run), build=build(grid), retire=retire(run))


def _share_unused(m: AssetStageMetric) -> float:
    closed = m.exposed_deals + m.unexposed_deals
    return m.unexposed_deals / closed if closed else 0.0


def promote(run: AnalyticsRun) -> list[Action]:
    """Assets with higher conversion at a stage, ranked by what using them more could move: the
    adjusted lift × the share of comparable deals there that did not use it."""
    rows = AssetStageMetric.objects.filter(
        run=run, verdict=Verdict.HELPS, exposure=ExposureKind.USED
    ).select_related("asset", "stage")
    ranked = sorted(rows, key=lambda m: -(m.adjusted_lift * _share_unused(m)))[:TOP]
    return [
        Action(
            title=f"Promote {m.asset.title} at {m.stage.name}",
            reason=(
                f"Deals that used it there advanced {percent(m.exposed_rate)} of the time against "
                f"{percent(m.unexposed_rate)} for comparable deals ({points(m.adjusted_lift)} points for "
                f"deals of the same rep and quarter), yet {m.unexposed_deals} of the "
                f"{m.exposed_deals + m.unexposed_deals} closed {m.stage.name} deals did not use it."
            ),
            url=reverse("analytics-asset", args=[m.asset.slug]),
        )
        for m in ranked
    ]


def build(grid: gaps.Coverage) -> list[Action]:
    """The build-next ranking, gaps that reps asked for (requests or searches that found nothing)
    first."""
    ranked = gaps.build_next(grid, limit=len(grid.cells))
    asked = [c for c in ranked if c.votes + c.searches + c.requests] + [
        c for c in ranked if not c.votes + c.searches + c.requests
    ]
    return [
        Action(
            title=f"Build for the {c.role.name.lower()} at {c.stage.name}",
            reason=c.reasons[0][:1].upper() + c.reasons[0][1:],
            url=reverse("analytics-build-next"),
        )
        for c in asked[:TOP]
    ]


def retire(run: AnalyticsRun) -> list[Action]:
    """Lower conversion first (most negative adjusted lift), then published assets unused for the
    last days, then review dates passed."""
    items = [
        Action(
            title=f"Refresh or retire {m.asset.title}",
            reason=(
                f"Deals that used it at {m.stage.name} advanced less often: {percent(m.exposed_rate)} "
                f"against {percent(m.unexposed_rate)} for comparable deals ({points(m.adjusted_lift)} points "
                "for deals of the same rep and quarter)."
            ),
            url=reverse("analytics-asset", args=[m.asset.slug]),
        )
        for m in retire_lists.lower_conversion(run)[:TOP]
    ]
    for row in retire_lists.UnusedRows(run)[0:TOP]:
        last = f"last used {row['last_used']:%-d %b %Y}" if row["last_used"] else "never used in a deal"
        items.append(
            Action(
                title=f"Retire {row['title']}",
                reason=f"Published but unused in any deal for {retire_lists.UNUSED_DAYS} days ({last}).",
                url=reverse("admin:assets_asset_change", args=[row["pk"]]),
            )
        )
    for asset in retire_lists.review_passed()[:TOP]:
        items.append(
            Action(
                title=f"Review {asset.title}",
                reason=f"Its review date, {asset.review_by:%-d %b %Y}, has passed.",
                url=reverse("admin:assets_asset_change", args=[asset.pk]),
            )
        )
    return items[:TOP]
