"""`import_crm hubspot`: a deals export whose "Date entered" columns rebuild the history."""

from __future__ import annotations

import pytest
from django.core.management import CommandError

from enablement.models import Deal
from tests.enablement.importing import FIXTURES, counts_line, database_state, import_crm

pytestmark = pytest.mark.django_db
EXPORT = str(FIXTURES / "hubspot" / "deals.csv")
STAGE_MAP = str(FIXTURES / "hubspot" / "stage-map.csv")


def history(deal_id: str) -> list[tuple[str, str]]:
    deal = Deal.objects.get(source="hubspot", external_id=deal_id)
    return [(c.stage.slug, c.entered_at.isoformat()) for c in deal.stage_changes.all()]


def test_history_is_rebuilt_from_the_date_entered_columns():
    out, _ = import_crm("hubspot", EXPORT, "--stage-map", STAGE_MAP)
    assert counts_line(out, "deals.csv") == [3, 0, 0, 0]
    assert history("9001") == [
        ("discovery", "2024-05-02T10:15:00+00:00"),
        ("proposal", "2024-06-01T09:00:00+00:00"),
        ("closed-won", "2024-07-01T12:00:00+00:00"),
    ]
    assert history("9003") == [
        ("discovery", "2024-04-01T09:00:00+00:00"),
        ("closed-lost", "2024-05-01T16:00:00+00:00"),
    ]
    assert Deal.objects.get(external_id="9002").current_stage.slug == "proposal"


def test_owners_are_found_by_email_or_name_and_accounts_by_company():
    import_crm("hubspot", EXPORT, "--stage-map", STAGE_MAP)
    first, third = Deal.objects.get(external_id="9001"), Deal.objects.get(external_id="9003")
    assert first.owner.email == "dana@example.com" and first.owner == third.owner
    assert Deal.objects.get(external_id="9002").owner.get_full_name() == "Omar Haddad"
    assert first.account.name == "Northwind" and third.account is None
    assert str(first.amount) == "42000.00" and third.amount is None


def test_reimporting_the_export_changes_nothing():
    import_crm("hubspot", EXPORT, "--stage-map", STAGE_MAP)
    before = database_state()
    out, _ = import_crm("hubspot", EXPORT)
    assert counts_line(out, "deals.csv") == [0, 0, 3, 0]
    assert database_state() == before


def test_unmapped_stage_labels_and_internal_ids_are_all_listed():
    with pytest.raises(CommandError) as caught:
        import_crm("hubspot", EXPORT)
    message = str(caught.value)
    for name in ["Appointment Scheduled", "Contract Sent", "closedwon", "contractsent", "closedlost"]:
        assert repr(name) in message
    assert "'contractsent' (deals.csv:3)" in message
    assert not Deal.objects.exists()


def test_a_row_with_a_bad_date_is_named_and_nothing_is_written(tmp_path):
    bad = tmp_path / "deals.csv"
    bad.write_text((FIXTURES / "hubspot" / "deals.csv").read_text().replace("2024-06-20 14:45", "June 20th"))
    with pytest.raises(CommandError):
        import_crm("hubspot", str(bad), "--stage-map", STAGE_MAP)
    assert not Deal.objects.exists()
    out, err = import_crm("hubspot", str(bad), "--skip-invalid", "--stage-map", STAGE_MAP)
    assert "deals.csv:3: Date entered" in err and "'June 20th' is not a date" in err
    assert counts_line(out, "deals.csv") == [2, 0, 0, 1]


def test_columns_of_another_pipeline_are_ignored(tmp_path):
    export = tmp_path / "deals.csv"
    export.write_text(
        "Record ID,Deal Name,Deal Stage,Create Date,Pipeline,Date entered Discovery (Sales),"
        "Date entered Discovery (Partners)\n"
        "1,One,discovery,2024-01-01,Sales,2024-01-02,2023-06-01\n"
    )
    import_crm("hubspot", str(export))
    assert history("1") == [("discovery", "2024-01-02T00:00:00+00:00")]
