"""Buying committees from the three importers: native deal_roles.csv, Salesforce OpportunityContactRole.csv
and a HubSpot buying-role column, with CRM role names mapped to buyer roles like stages."""

from __future__ import annotations

import shutil

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from assets.models import BuyerRole, FunnelStage
from enablement.buyers.models import DealRole, RoleMap
from enablement.buyers.services import profile_approve, profile_propose
from enablement.choices import ImportStatus
from enablement.importers.committee import deals_fit_after_import
from enablement.models import Account, Deal, ImportRun
from tests.enablement.importing import (
    FIXTURES,
    ONE_ROW_REJECTED,
    copy_fixture,
    counts_line,
    database_state,
    import_crm,
    import_refused,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
NATIVE = str(FIXTURES / "native")
SALESFORCE = FIXTURES / "salesforce-roles"
SF_STAGES = str(SALESFORCE / "stage-map.csv")
HUBSPOT = str(FIXTURES / "hubspot" / "deals.csv")
HUBSPOT_STAGES = str(FIXTURES / "hubspot" / "stage-map.csv")
QUOTED = FIXTURES / "salesforce-quoted"


def committee(deal_id: str) -> list[tuple[str, str, bool]]:
    """(role slug, contact, primary) of the deal's buying committee, as the deal's admin page lists it."""
    members = DealRole.objects.filter(deal__external_id=deal_id)
    return sorted(members.values_list("role__slug", "contact", "is_primary"))


def with_roles(tmp_path, rows: str):
    """A copy of the native fixture whose deal_roles.csv has `rows` added."""
    folder = copy_fixture("native", tmp_path)
    with (folder / "deal_roles.csv").open("a") as roles:
        roles.write(rows)
    return folder


# --- native ---------------------------------------------------------------------------------------


def test_native_roles_arrive_on_their_deals_by_slug_name_or_common_crm_name():
    out, _ = import_crm("native", NATIVE)
    assert counts_line(out, "deal_roles.csv") == [5, 0, 0, 0]
    assert committee("N-1") == [
        ("champion", "Tom Baker", False),  # the role's name
        ("economic-buyer", "Maria Lopez", False),  # its slug
        ("technical-evaluator", "", False),  # technical_evaluator: `_` and `-` alike
    ]
    assert committee("N-2") == [("technical-evaluator", "Priya Nair", False)]  # "Technical Buyer"
    assert committee("N-3") == [("security-officer", "Sam Okafor", False)]  # from roles.csv
    member = DealRole.objects.get(deal__external_id="N-1", contact="Maria Lopez")
    assert member.external_id == "economic-buyer|maria lopez" and member.source == "native"


def test_reimporting_native_roles_reports_every_row_unchanged():
    import_crm("native", NATIVE)
    before = sorted(DealRole.objects.values_list("deal_id", "role_id", "contact", "external_id"))
    out, _ = import_crm("native", NATIVE)
    assert counts_line(out, "deal_roles.csv") == [0, 0, 5, 0]
    assert sorted(DealRole.objects.values_list("deal_id", "role_id", "contact", "external_id")) == before


def test_roles_of_a_deal_imported_earlier_are_added_to_it(tmp_path):
    import_crm("native", NATIVE)
    (tmp_path / "deal_roles.csv").write_text("deal_id,role,contact\nN-2,procurement,Lee Chen\n")
    out, _ = import_crm("native", str(tmp_path / "deal_roles.csv"))
    assert counts_line(out, "deal_roles.csv") == [1, 0, 0, 0]
    assert ("procurement", "Lee Chen", False) in committee("N-2")


def test_a_deal_in_neither_the_import_nor_the_database_is_named_with_its_line(tmp_path):
    folder = with_roles(tmp_path, "N-9,champion,Ann\n")
    message, errors = import_refused("native", str(folder))
    assert message == ONE_ROW_REJECTED
    assert errors == ["deal_roles.csv:7: no deal with id 'N-9'."]
    assert not Deal.objects.exists() and not DealRole.objects.exists()


def test_skip_invalid_keeps_the_good_roles_and_reports_the_rest(tmp_path):
    folder = with_roles(tmp_path, "N-9,champion,Ann\nN-2,,Bo\n")
    out, err = import_crm("native", str(folder), "--skip-invalid")
    assert counts_line(out, "deal_roles.csv") == [5, 0, 0, 2]
    assert sorted(err.splitlines()) == [
        "deal_roles.csv:7: no deal with id 'N-9'.",
        "deal_roles.csv:8: role is empty.",
    ]
    assert DealRole.objects.count() == 5


def test_the_same_person_in_the_same_role_twice_is_refused_at_the_later_row(tmp_path):
    folder = with_roles(tmp_path, "N-1,Economic Buyer,  maria   LOPEZ\n")
    _, errors = import_refused("native", str(folder))
    assert errors == [
        "deal_roles.csv:7: role 'economic-buyer|maria lopez' of deal 'N-1' appears again (first at line 2)."
    ]
    assert not DealRole.objects.exists()


def test_a_dry_run_checks_the_roles_and_writes_nothing():
    out, _ = import_crm("native", NATIVE, "--dry-run")
    assert counts_line(out, "deal_roles.csv") == [5, 0, 0, 0]
    assert "Dry run: nothing was written." in out
    assert not DealRole.objects.exists() and not Deal.objects.exists()


def test_unmapped_role_names_are_all_listed_where_they_first_appear_and_nothing_is_written(tmp_path):
    folder = with_roles(tmp_path, "N-2,Influencer,Ann\nN-3,Blocker,\nN-3,Influencer,Bo\n")
    message, _ = import_refused("native", str(folder))
    assert message == (
        "2 CRM role name(s) have no buyer role: 'Influencer' (deal_roles.csv:7), "
        "'Blocker' (deal_roles.csv:8). Map them in the admin (Role mappings) or with --role-map FILE "
        "(columns crm_role,role_slug)."
    )
    assert database_state()["deals"] == [] and not DealRole.objects.exists()


def test_a_role_map_file_maps_the_names_and_is_remembered(tmp_path):
    folder = with_roles(tmp_path, "N-2,Influencer,Ann\nN-3,Blocker,\n")
    role_map = tmp_path / "roles.csv"
    role_map.write_text("crm_role,role_slug\nInfluencer,champion\nBlocker,procurement\n")
    out, _ = import_crm("native", str(folder), "--role-map", str(role_map))
    assert counts_line(out, "deal_roles.csv") == [7, 0, 0, 0]
    assert ("champion", "Ann", False) in committee("N-2") and ("procurement", "", False) in committee("N-3")
    assert set(RoleMap.objects.values_list("source", "crm_role", "role__slug")) == {
        ("native", "Influencer", "champion"),
        ("native", "Blocker", "procurement"),
    }
    out, _ = import_crm("native", str(folder))
    assert counts_line(out, "deal_roles.csv") == [0, 0, 7, 0]


def test_a_role_map_naming_no_buyer_role_is_refused(tmp_path):
    role_map = tmp_path / "roles.csv"
    role_map.write_text("crm_role,role_slug\nInfluencer,kingmaker\n")
    message, errors = import_refused("native", NATIVE, "--role-map", str(role_map))
    assert message == "The role map has 1 error(s); nothing was imported."
    assert errors == ["roles.csv:2: no buyer role with slug 'kingmaker'."]


def test_an_admins_role_mapping_wins_over_the_common_crm_names():
    RoleMap.objects.create(
        source="native", crm_role="technical buyer", role=BuyerRole.objects.get(slug="economic-buyer")
    )
    import_crm("native", NATIVE)
    assert committee("N-2") == [("economic-buyer", "Priya Nair", False)]


def test_a_common_crm_name_is_unmapped_when_its_buyer_role_does_not_exist(tmp_path):
    BuyerRole.objects.filter(slug="technical-evaluator").delete()
    message, _ = import_refused("native", NATIVE)
    assert message.startswith(
        "2 CRM role name(s) have no buyer role: 'technical_evaluator' (deal_roles.csv:4), "
        "'Technical Buyer' (deal_roles.csv:5)."
    )


# --- Salesforce -----------------------------------------------------------------------------------


def test_salesforce_contact_roles_arrive_with_contact_names_and_primary_flags():
    out, _ = import_crm("salesforce", str(SALESFORCE), "--stage-map", SF_STAGES)
    # 00KR3 is deleted and 00KR6 has no Role: both are left out.
    assert counts_line(out, "OpportunityContactRole.csv") == [4, 0, 0, 0]
    assert committee("006A1") == [
        ("economic-buyer", "Jonas Weber", True),  # Decision Maker
        ("technical-evaluator", "Eva Schmidt", False),  # Evaluator
    ]
    assert committee("006A2") == [
        ("end-user", "Giulia Bianchi", True),  # Business User; Contact.csv has only Name
        ("technical-evaluator", "003C9", False),  # Technical Buyer; not in Contact.csv
    ]
    assert DealRole.objects.get(external_id="00KR1").source == "salesforce"


def test_without_contact_csv_the_contact_is_the_contact_id(tmp_path):
    folder = tmp_path / "export"
    shutil.copytree(SALESFORCE, folder)
    (folder / "Contact.csv").unlink()
    import_crm("salesforce", str(folder), "--stage-map", SF_STAGES)
    assert committee("006A1") == [("economic-buyer", "003C1", True), ("technical-evaluator", "003C2", False)]


def test_reimporting_salesforce_roles_changes_nothing_and_an_edit_updates_its_row(tmp_path):
    folder = tmp_path / "export"
    shutil.copytree(SALESFORCE, folder)
    import_crm("salesforce", str(folder), "--stage-map", SF_STAGES)
    out, _ = import_crm("salesforce", str(folder))
    assert counts_line(out, "OpportunityContactRole.csv") == [0, 0, 4, 0]
    roles = folder / "OpportunityContactRole.csv"
    roles.write_text(
        roles.read_text().replace("00KR2,006A1,003C2,Evaluator,,", "00KR2,006A1,003C2,Evaluator,1,")
    )
    out, _ = import_crm("salesforce", str(folder))
    assert counts_line(out, "OpportunityContactRole.csv") == [0, 1, 3, 0]
    assert ("technical-evaluator", "Eva Schmidt", True) in committee("006A1")


def test_unmapped_salesforce_roles_are_listed_and_nothing_is_written(tmp_path):
    folder = tmp_path / "export"
    shutil.copytree(SALESFORCE, folder)
    with (folder / "OpportunityContactRole.csv").open("a") as roles:
        roles.write("00KR7,006A2,003C1,Influencer,,2024-02-03,\n00KR8,006A2,003C1,Other,,2024-02-03,\n")
    message, _ = import_refused("salesforce", str(folder), "--stage-map", SF_STAGES)
    assert message.startswith(
        "2 CRM role name(s) have no buyer role: 'Influencer' (OpportunityContactRole.csv:8), "
        "'Other' (OpportunityContactRole.csv:9)."
    )
    assert not Deal.objects.exists() and not DealRole.objects.exists()


def test_a_contact_roles_file_with_only_a_header_imports_cleanly(tmp_path):
    stage_map = tmp_path / "stages.csv"
    stage_map.write_text(
        "crm_stage,stage_slug\nProspecting,inquiry\nQualification,sql\nNeeds Analysis,discovery\n"
        "Value Proposition,discovery\nId. Decision Makers,discovery\nPerception Analysis,discovery\n"
        "Proposal/Price Quote,proposal\nNegotiation/Review,negotiation\n"
    )
    out, err = import_crm("salesforce", str(QUOTED), "--stage-map", str(stage_map))
    assert counts_line(out, "OpportunityContactRole.csv") == [0, 0, 0, 0]
    assert counts_line(out, "Opportunity.csv") == [11, 0, 0, 0] and err == ""


# --- HubSpot --------------------------------------------------------------------------------------


def test_hubspot_buying_roles_become_each_deals_committee_without_contacts():
    out, _ = import_crm("hubspot", HUBSPOT, "--stage-map", HUBSPOT_STAGES)
    assert counts_line(out, "buying roles (deals.csv)") == [4, 0, 0, 0]
    assert counts_line(out, "deals.csv") == [3, 0, 0, 0]
    assert committee("9001") == [
        ("champion", "", False),
        ("economic-buyer", "", False),
        ("end-user", "", False),
    ]
    assert committee("9002") == [("executive-sponsor", "", False)]  # EXECUTIVE_SPONSOR, HubSpot's value
    assert committee("9003") == []
    assert DealRole.objects.get(deal__external_id="9002").external_id == "executive-sponsor|"


def test_reimporting_hubspot_buying_roles_changes_nothing():
    import_crm("hubspot", HUBSPOT, "--stage-map", HUBSPOT_STAGES)
    out, _ = import_crm("hubspot", HUBSPOT)
    assert counts_line(out, "buying roles (deals.csv)") == [0, 0, 4, 0]


def test_the_buying_role_column_is_found_in_any_case_and_its_unmapped_names_listed(tmp_path):
    export = tmp_path / "deals.csv"
    export.write_text(
        "Record ID,Deal Name,Deal Stage,Create Date,DEAL ROLES\n"
        "1,One,discovery,2024-01-01,Champion;Influencer\n"
        "2,Two,discovery,2024-01-01,Blocker;influencer\n"
    )
    message, _ = import_refused("hubspot", str(export))
    assert message.startswith(
        "2 CRM role name(s) have no buyer role: 'Influencer' (deals.csv:2 column 'DEAL ROLES'), "
        "'Blocker' (deals.csv:3 column 'DEAL ROLES')."
    )
    role_map = tmp_path / "roles.csv"
    role_map.write_text("crm_role,role_slug\ninfluencer,champion\nBlocker,procurement\n")
    import_crm("hubspot", str(export), "--role-map", str(role_map))
    assert committee("1") == [("champion", "", False)]  # two names for one role: one member
    assert committee("2") == [("champion", "", False), ("procurement", "", False)]


# --- the admin ------------------------------------------------------------------------------------


def test_an_admin_upload_takes_a_role_map_with_it(client, marketer, django_capture_on_commit_callbacks):
    import_crm("native", NATIVE)
    client.force_login(marketer)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("admin:enablement_importrun_add"),
            {
                "format": "native",
                "file": SimpleUploadedFile("deal_roles.csv", b"deal_id,role,contact\nN-2,Influencer,Ann\n"),
                "role_map_file": SimpleUploadedFile(
                    "roles.csv", b"crm_role,role_slug\nInfluencer,champion\n"
                ),
            },
        )
    run = ImportRun.objects.get()
    assert run.status == ImportStatus.DONE, run.errors
    assert run.counts["deal_roles.csv"] == {"created": 1, "updated": 0, "unchanged": 0, "rejected": 0}
    assert ("champion", "Ann", False) in committee("N-2")


