"""`import_crm salesforce`: both export layouts seen in the wild, as a folder or a zip."""

from __future__ import annotations

import shutil
import zipfile
from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command

from enablement.models import Account, Deal, StageChange, StageMap
from tests.enablement.importing import FIXTURES, copy_fixture, counts_line, database_state, import_crm

pytestmark = pytest.mark.django_db
# A weekly Data Export as a demo org writes it: every value quoted, booleans "0"/"1", times
# `YYYY-MM-DD HH:MM:SS`, Salesforce's default stage names, two history rows per opportunity with the
# same stage and time, no User.csv, an empty OpportunityContactRole.csv and files the importer ignores.
QUOTED = FIXTURES / "salesforce-quoted"
UNQUOTED = FIXTURES / "salesforce-unquoted"

DEFAULT_SF_STAGES = """crm_stage,stage_slug
Prospecting,inquiry
Qualification,sql
Needs Analysis,discovery
Value Proposition,discovery
Id. Decision Makers,discovery
Perception Analysis,discovery
Proposal/Price Quote,proposal
Negotiation/Review,negotiation
"""


@pytest.fixture
def sf_stage_map(tmp_path):
    path = tmp_path / "sf-stages.csv"
    path.write_text(DEFAULT_SF_STAGES)
    return str(path)


def test_quoted_export_loads_every_opportunity_and_both_of_its_identical_history_rows(sf_stage_map):
    out, _ = import_crm("salesforce", str(QUOTED), "--stage-map", sf_stage_map)
    assert counts_line(out, "Opportunity.csv") == [11, 0, 0, 0]
    assert counts_line(out, "OpportunityHistory.csv") == [22, 0, 0, 0]
    assert counts_line(out, "Account.csv") == [5, 0, 0, 0]
    assert Deal.objects.filter(source="salesforce").count() == 11
    assert StageChange.objects.filter(deal__source="salesforce").count() == 22
    won = Deal.objects.get(external_id="0065x00000Kq803AAA")
    assert won.name == "Northwind Freight Warehouse Sensors" and won.current_stage.slug == "closed-won"
    assert str(won.amount) == "260000.00" and won.account.name == "Northwind Freight"
    assert won.created_at.isoformat() == "2024-03-04T09:30:12+00:00"
    assert won.owner.username == "salesforce-0055x00000Ht7QaAAJ"  # no User.csv in the export


def test_quoted_export_reimport_reports_every_row_unchanged(sf_stage_map):
    import_crm("salesforce", str(QUOTED), "--stage-map", sf_stage_map)
    before = database_state()
    out, _ = import_crm("salesforce", str(QUOTED))  # the stage map is remembered
    assert counts_line(out, "Opportunity.csv") == [0, 0, 11, 0]
    assert counts_line(out, "OpportunityHistory.csv") == [0, 0, 22, 0]
    assert counts_line(out, "Account.csv") == [0, 0, 5, 0]
    assert database_state() == before


def test_unmapped_stages_stop_the_import_listing_every_name_with_file_and_line():
    before = database_state()
    with pytest.raises(CommandError) as caught:
        import_crm("salesforce", str(QUOTED))
    message = str(caught.value)
    assert message.startswith("8 CRM stage name(s) have no funnel stage")
    for name in [
        "Prospecting",
        "Qualification",
        "Needs Analysis",
        "Value Proposition",
        "Id. Decision Makers",
        "Perception Analysis",
        "Proposal/Price Quote",
        "Negotiation/Review",
    ]:
        assert repr(name) in message
    assert "'Qualification' (Opportunity.csv:2)" in message
    assert database_state() == before


