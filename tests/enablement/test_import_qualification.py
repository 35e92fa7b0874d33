"""Qualification ratings imported: the native `qualification.csv` and a HubSpot export's deal score."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from enablement.buyers.models import Qualification
from enablement.buyers.services import qualification_set
from enablement.importers import run_import
from enablement.models import Deal
from tests.enablement.importing import (
    FIXTURES,
    ONE_ROW_REJECTED,
    copy_fixture,
    counts_line,
    import_crm,
    import_refused,
)

pytestmark = pytest.mark.django_db
HEADER = "deal_id,alignment,appropriateness,authority,action,crm_score\n"
RATED = HEADER + "N-1,8,6,,7,\nN-2,,,,,6.5\nN-3,10,0,3,4,9\n"


def native_with(tmp_path: Path, qualification: str) -> Path:
    """The project's native fixture with a qualification.csv of its own."""
    folder = copy_fixture("native", tmp_path)
    (folder / "qualification.csv").write_text(qualification)
    return folder


def ratings(deal_id: str) -> tuple:
    q = Qualification.objects.get(deal__external_id=deal_id)
    return (q.alignment, q.appropriateness, q.authority, q.action, q.crm_score)


def test_ratings_land_on_the_deals_their_rows_name(tmp_path):
    out, _ = import_crm("native", str(native_with(tmp_path, RATED)))
    assert counts_line(out, "qualification.csv") == [3, 0, 0, 0]
    assert ratings("N-1") == (8, 6, None, 7, None)
    assert ratings("N-2") == (None, None, None, None, Decimal("6.5"))
    assert ratings("N-3") == (10, 0, 3, 4, Decimal("9.0"))
    assert Qualification.objects.get(deal__external_id="N-1").score == 7.0
    assert Qualification.objects.get(deal__external_id="N-1").updated_by is None  # "by an import"


def test_bad_ratings_are_listed_by_file_line_and_column_and_nothing_is_written(tmp_path):
    # A value is checked before its deal is looked up: N-4 to N-7 are refused for their values.
    bad = (
        HEADER
        + "N-1,11,,,,\nN-2,,-1,,,\nN-3,,,high,,\nN-4,,,,7.25,\nN-5,,,,,7.25\nN-6,,,,,11\nN-7,,,,,lots\n"
    )
    message, errors = import_refused("native", str(native_with(tmp_path, bad)))
    assert message == ONE_ROW_REJECTED.replace("1 row(s)", "7 row(s)")
    assert errors == [
        "qualification.csv:2: alignment '11' is out of range (0 to 10).",
        "qualification.csv:3: appropriateness '-1' is out of range (0 to 10).",
        "qualification.csv:4: authority 'high' is not a whole number.",
        "qualification.csv:5: action '7.25' is not a whole number.",
        "qualification.csv:6: crm_score '7.25' has more than 1 decimal place(s).",
        "qualification.csv:7: crm_score '11' is out of range (0 to 10).",
        "qualification.csv:8: crm_score 'lots' is not a number.",
    ]
    assert not Qualification.objects.exists() and not Deal.objects.exists()


def test_a_deal_id_nobody_imported_is_refused_by_line(tmp_path):
    folder = native_with(tmp_path, "deal_id,alignment\nN-1,5\nN-404,6\n")
    message, errors = import_refused("native", str(folder))
    assert message == ONE_ROW_REJECTED
    assert errors == ["qualification.csv:3: no deal with id 'N-404'."]
    assert not Qualification.objects.exists()


def test_a_deal_named_twice_is_refused_at_its_later_row(tmp_path):
    folder = native_with(tmp_path, "deal_id,alignment\nN-1,5\nN-2,6\nN-1,9\n")
    _, errors = import_refused("native", str(folder))
    assert errors == ["qualification.csv:4: deal id 'N-1' appears again (first at line 2)."]


def test_a_file_without_a_rating_column_is_refused_whole(tmp_path):
    folder = native_with(tmp_path, "deal_id,Alignment,score\nN-1,5,6\n")
    message, _ = import_refused("native", str(folder))
    assert message == (
        "qualification.csv:1: no rating column; add at least one of "
        "alignment, appropriateness, authority, action, crm_score."
    )
    assert not Deal.objects.exists()


def test_a_dry_run_counts_the_rows_and_writes_nothing(tmp_path):
    out, _ = import_crm("native", str(native_with(tmp_path, RATED)), "--dry-run")
    assert counts_line(out, "qualification.csv") == [3, 0, 0, 0]
    assert "Dry run: nothing was written." in out
    assert not Qualification.objects.exists()


def test_importing_the_same_ratings_again_reports_every_row_unchanged(tmp_path):
    folder = native_with(tmp_path, RATED)
    import_crm("native", str(folder))
    before = sorted(
        Qualification.objects.values_list("deal_id", *HEADER.strip().split(",")[1:], "updated_at")
    )
    out, _ = import_crm("native", str(folder))
    assert counts_line(out, "qualification.csv") == [0, 0, 3, 0]
    after = sorted(Qualification.objects.values_list("deal_id", *HEADER.strip().split(",")[1:], "updated_at"))
    assert after == before


def test_a_column_left_out_keeps_its_ratings_and_an_empty_cell_clears_one(tmp_path):
    import_crm("native", str(native_with(tmp_path / "first", RATED)))
    out, _ = import_crm("native", str(native_with(tmp_path / "second", "deal_id,action\nN-1,\nN-3,4\n")))
    assert counts_line(out, "qualification.csv") == [0, 1, 1, 0]
    assert ratings("N-1") == (8, 6, None, None, None)
    assert ratings("N-3") == (10, 0, 3, 4, Decimal("9.0"))


