"""Marketing's analytics pages. Everything shown comes from the current run's stored tables."""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from assets.choices import AssetKind
from assets.models import Asset, BuyerRole, FunnelStage
from config.audit.services import audit_record_about
from config.error_pages import refused_unless
from enablement.analytics import actions, asset_table, digest, gaps, over_time, scorecard, selectors
from enablement.analytics import retire as retire_lists
from enablement.analytics import stalled as stalled_deals
from enablement.analytics.forest import forest
from enablement.analytics.models import AssetStageMetric, Team
from enablement.analytics.paging import CountedRows, page_of
from enablement.analytics.report import asset_object, assets_csv
from enablement.analytics.wording import verdict_sentence
from enablement.buyers.services import current_profile
from enablement.choices import ExposureKind, Verdict
from enablement.deals.models import Deal

analytics_view = refused_unless(
    "assets.view_analytics",
    page="Analytics is marketing's view of the funnel: which content goes with deals that move, where "
    "coverage is thin and what to build next.",
    who="marketing and administrators",
)
EXPOSED_GROUP = {ExposureKind.USED: "Deals that used it", ExposureKind.READ: "Deals whose buyer read it"}


def _date(value: str | None, errors: list[str], label: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        errors.append(f"{label} “{value}” is not a date (use YYYY-MM-DD); it was ignored.")
        return None


def _page(request: HttpRequest, template: str, context: dict) -> HttpResponse:
    run = context.pop("run", None) or selectors.current_run()
    extra = {"landmarks": selectors.landmarks(run), "min_deals": settings.ANALYTICS_MIN_DEALS}
    return render(request, template, {"run": run, **extra, **context})


@login_required
@analytics_view
def funnel(request: HttpRequest) -> HttpResponse:
    g, errors = request.GET, []
    team = g.get("team", "")
    filters = scorecard.FunnelFilters(
        start=_date(g.get("start"), errors, "From"),
        end=_date(g.get("end"), errors, "To"),
        industry=g.get("industry", ""),
        region=g.get("region", ""),
        team=int(team) if team.isdigit() else None,
        profile=g.get("profile", "") if g.get("profile") in ("in", "out") else "",
    )
    run = selectors.current_run()
    data = scorecard.funnel(run, filters)
    todo = actions.actions(run)
    stages = [row["stage"] for row in data["stages"]]
    by_quarter = None
    if run is not None:
        figures = over_time.stored_quarter_figures(run) if filters == scorecard.FunnelFilters() else None
        if figures is None:
            figures = over_time.quarter_figures(scorecard.filtered_entries(run, filters))
        by_quarter = over_time.funnel_by_quarter(figures, stages)
    chart = {
        "labels": [row["stage"].name for row in data["stages"]],
        "conversion": [row["conversion_rate"] for row in data["stages"]],
        "entered": [row["entered"] for row in data["stages"]],
        "months": data["months"],
        "trend": data["trend"],
        "quarters": by_quarter["chart"] if by_quarter else None,
    }
    return _page(
        request,
        "analytics/funnel.html",
        {
            "run": run,
            "data": data,
            "chart": chart,
            "filters": filters,
            "errors": errors,
            "choices": scorecard.filter_choices(run),
            "teams": Team.objects.all(),
            "profile": current_profile(),
            "todo_sections": todo.sections() if run else [],
            "by_quarter": by_quarter,
            "tab": "funnel",
        },
    )


@login_required
@analytics_view
def assets(request: HttpRequest) -> HttpResponse:
    g = request.GET
    run = selectors.current_run()
    rows = selectors.asset_rows(
        run,
        stage=g.get("stage", ""),
        verdict=g.get("verdict", ""),
        kind=g.get("kind", ""),
        sort=g.get("sort", "adjusted"),
        segment=g.get("profile", ""),
        exposure=g.get("exposure", ExposureKind.USED),
    )
    if g.get("format") == "csv":
        audit_record_about(
            event="export.downloaded",
            model=AssetStageMetric,
            by=request.user,
            data={"export": "assets and conversion", "filters": {k: v for k, v in g.items() if v}},
        )
        response = HttpResponse(assets_csv([asset_object(m) for m in rows]), content_type="text/csv")
        # The file says whose figures it holds: every deal, or those in / out of the buyer profile.
        part = {"in": "-in-profile", "out": "-out-of-profile"}.get(g.get("profile", ""), "")
        response["Content-Disposition"] = f'attachment; filename="assets-and-conversion{part}.csv"'
        return response
    return _page(
        request,
        "analytics/assets.html",
        {
            "run": run,
            "table": asset_table.table(run, rows, g, segment=g.get("profile", "")),
            "forest": asset_table.stage_forest(rows, g.get("stage", "")),
            "stages": FunnelStage.objects.open(),
            "verdicts": Verdict.choices,
            "kinds": AssetKind.choices,
            "exposures": ExposureKind.choices,
            "params": g,
            "sorts": selectors.SORT_LABELS.items(),
            "profile": current_profile(),
            "segmented": selectors.segmented(run),
            "sums": selectors.sums_currency(),
            "tab": "assets",
        },
    )


@login_required
@analytics_view
def asset_chart(request: HttpRequest, slug: str) -> HttpResponse:
    asset = get_object_or_404(Asset, slug=slug)
    run = selectors.current_run()
    rows = list(
        AssetStageMetric.objects.filter(run=run, asset=asset).select_related("stage").order_by("stage__order")
    )
    quarters = over_time.quarterly_lifts(run, asset)
    kinds = []
    for kind, label in ExposureKind.choices:  # side by side: used by reps, read by buyers
        mine = [m for m in rows if m.exposure == kind]
        caption = f"{label}: adjusted lift by stage"
        kinds.append(
            {
                "kind": kind,
                "label": label,
                "rows": [(m, verdict_sentence(m)) for m in mine],
                "forest": forest(
                    mine,
                    label=lambda m: m.stage.name,
                    caption=caption,
                    heading="Stage",
                    exposed=EXPOSED_GROUP[kind],
                ),
            }
        )
    return _page(
        request,
        "analytics/asset.html",
        {
            "run": run,
            "asset": asset,
            "kinds": kinds,
            "activity": over_time.asset_activity(asset),
            "quarters": quarters,
            "quarters_chart": over_time.quarters_chart(quarters),
            "read_seconds": settings.ANALYTICS_READ_SECONDS,
            "tab": "assets",
        },
    )


@login_required
@analytics_view
def digest_page(request: HttpRequest) -> HttpResponse:
    """The weekly digest as the email has it, for a week chosen among the last twelve."""
    errors: list[str] = []
    week = _date(request.GET.get("week"), errors, "Week")
    weeks = digest.weeks_back()
    if week is not None and not weeks[-1] <= week <= weeks[0] + timedelta(days=6):
        errors.append(f"Week “{week:%Y-%m-%d}” is not among the last {len(weeks)}; this week is shown.")
        week = None
    return _page(
        request,
        "analytics/digest.html",
        {"digest": digest.digest_context(week=week), "weeks": weeks, "errors": errors, "tab": "digest"},
    )


@login_required
@analytics_view
def coverage(request: HttpRequest) -> HttpResponse:
    run = selectors.current_run()
    page = page_of(request, BuyerRole.objects.all())
    grid = gaps.coverage(run, roles=list(page.object_list))
    rows = [(role, [grid.cells[(role.pk, stage.pk)] for stage in grid.stages]) for role in grid.roles]
    context = {
        "run": run,
        "coverage": grid,
        "stages": grid.stages,
        "grid": rows,
        "page": page,
        "tab": "coverage",
    }
    return _page(request, "analytics/coverage.html", context)


@login_required
@analytics_view
def build_next(request: HttpRequest) -> HttpResponse:
    run = selectors.current_run()
    grid = gaps.coverage(run)
    return _page(
        request,
        "analytics/build_next.html",
        {"run": run, "coverage": grid, "ranked": gaps.build_next(grid), "tab": "build-next"},
    )


@login_required
@analytics_view
def retire(request: HttpRequest) -> HttpResponse:
    """Three lists, each paged on its own parameter so that paging one keeps the others' pages."""
    run = selectors.current_run()
    return _page(
        request,
        "analytics/retire.html",
        {
            "run": run,
            "unused": page_of(request, retire_lists.UnusedRows(run), "unused_page"),
            "hurts": page_of(request, retire_lists.lower_conversion(run), "hurts_page"),
            "review": page_of(request, retire_lists.review_passed(), "review_page"),
            "unused_days": retire_lists.UNUSED_DAYS,
            "tab": "retire",
        },
    )


@login_required
@analytics_view
def stalled(request: HttpRequest) -> HttpResponse:
    run = selectors.current_run()
    stages = list(FunnelStage.objects.open())
    chosen = request.GET.get("stage", "")
    stage = next((s for s in stages if s.slug == chosen), None)
    errors = (
        [f"Funnel stage “{chosen}” is not an open stage; every stage is shown."]
        if chosen and not stage
        else []
    )
    stage_id = stage.pk if stage else None
    if request.GET.get("format") == "csv":
        audit_record_about(
            event="export.downloaded",
            model=Deal,
            by=request.user,
            data={"export": "stalled deals", "stage": stage.slug if stage else ""},
        )
        response = StreamingHttpResponse(stalled_deals.csv_chunks(run, stage_id), content_type="text/csv")
        response["Content-Disposition"] = 'attachment; filename="stalled-deals-for-nurture.csv"'
        return response
    now, limits = timezone.now(), stalled_deals.thresholds(run)
    rows = stalled_deals.stalled_rows(limits, now, stage_id) if limits else None
    # The rows and their count from one pass over the open deals' history (paging.CountedRows).
    page = page_of(
        request, CountedRows(rows, request.GET.get("page"), "since, deal_id") if rows is not None else []
    )
    context = {
        "run": run,
        "page": page,
        "deals": stalled_deals.deals_of(page.object_list, limits, now),
        "helps": stalled_deals.higher_conversion(run),
        "stages": stages,
        "stage": stage,
        "errors": errors,
        "tab": "stalled",
    }
    return _page(request, "analytics/stalled.html", context)
