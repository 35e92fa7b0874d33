"""Values the importers refuse, each with `FILE:LINE: reason`, where they used to raise a traceback
or store something the database or the pages cannot take; and the choice values they now accept."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User

from assets.models import Asset, BuyerRole, FunnelStage
from enablement.models import Deal, StageChange, UsageEvent
from tests.enablement.importing import (
    DEALS_HEADER,
    ONE_ROW_REJECTED,
    copy_fixture,
    database_state,
    hubspot_refused,
    import_crm,
    import_refused,
    salesforce_refused,
)

pytestmark = pytest.mark.django_db
STAGES = "slug,name,order,outcome\n"
ASSETS = "slug,title,kind,summary,buyer_roles,stages,url,status\n"


def native(tmp_path, name: str, text: str) -> str:
    (tmp_path / name).write_text(text)
    return str(tmp_path)


@pytest.mark.parametrize(
    "when",
    [
        "0001-01-01T00:00:00+05:00",
        "9999-12-31T23:00:00-05:00",
        "0001-01-01",
        "1899-12-31T23:59:59Z",
        "2201-01-01",
    ],
)
def test_a_date_outside_1900_to_2200_is_refused_as_out_of_range(tmp_path, when):
    folder = native(tmp_path, "deals.csv", DEALS_HEADER + f"D-1,Globex,,,,,USD,{when}\n")
    message, errors = import_refused("native", folder)
    assert message == ONE_ROW_REJECTED
    assert errors == [f"deals.csv:2: created_at '{when}' is out of range (years 1900 to 2200 are accepted)."]
    assert not Deal.objects.exists()


def test_dates_at_the_edges_of_the_accepted_range_are_imported(tmp_path):
    folder = native(
        tmp_path,
        "deals.csv",
        DEALS_HEADER + "D-1,Old,,,,,USD,1900-01-01T00:00:00Z\nD-2,Far,,,,,USD,2200-12-31T23:59:59-05:00\n",
    )
    import_crm("native", folder)
    assert Deal.objects.get(external_id="D-1").created_at.year == 1900
    assert Deal.objects.get(external_id="D-2").created_at.isoformat() == "2201-01-01T04:59:59+00:00"


def test_salesforce_and_hubspot_refuse_a_year_9999_date_too(tmp_path):
    errors = salesforce_refused(
        tmp_path,
        "OpportunityHistory.csv",
        lambda text: text.replace("2024-02-10T10:00:00.000+0000", "9999-12-31T23:00:00-0500"),
    )
    assert errors == [
        "OpportunityHistory.csv:3: CreatedDate '9999-12-31T23:00:00-0500' is out of range "
        "(years 1900 to 2200 are accepted)."
    ]
    errors = hubspot_refused(
        tmp_path, lambda text: text.replace("2024-06-10 08:00", "0001-01-01T00:00+05:00", 1)
    )
    assert errors == [
        "deals.csv:3: Create Date '0001-01-01T00:00+05:00' is out of range (years 1900 to 2200 are accepted)."
    ]
    assert not StageChange.objects.exists()


def test_a_time_zone_offset_beyond_14_hours_is_refused(tmp_path):
    """PostgreSQL refuses offsets beyond 15:59; no place on earth is more than 14 hours from UTC."""
    folder = native(tmp_path, "deals.csv", DEALS_HEADER + "D-1,Globex,,,,,USD,2025-01-01T00:00:00-23:59\n")
    _, errors = import_refused("native", folder)
    assert errors == [
        "deals.csv:2: created_at '2025-01-01T00:00:00-23:59' has an offset out of range (-14:00 to +14:00)."
    ]


def test_a_deal_refused_for_its_year_1_date_leaves_the_deals_admin_working(tmp_path, admin_user, client):
    """On PostgreSQL a year-1 time was stored as a BC timestamp that the admin could not read back."""
    folder = native(
        tmp_path,
        "deals.csv",
        DEALS_HEADER + "D-1,Ancient,,,,,USD,0001-01-01T00:00:00+05:00\nD-2,Fine,,,,,USD,2025-01-01\n",
    )
    _, err = import_crm("native", folder, "--skip-invalid")
    assert "deals.csv:2: created_at '0001-01-01T00:00:00+05:00' is out of range" in err
    client.force_login(admin_user)
    page = client.get("/admin/enablement/deal/")
    assert page.status_code == 200 and "Fine" in page.text and "Ancient" not in page.text


@pytest.mark.parametrize(
    ("name", "row", "reason"),
    [
        ("stages.csv", "pilot,Pilot,-1,open", "order '-1' is out of range (0 to 2147483647)."),
        (
            "stages.csv",
            "pilot,Pilot,2147483648,open",
            "order '2147483648' is out of range (0 to 2147483647).",
        ),
        ("stages.csv", "pilot,Pilot,1e20,open", "order '1e20' is not a whole number."),
        (
            "deals.csv",
            "D-1,Globex,,,,99999999999999.999,USD,2025-01-01",
            "amount '99999999999999.999' is too large (at most 99,999,999,999,999.99).",
        ),
        (
            "deals.csv",
            "D-1,Globex,,,,1e999999999,USD,2025-01-01",
            "amount '1e999999999' is too large (at most 99,999,999,999,999.99).",
        ),
        # "ß".upper() is "SS": the code would grow to four letters.
        (
            "deals.csv",
            "D-1,Globex,,,,1,ßab,2025-01-01",
            "currency 'ßab' is not a three-letter code such as USD.",
        ),
    ],
)
def test_a_number_or_code_the_database_cannot_store_is_refused(tmp_path, name, row, reason):
    header = {"stages.csv": STAGES, "deals.csv": DEALS_HEADER}[name]
    _, errors = import_refused("native", native(tmp_path, name, header + row + "\n"))
    assert errors == [f"{name}:2: {reason}"]
    assert not FunnelStage.objects.filter(slug="pilot").exists() and not Deal.objects.exists()


def test_the_largest_stage_order_is_accepted(tmp_path):
    import_crm("native", native(tmp_path, "stages.csv", STAGES + "pilot,Pilot,2147483647,Open\n"))
    assert FunnelStage.objects.get(slug="pilot").order == 2147483647


@pytest.mark.parametrize(
    ("written", "kind"),
    [
        ("one-pager", "one_pager"),
        ("One pager", "one_pager"),
        ("One-pager", "one_pager"),
        ("one_pager", "one_pager"),
        ("ROI calculator", "roi_calculator"),
        ("roi-calculator", "roi_calculator"),
        ("CASE STUDY", "case_study"),
        ("Faq", "faq"),
    ],
)
def test_an_asset_kind_is_matched_by_value_or_label_in_any_case(tmp_path, written, kind):
    import_crm("native", native(tmp_path, "assets.csv", ASSETS + f"roi,ROI,{written},,,,,draft\n"))
    assert Asset.objects.get(slug="roi").kind == kind


def test_status_and_action_are_matched_the_same_way(tmp_path):
    folder = copy_fixture("native", tmp_path)
    assets = folder / "assets.csv"
    assets.write_text(
        assets.read_text().replace(",draft\n", ",In-Review\n").replace(",published\n", ",ARCHIVED\n")
    )
    usage = folder / "usage.csv"
    usage.write_text(usage.read_text().replace(",presented,", ",Presented,").replace(",viewed,", ",VIEWED,"))
    import_crm("native", str(folder))
    assert Asset.objects.get(slug="draft-deck").status == "in_review"
    assert Asset.objects.get(slug="security-faq").status == "archived"
    assert dict(UsageEvent.objects.values_list("event_id", "action")) == {
        "u-1": "presented",
        "u-2": "emailed",
        "u-3": "shared",
        "u-4": "viewed",
    }


@pytest.mark.parametrize(
    ("column", "value"), [("kind", "brochure"), ("kind", "one--pager!"), ("status", "live")]
)
def test_a_choice_that_is_no_value_or_label_keeps_the_error_listing_the_values(tmp_path, column, value):
    row = {"kind": "faq", "status": "draft", column: value}
    _, errors = import_refused(
        "native", native(tmp_path, "assets.csv", ASSETS + f"faq,FAQ,{row['kind']},,,,,{row['status']}\n")
    )
    values = {
        "kind": "case_study, battlecard, deck, one_pager, whitepaper, roi_calculator, video, "
        "email_template, demo_script, faq",
        "status": "draft, in_review, published, archived",
    }
    assert errors == [f"assets.csv:2: {column} {value!r} is not one of {values[column]}."]


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("stages.csv", STAGES + "technical validation,Technical validation,45,open\n"),
        ("roles.csv", "slug,name\nsecurity officer,Security officer\n"),
        ("assets.csv", ASSETS + "roi calculator,ROI,faq,,,,,draft\n"),
    ],
)
def test_a_slug_with_spaces_is_refused_as_it_could_not_be_in_an_address(tmp_path, name, text):
    _, errors = import_refused("native", native(tmp_path, name, text))
    slug = text.splitlines()[1].split(",")[0]
    assert errors == [f"{name}:2: slug {slug!r} is not a slug (letters, digits, - and _ only)."]


def test_a_stage_named_like_another_stage_is_refused(tmp_path):
    before = database_state()
    _, errors = import_refused("native", native(tmp_path, "stages.csv", STAGES + "disco,Discovery,5,open\n"))
    assert errors == ["stages.csv:2: name 'Discovery' is already used by 'discovery'."]
    (tmp_path / "stages.csv").unlink()
    _, errors = import_refused("native", native(tmp_path, "roles.csv", "slug,name\nbuyer,Champion\n"))
    assert errors == ["roles.csv:2: name 'Champion' is already used by 'champion'."]
    assert database_state() == before and not BuyerRole.objects.filter(slug="buyer").exists()


def test_an_owner_email_longer_than_an_address_may_be_is_refused(tmp_path):
    email = "a" * 64 + "@" + ".".join(["b" * 60] * 4) + ".com"  # 312 characters, each part valid
    _, errors = import_refused(
        "native", native(tmp_path, "deals.csv", DEALS_HEADER + f"D-1,Globex,,,{email},,,2025-01-01\n")
    )
    assert errors == [f"deals.csv:2: {email!r} is longer than an email address may be (254 characters)."]


def test_two_long_owner_emails_sharing_their_start_become_two_reps(tmp_path):
    start = "a" * 64 + "@" + "b" * 60 + "." + "c" * 60
    folder = native(
        tmp_path,
        "deals.csv",
        DEALS_HEADER
        + f"D-1,One,,,{start}.one.example.com,,,2025-01-01\nD-2,Two,,,{start}.two.example.com,,,2025-01-01\n",
    )
    import_crm("native", folder)
    assert User.objects.filter(email__startswith=start).count() == 2
    assert Deal.objects.get(external_id="D-1").owner != Deal.objects.get(external_id="D-2").owner


def test_an_asset_url_longer_than_500_characters_is_refused_on_update_too(tmp_path):
    import_crm(
        "native", native(tmp_path, "assets.csv", ASSETS + "roi,ROI,faq,,,,https://example.com/roi,draft\n")
    )
    url = "https://example.com/" + "r" * 490
    _, errors = import_refused(
        "native", native(tmp_path, "assets.csv", ASSETS + f"roi,ROI,faq,,,,{url},draft\n")
    )
    assert errors == ["assets.csv:2: url is longer than 500 characters."]
    assert Asset.objects.get(slug="roi").external_url == "https://example.com/roi"


def test_salesforce_history_with_an_empty_stage_name_names_the_row(tmp_path):
    errors = salesforce_refused(
        tmp_path, "OpportunityHistory.csv", lambda text: text.replace(",Proposta,50000,", ",,50000,")
    )
    assert errors == ["OpportunityHistory.csv:3: StageName is empty."]


def test_ids_and_names_longer_than_their_columns_are_refused(tmp_path):
    errors = salesforce_refused(
        tmp_path, "OpportunityHistory.csv", lambda text: text.replace("008H2,", "008H2" + "x" * 300 + ",")
    )
    assert errors == ["OpportunityHistory.csv:3: Id is longer than 255 characters."]
    errors = hubspot_refused(tmp_path, lambda text: text.replace(",Northwind,", f",{'N' * 300},"))
    assert errors == ["deals.csv:2: Associated Company is longer than 255 characters."]


def test_a_hubspot_date_entered_column_naming_no_stage_is_refused(tmp_path):
    export = tmp_path / "deals.csv"
    export.write_text(
        'Record ID,Deal Name,Deal Stage,Create Date,"Date entered """""\n1,One,discovery,2024-01-01,\n'
    )
    message, _ = import_refused("hubspot", str(export))
    assert message == "deals.csv:1: column 'Date entered \"\"' names no stage."