def test_a_reps_ratings_the_file_repeats_stay_theirs_and_those_it_changes_become_the_imports(tmp_path, rep):
    import_crm("native", str(FIXTURES / "native"))
    one, two = Deal.objects.get(external_id="N-1"), Deal.objects.get(external_id="N-2")
    qualification_set(deal=one, by=rep, alignment=8)
    qualification_set(deal=two, by=rep, alignment=8)
    out, _ = import_crm("native", str(native_with(tmp_path, "deal_id,alignment\nN-1,8\nN-2,3\n")))
    assert counts_line(out, "qualification.csv") == [0, 1, 1, 0]
    assert Qualification.objects.get(deal=one).updated_by == rep
    q = Qualification.objects.get(deal=two)
    assert (q.alignment, q.updated_by) == (3, None)


def test_skip_invalid_writes_the_good_rows_and_reports_the_rest(tmp_path):
    folder = native_with(tmp_path, "deal_id,alignment,crm_score\nN-1,5,\nN-2,11,\nN-404,1,\nN-3,,7.5\n")
    out, err = import_crm("native", str(folder), "--skip-invalid")
    assert err.splitlines() == [
        "qualification.csv:3: alignment '11' is out of range (0 to 10).",
        "qualification.csv:4: no deal with id 'N-404'.",
    ]
    assert counts_line(out, "qualification.csv") == [2, 0, 0, 2]
    assert ratings("N-1")[0] == 5 and ratings("N-3")[4] == Decimal("7.5")
    assert not Qualification.objects.filter(deal__external_id="N-2").exists()


def test_the_file_is_written_in_batches_whatever_its_length(tmp_path):
    """The queries of qualification.csv do not grow with its rows (the deals are there already)."""
    import_crm("native", str(FIXTURES / "native"))
    queries = []
    for rows in (["N-1,1"], ["N-1,2", "N-2,3", "N-3,4"]):
        folder = tmp_path / str(len(rows))
        folder.mkdir()
        (folder / "qualification.csv").write_text("deal_id,alignment\n" + "\n".join(rows) + "\n")
        with CaptureQueriesContext(connection) as captured:
            run_import("native", folder, dry_run=True)
        queries.append(len(captured))
    assert queries[0] == queries[1]


def test_progress_is_reported_for_the_qualification_file(tmp_path):
    seen: dict[str, tuple[int, int]] = {}
    run_import(
        "native",
        native_with(tmp_path, RATED),
        dry_run=True,
        progress=lambda name, done, total: seen.__setitem__(name, (done, total)),
    )
    assert seen["qualification.csv"] == (len(RATED), len(RATED))


# HubSpot: a "Deal Score" (or "HubSpot Score") column, 0–100, is the qualification's CRM score.
EXPORT = (FIXTURES / "hubspot" / "deals.csv").read_text().splitlines()
STAGE_MAP = str(FIXTURES / "hubspot" / "stage-map.csv")


def hubspot_with_scores(tmp_path: Path, column: str, scores: list[str]) -> str:
    lines = [f"{EXPORT[0]},{column}", *(f"{row},{s}" for row, s in zip(EXPORT[1:], scores, strict=True))]
    export = tmp_path / "deals.csv"
    export.write_text("\n".join(lines) + "\n")
    return str(export)


def test_a_hubspot_deal_score_is_stored_in_tenths_and_an_empty_one_is_nothing(tmp_path):
    export = hubspot_with_scores(tmp_path, "Deal Score", ["72", "", "100"])
    out, _ = import_crm("hubspot", export, "--stage-map", STAGE_MAP)
    assert counts_line(out, "qualification (deals.csv)") == [2, 0, 0, 0]
    assert dict(Qualification.objects.values_list("deal__external_id", "crm_score")) == {
        "9001": Decimal("7.2"),
        "9003": Decimal("10.0"),
    }
    again, _ = import_crm("hubspot", export)
    assert counts_line(again, "qualification (deals.csv)") == [0, 0, 2, 0]


def test_a_hubspot_score_column_in_any_case_rounds_to_one_decimal(tmp_path):
    import_crm(
        "hubspot",
        hubspot_with_scores(tmp_path, "HUBSPOT SCORE", ["72.45", "0", "7.5"]),
        "--stage-map",
        STAGE_MAP,
    )
    assert sorted(Qualification.objects.values_list("crm_score", flat=True)) == [
        Decimal("0.0"),
        Decimal("0.8"),
        Decimal("7.2"),
    ]


def test_a_hubspot_score_out_of_range_refuses_its_deal_row(tmp_path):
    export = hubspot_with_scores(tmp_path, "Deal Score", ["72", "150", "high"])
    _, errors = import_refused("hubspot", export, "--stage-map", STAGE_MAP)
    assert errors == [
        "deals.csv:3: Deal Score '150' is out of range (0 to 100).",
        "deals.csv:4: Deal Score 'high' is not a number.",
    ]
    assert not Qualification.objects.exists()


def test_a_hubspot_export_without_a_score_column_has_no_qualification_line():
    out, _ = import_crm("hubspot", str(FIXTURES / "hubspot" / "deals.csv"), "--stage-map", STAGE_MAP)
    assert "qualification" not in out and not Qualification.objects.exists()