def test_a_bad_date_in_the_history_exits_naming_file_and_line_and_the_database_is_as_before(
    tmp_path, sf_stage_map
):
    import_crm("salesforce", str(QUOTED), "--stage-map", sf_stage_map)
    before = database_state()
    folder = tmp_path / "export"
    shutil.copytree(QUOTED, folder)
    history = folder / "OpportunityHistory.csv"
    lines = history.read_text().splitlines(keepends=True)
    lines[4] = lines[4].replace('"2024-03-04 09:30:12"', '"04/03/2024 09:30"', 1)
    lines[1] = lines[1].replace('"Qualification"', '"Qualified"')  # and a name nobody mapped
    history.write_text("".join(lines))
    with pytest.raises(CommandError, match=r"'Qualified' \(OpportunityHistory.csv:2\)"):
        import_crm("salesforce", str(folder))
    assert database_state() == before
    lines[1] = lines[1].replace('"Qualified"', '"Qualification"')
    history.write_text("".join(lines))
    with pytest.raises(CommandError, match="1 row\\(s\\) rejected"):
        import_crm("salesforce", str(folder))
    assert database_state() == before


def test_unquoted_layout_with_empty_booleans_and_offset_times_loads():
    out, _ = import_crm("salesforce", str(UNQUOTED), "--stage-map", str(UNQUOTED / "stage-map.csv"))
    assert counts_line(out, "Opportunity.csv") == [2, 0, 0, 0]  # the deleted opportunity is left out
    assert counts_line(out, "OpportunityHistory.csv") == [5, 0, 0, 0]
    acme = Deal.objects.get(external_id="006A1")
    assert acme.created_at.isoformat() == "2024-01-22T16:14:25+00:00"
    assert acme.currency == "EUR" and acme.current_stage.slug == "closed-won"
    assert acme.account.region == "Bayern, Germany" and acme.account.size == "1200"
    assert acme.owner.email == "lena.k@example.com" and acme.owner.last_name == "Krüger"
    assert Deal.objects.get(external_id="006A2").current_stage.slug == "proposal"
    assert StageMap.objects.filter(source="salesforce", crm_stage="Proposta", stage__slug="proposal").exists()


def test_a_zip_export_loads_like_the_folder(tmp_path):
    archive = tmp_path / "WE_00D_1.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for path in UNQUOTED.glob("*.csv"):
            if path.name != "stage-map.csv":
                zf.write(path, f"export/{path.name}")
    out, _ = import_crm("salesforce", str(archive), "--stage-map", str(UNQUOTED / "stage-map.csv"))
    assert counts_line(out, "Opportunity.csv") == [2, 0, 0, 0]
    assert Account.objects.filter(source="salesforce").count() == 2


def test_owners_without_user_csv_become_reps_named_by_their_salesforce_id(tmp_path):
    folder = copy_fixture("salesforce-unquoted", tmp_path)
    (folder / "User.csv").unlink()
    import_crm("salesforce", str(folder), "--stage-map", str(folder / "stage-map.csv"))
    owner = User.objects.get(username="salesforce-005U1")
    assert owner.groups.filter(name="Reps").exists() and not owner.has_usable_password()


def test_without_history_the_current_stage_is_the_only_history_row(tmp_path):
    folder = copy_fixture("salesforce-unquoted", tmp_path)
    (folder / "OpportunityHistory.csv").unlink()
    import_crm("salesforce", str(folder), "--stage-map", str(folder / "stage-map.csv"))
    assert Deal.objects.get(external_id="006A2").current_stage.slug == "proposal"
    assert StageChange.objects.count() == 2


def test_a_folder_without_opportunity_csv_is_refused(tmp_path):
    with pytest.raises(CommandError, match=r"has no Opportunity\.csv"):
        import_crm("salesforce", str(tmp_path))


def test_a_stage_map_naming_an_unknown_stage_is_refused(tmp_path):
    bad = tmp_path / "map.csv"
    bad.write_text("crm_stage,stage_slug\nProposta,offer\n")
    err = StringIO()
    with pytest.raises(CommandError, match=r"The stage map has 1 error\(s\); nothing was imported\."):
        call_command(
            "import_crm", "salesforce", str(UNQUOTED), "--stage-map", str(bad), stdout=StringIO(), stderr=err
        )
    assert "map.csv:2: no funnel stage with slug 'offer'." in err.getvalue().splitlines()
    assert not StageMap.objects.exists()