def test_marketing_edits_role_mappings_and_reads_the_committee_on_the_deals_page(client, marketer):
    import_crm("native", NATIVE)
    RoleMap.objects.create(
        source="salesforce", crm_role="Influencer", role=BuyerRole.objects.get(slug="champion")
    )
    client.force_login(marketer)
    mappings = client.get(reverse("admin:enablement_rolemap_changelist"))
    assert mappings.status_code == 200 and "Influencer" in mappings.text
    deal = Deal.objects.get(external_id="N-1")
    page = client.get(reverse("admin:enablement_deal_change", args=[deal.pk]))
    assert "Buying committee members" in page.text and "Maria Lopez" in page.text


# --- the deals' fit -------------------------------------------------------------------------------


def test_imported_roles_and_deals_are_scored_against_the_approved_profile(
    tmp_path, django_capture_on_commit_callbacks
):
    folder = copy_fixture("native", tmp_path)
    roles = (folder / "deal_roles.csv").read_text()
    (folder / "deal_roles.csv").unlink()
    import_crm("native", str(folder))
    boss = UserFactory()
    profile = profile_propose(
        by=boss,
        summary="Software companies with an evaluator in the room.",
        roles_by_stage={
            FunnelStage.objects.get(slug="technical-validation"): [
                BuyerRole.objects.get(slug="technical-evaluator")
            ]
        },
    )
    with django_capture_on_commit_callbacks(execute=True):  # deals are scored after the commit
        profile_approve(profile=profile, by=UserFactory())  # a second person approves
    assert "missing Technical evaluator" in Deal.objects.get(external_id="N-2").fit_reasons[-1]

    (tmp_path / "roles" / "deal_roles.csv").parent.mkdir()
    (tmp_path / "roles" / "deal_roles.csv").write_text(roles)
    import_crm("native", str(tmp_path / "roles"))
    assert Deal.objects.get(external_id="N-2").fit_reasons[-1] == (
        "1 of 1 buyer roles expected by Technical validation are in the room (Technical evaluator) (+3)."
    )

    (tmp_path / "new").mkdir()
    (tmp_path / "new" / "deals.csv").write_text(
        "deal_id,name,account,industry,owner_email,amount,currency,created_at\n"
        "N-4,Hooli trial,Hooli,Software,ana@example.com,100,USD,2025-03-01\n"
    )
    (tmp_path / "new" / "stage_history.csv").write_text(
        "deal_id,stage,entered_at\nN-4,technical-validation,2025-03-02\n"
    )
    import_crm("native", str(tmp_path / "new"))
    assert "missing Technical evaluator" in Deal.objects.get(external_id="N-4").fit_reasons[-1]


def test_without_an_approved_profile_the_fit_step_costs_one_query(django_assert_num_queries):
    started = timezone.now()
    import_crm("native", NATIVE)
    touched = set(Deal.objects.values_list("pk", flat=True))
    with django_assert_num_queries(1):
        assert deals_fit_after_import(since=started, committee_deals=touched) == 0


def test_a_re_import_keeps_the_size_and_region_the_admin_gave_an_account(tmp_path):
    # deals.csv names an account's industry only: its size and region (which the fit reads) stand.
    folder = copy_fixture("native", tmp_path)
    import_crm("native", str(folder))
    Account.objects.filter(external_id="Initech").update(size="500", region="EMEA")

    import_crm("native", str(folder))
    (folder / "deals.csv").write_text(
        (folder / "deals.csv").read_text().replace("Initech,Software", "Initech,Retail")
    )
    import_crm("native", str(folder))

    account = Account.objects.get(external_id="Initech")
    assert (account.industry, account.size, account.region) == ("Retail", "500", "EMEA")
