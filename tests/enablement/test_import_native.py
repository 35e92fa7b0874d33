"""`import_crm native`: the product's six CSVs."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError

from assets.models import Asset, BuyerRole, FunnelStage
from enablement.models import Deal, UsageEvent
from tests.enablement.importing import FIXTURES, copy_fixture, counts_line, database_state, import_crm

pytestmark = pytest.mark.django_db
NATIVE = str(FIXTURES / "native")


def test_native_import_loads_all_six_files_with_counts():
    out, _ = import_crm("native", NATIVE)
    assert counts_line(out, "stages.csv") == [1, 1, 0, 0]  # discovery exists already, with another order
    assert counts_line(out, "roles.csv") == [1, 0, 0, 0]
    assert counts_line(out, "assets.csv") == [3, 0, 0, 0]
    assert counts_line(out, "deals.csv") == [3, 0, 0, 0]
    assert counts_line(out, "stage_history.csv") == [7, 0, 0, 0]
    assert counts_line(out, "usage.csv") == [4, 0, 0, 0]
    assert FunnelStage.objects.get(slug="technical-validation").order == 45
    assert BuyerRole.objects.filter(slug="security-officer").exists()
    assert Asset.objects.get(slug="roi-calculator").status == "published"
    assert Asset.objects.get(slug="draft-deck").status == "draft"


def test_a_deals_current_stage_and_its_usage_stages_follow_the_history():
    import_crm("native", NATIVE)
    won = Deal.objects.get(external_id="N-1")
    assert won.current_stage.slug == "closed-won" and won.closed_at.isoformat() == "2025-03-01T10:00:00+00:00"
    assert Deal.objects.get(external_id="N-2").current_stage.slug == "technical-validation"
    stages = dict(UsageEvent.objects.values_list("event_id", "stage__slug"))
    assert stages == {
        "u-1": "proposal",
        "u-2": "discovery",
        "u-3": "technical-validation",
        "u-4": "negotiation",
    }


def test_amounts_currencies_and_times_are_read_exactly():
    import_crm("native", NATIVE)
    pilot = Deal.objects.get(external_id="N-2")
    assert str(pilot.amount) == "15000.50" and pilot.currency == "EUR"
    assert pilot.created_at.isoformat() == "2025-02-01T00:00:00+00:00"  # a bare date is 00:00 UTC
    renewal = Deal.objects.get(external_id="N-3")
    assert renewal.amount is None and renewal.created_at.isoformat() == "2025-02-15T11:30:00+00:00"


def test_unknown_owners_become_active_reps_without_a_usable_password():
    import_crm("native", NATIVE)
    ana = User.objects.get(email="ana@example.com")
    assert ana.is_active and not ana.has_usable_password()
    assert ana.groups.filter(name="Reps").exists()
    assert Deal.objects.filter(owner=ana).count() == 2


def test_importing_the_same_files_again_changes_nothing():
    import_crm("native", NATIVE)
    before = database_state()
    out, _ = import_crm("native", NATIVE)
    assert database_state() == before
    for name, rows in [("deals.csv", 3), ("stage_history.csv", 7), ("usage.csv", 4), ("assets.csv", 3)]:
        assert counts_line(out, name) == [0, 0, rows, 0], name


def test_a_bad_date_stops_the_import_naming_file_and_line_and_writes_nothing(tmp_path):
    folder = copy_fixture("native", tmp_path)
    history = folder / "stage_history.csv"
    history.write_text(history.read_text().replace("2025-02-10T00:00:00Z", "10/02/2025"))
    before = database_state()
    with pytest.raises(CommandError, match="1 row\\(s\\) rejected; nothing was written"):
        import_crm("native", str(folder))
    assert database_state() == before
    assert not Asset.objects.filter(slug="roi-calculator").exists()


def test_errors_are_reported_as_file_and_line(tmp_path, capsys):
    folder = copy_fixture("native", tmp_path)
    usage = folder / "usage.csv"
    usage.write_text(
        usage.read_text() + "u-5,N-404,roi-calculator,ana@example.com,viewed,2025-02-16\n"
        "u-6,N-1,no-such-asset,ana@example.com,viewed,2025-02-16\n"
        "u-7,N-1,roi-calculator,ana@example.com,printed,2025-02-16\n"
    )
    from io import StringIO

    from django.core.management import call_command

    err = StringIO()
    with pytest.raises(CommandError):
        call_command("import_crm", "native", str(folder), "--no-progress", stdout=StringIO(), stderr=err)
    lines = err.getvalue().splitlines()
    assert "usage.csv:6: no deal with id 'N-404'." in lines
    assert "usage.csv:7: no asset with slug 'no-such-asset'." in lines
    assert any(line.startswith("usage.csv:8: action 'printed' is not one of") for line in lines)


def test_skip_invalid_writes_the_good_rows_and_reports_the_rest(tmp_path):
    folder = copy_fixture("native", tmp_path)
    deals = folder / "deals.csv"
    deals.write_text(deals.read_text() + "N-4,Bad amount,Globex,,ana@example.com,lots,USD,2025-01-01\n")
    out, err = import_crm("native", str(folder), "--skip-invalid")
    assert "deals.csv:5: amount 'lots' is not a number." in err
    assert counts_line(out, "deals.csv") == [3, 0, 0, 1]
    assert Deal.objects.count() == 3


def test_a_published_asset_without_content_is_refused_and_leaves_nothing_half_written(tmp_path):
    folder = copy_fixture("native", tmp_path)
    (folder / "assets.csv").write_text(
        "slug,title,kind,summary,buyer_roles,stages,url,status\nempty,Empty,faq,,,,,published\n"
    )
    _, err = import_crm("native", str(folder), "--skip-invalid")
    assert "assets.csv:2:" in err and "nothing to publish" in err
    assert not Asset.objects.filter(slug="empty").exists()


def test_a_reimport_cannot_empty_the_url_of_a_published_asset_with_no_file(tmp_path):
    import_crm("native", NATIVE)
    folder = copy_fixture("native", tmp_path)
    assets = folder / "assets.csv"
    assets.write_text(assets.read_text().replace("https://docs.example.com/security", ""))
    _, err = import_crm("native", str(folder), "--skip-invalid")
    assert "assets.csv:3:" in err and "needs a file or an external URL" in err
    faq = Asset.objects.get(slug="security-faq")
    assert (faq.status, faq.external_url) == ("published", "https://docs.example.com/security")


def test_dry_run_checks_everything_and_writes_nothing():
    before = database_state()
    out, _ = import_crm("native", NATIVE, "--dry-run")
    assert counts_line(out, "deals.csv") == [3, 0, 0, 0]
    assert "Dry run: nothing was written." in out
    assert database_state() == before


def test_a_changed_deal_is_updated_on_reimport(tmp_path):
    import_crm("native", NATIVE)
    folder = copy_fixture("native", tmp_path)
    deals = folder / "deals.csv"
    deals.write_text(
        deals.read_text().replace(
            "Initech pilot,Initech,Software,ben@example.com,15000.50",
            "Initech pilot,Initech,Software,ben@example.com,18000",
        )
    )
    out, _ = import_crm("native", str(folder))
    assert counts_line(out, "deals.csv") == [0, 1, 2, 0]
    assert str(Deal.objects.get(external_id="N-2").amount) == "18000.00"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "deals.csv: the file is empty"),
        (b"deal_id,name\nX,Y\n", "deals.csv:1: missing column(s) account"),
        (b"\xff\xfe\x00d\x00e", "deals.csv:1: the header is not UTF-8 text"),
    ],
)
def test_unreadable_files_are_refused_with_a_clear_message(tmp_path, content, message):
    (tmp_path / "deals.csv").write_bytes(content)
    with pytest.raises(CommandError, match=message.replace("(", "\\(").replace(")", "\\)")):
        import_crm("native", str(tmp_path))


def test_a_folder_without_any_native_file_is_refused(tmp_path):
    with pytest.raises(CommandError, match=r"holds none of stages\.csv"):
        import_crm("native", str(tmp_path))
