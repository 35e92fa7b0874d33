"""Rules that span a whole file, however it is written (COPY staging on PostgreSQL, batches on SQLite):
repeats far apart, more bad rows than the report lists, and the same file imported twice."""

from __future__ import annotations

import pytest

from enablement.importers.base import BATCH_SIZE, MAX_REPORTED_ERRORS
from enablement.models import Deal, StageChange, UsageEvent
from tests.enablement.importing import FIXTURES, copy_fixture, counts_line, import_crm, import_refused

pytestmark = pytest.mark.django_db
USAGE = "{event},N-3,roi-calculator,ana@example.com,{action},2025-02-16T09:00:00Z\n"


def _with_usage(tmp_path, rows: list[str]):
    folder = copy_fixture("native", tmp_path)
    usage = folder / "usage.csv"
    usage.write_text(usage.read_text() + "".join(rows))
    return folder


def test_an_event_id_again_in_the_file_with_other_content_is_refused_at_its_second_line(tmp_path):
    # The fixture's usage.csv has 4 rows (lines 2–5); line 6 is new, line 7 repeats it as a view.
    folder = _with_usage(
        tmp_path, [USAGE.format(event="r-1", action="viewed"), USAGE.format(event="r-1", action="shared")]
    )
    out, err = import_crm("native", str(folder), "--skip-invalid")
    assert "usage.csv:7: event_id 'r-1' was already recorded with different content (action); " in err
    assert counts_line(out, "usage.csv") == [5, 0, 0, 1]
    assert UsageEvent.objects.get(event_id="r-1").action == "viewed"


def test_an_event_repeated_the_same_further_down_the_file_is_counted_unchanged(tmp_path):
    filler = [USAGE.format(event=f"f-{n}", action="viewed") for n in range(BATCH_SIZE + 10)]
    again = USAGE.format(event="f-0", action="viewed")
    folder = _with_usage(tmp_path, [*filler, again])
    out, _ = import_crm("native", str(folder))
    assert counts_line(out, "usage.csv") == [4 + BATCH_SIZE + 10, 0, 1, 0]


def test_more_bad_rows_than_the_report_lists_are_all_counted_and_nothing_is_written(tmp_path):
    bad = [
        f"x-{n},NO-SUCH-DEAL,roi-calculator,ana@example.com,viewed,2025-02-16T09:00:00Z\n"
        for n in range(1200)
    ]
    message, errors = import_refused("native", str(_with_usage(tmp_path, bad)))
    assert message.startswith("1200 row(s) rejected; nothing was written.")
    assert errors[0] == "usage.csv:6: no deal with id 'NO-SUCH-DEAL'."
    assert (
        errors[MAX_REPORTED_ERRORS - 1]
        == f"usage.csv:{5 + MAX_REPORTED_ERRORS}: no deal with id 'NO-SUCH-DEAL'."
    )
    assert errors[-1] == f"… and {1200 - MAX_REPORTED_ERRORS} more rejected row(s)."
    assert not Deal.objects.exists() and not UsageEvent.objects.exists()


def test_importing_the_same_folder_twice_reports_every_row_unchanged_and_keeps_the_states(tmp_path):
    out, _ = import_crm("native", str(FIXTURES / "native"))
    states = list(
        Deal.objects.order_by("external_id").values_list("external_id", "current_stage__slug", "closed_at")
    )
    stages = dict(UsageEvent.objects.values_list("event_id", "stage__slug"))
    again, _ = import_crm("native", str(FIXTURES / "native"))
    for name in ("deals.csv", "stage_history.csv", "usage.csv"):
        created = counts_line(out, name)[0]
        assert created > 0 and counts_line(again, name) == [0, 0, created, 0]
    assert (
        list(
            Deal.objects.order_by("external_id").values_list(
                "external_id", "current_stage__slug", "closed_at"
            )
        )
        == states
    )
    assert dict(UsageEvent.objects.values_list("event_id", "stage__slug")) == stages
    assert StageChange.objects.count() == counts_line(out, "stage_history.csv")[0]
