"""Analytics runs in the admin, read-only: when each ran, how, and how long each step took."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest
from django.utils.html import format_html, format_html_join

from enablement.analytics.models import AnalyticsRun


@admin.register(AnalyticsRun)
class AnalyticsRunAdmin(admin.ModelAdmin):
    list_display = [
        "computed_at",
        "mode",
        "complete",
        "seconds_shown",
        "slowest_step",
        "deals",
        "usage_events",
    ]
    list_filter = ["mode", "complete"]
    fields = [
        "computed_at",
        "mode",
        "complete",
        "seconds",
        "deals",
        "usage_events",
        "watermark",
        "step_table",
    ]
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    @admin.display(description="seconds")
    def seconds_shown(self, run: AnalyticsRun) -> str:
        return "—" if run.seconds is None else f"{run.seconds:.2f}"

    @admin.display(description="slowest step")
    def slowest_step(self, run: AnalyticsRun) -> str:
        if not run.steps:
            return "—"
        slowest = max(run.steps, key=lambda s: s.get("seconds", 0))
        return f"{slowest['step']} ({slowest.get('seconds', 0):.2f} s)"

    @admin.display(description="steps")
    def step_table(self, run: AnalyticsRun) -> str:
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (s["step"], f"{s.get('seconds', 0):.3f} s", "" if s.get("rows") is None else s["rows"])
                for s in run.steps
            ),
        )
        return format_html(
            "<table><thead><tr><th>step</th><th>time</th><th>rows</th></tr></thead><tbody>{}</tbody></table>",
            rows,
        )
