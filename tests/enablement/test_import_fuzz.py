"""Every importer, fed malformed CSVs and zips, either imports or refuses with `FILE:LINE: reason`
(or a sentence naming what is wrong), never with any other exception; a refused import writes nothing.

Examples are derandomized so the suite is repeatable; IMPORT_FUZZ_EXAMPLES=2000 searches harder,
with fresh random examples each run.
Run it on PostgreSQL too: it refuses NUL in text and overflowing numbers where SQLite stores them.
"""

from __future__ import annotations

import os
import re
import tempfile
import traceback
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.db import transaction
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from assets.models import Asset, BuyerRole, FunnelStage
from enablement.models import Account, Deal, DealRole, StageChange, UsageEvent
from tests.enablement.malformed import DATES, EMAILS, csv_bytes, zip_bytes

pytestmark = pytest.mark.django_db

fuzz = settings(
    max_examples=int(os.environ.get("IMPORT_FUZZ_EXAMPLES", "60")),
    deadline=None,
    derandomize="IMPORT_FUZZ_EXAMPLES" not in os.environ,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.function_scoped_fixture,  # only `db`; each example rolls back its own writes
    ],
)

DEAL_IDS = ["N-1", "N-2", "0064600000J5S5TAAV", "9001"]
STAGES = ["discovery", "Proposal", "closed-won", "Closed Lost"]
ROLES = ["economic-buyer", "Champion", "Decision Maker", "end_user", "Influencer", ""]
NATIVE = {
    "stages.csv": {
        "slug": ["discovery", "technical-validation", "pilot"],
        "name": ["Discovery", "Technical validation", "Pilot"],
        "order": ["40", "45", "0"],
        "outcome": ["open", "won", "Lost"],
        "definition": ["", "The evaluator checks the fit."],
    },
    "roles.csv": {
        "slug": ["security-officer", "champion"],
        "name": ["Security officer", "Champion"],
        "description": ["", "Signs off on data protection."],
    },
    "assets.csv": {
        "slug": ["roi-calculator", "security-faq"],
        "title": ["ROI calculator", "Security FAQ"],
        "kind": ["roi_calculator", "faq", "One-pager"],
        "summary": ["", "Payback from the buyer's numbers."],
        "buyer_roles": ["economic-buyer;champion", "", "security-officer"],
        "stages": ["proposal", "discovery;proposal", ""],
        "url": ["https://tools.example.com/roi", ""],
        "status": ["", "published", "draft", "Archived", "in-review"],
    },
    "deals.csv": {
        "deal_id": DEAL_IDS,
        "name": ["Globex analytics", "Initech pilot"],
        "account": ["Globex", ""],
        "industry": ["Software", ""],
        "owner_email": [*EMAILS[:2], ""],
        "amount": ["", "120000", "15000.50"],
        "currency": ["USD", "EUR", ""],
        "created_at": DATES,
    },
    "stage_history.csv": {
        "deal_id": DEAL_IDS,
        "stage": ["discovery", "proposal", "closed-won"],
        "entered_at": DATES,
    },
    "usage.csv": {
        "event_id": ["u-1", "u-2", "u-3"],
        "deal_id": DEAL_IDS,
        "asset": ["roi-calculator", "security-faq"],
        "rep_email": EMAILS[:2],
        "action": ["viewed", "Presented", "e-mailed"],
        "occurred_at": DATES,
    },
    "deal_roles.csv": {
        "deal_id": DEAL_IDS,
        "role": ROLES,
        "contact": ["", "Maria Lopez", "  maria   LOPEZ "],
    },
}
SALESFORCE = {
    "Opportunity.csv": {
        "Id": DEAL_IDS,
        "IsDeleted": ["", "0", "1"],
        "AccountId": ["001A1", ""],
        "Name": ["Acme platform", "Beta pilot"],
        "StageName": STAGES,
        "Amount": ["50000.00", ""],
        "CloseDate": ["2024-03-01", ""],
        "IsClosed": ["", "1", "0"],
        "IsWon": ["", "1"],
        "OwnerId": ["005U1", ""],
        "CreatedDate": DATES,
        "CurrencyIsoCode": ["EUR", ""],
        "LastStageChangeDate": ["", *DATES],
    },
    "OpportunityHistory.csv": {
        "Id": ["008H1", "008H2", ""],
        "OpportunityId": DEAL_IDS,
        "CreatedDate": DATES,
        "StageName": STAGES,
        "IsDeleted": ["", "0"],
    },
    "Account.csv": {
        "Id": ["001A1", "001A2"],
        "IsDeleted": [""],
        "Name": ["Acme GmbH"],
        "Industry": ["Manufacturing", ""],
        "NumberOfEmployees": ["1200", ""],
        "BillingCountry": ["Germany", ""],
    },
    "User.csv": {
        "Id": ["005U1", "005U2"],
        "Email": EMAILS[:2],
        "FirstName": ["Lena"],
        "LastName": ["Krüger"],
    },
    "OpportunityContactRole.csv": {
        "Id": ["00KR1", "00KR2", ""],
        "OpportunityId": DEAL_IDS,
        "ContactId": ["003C1", ""],
        "Role": ROLES,
        "IsPrimary": ["", "1", "0", "false"],
        "IsDeleted": ["", "1"],
    },
    "Contact.csv": {
        "Id": ["003C1", "003C2"],
        "FirstName": ["Jonas", ""],
        "LastName": ["Weber"],
        "Name": ["Jonas Weber", ""],
    },
}
HUBSPOT = {
    "Record ID": DEAL_IDS,
    "Deal Name": ["Northwind expansion"],
    "Deal Stage": STAGES,
    "Amount": ["42000", ""],
    "Create Date": DATES,
    "Close Date": ["", "2024-07-01 00:00"],
    "Deal owner": EMAILS,
    "Pipeline": ["Sales Pipeline", ""],
    "Associated Company": ["Northwind", ""],
    'Date entered "Discovery (Sales Pipeline)"': ["", *DATES],
    'Date entered "Closed Won (Sales Pipeline)"': ["", *DATES],
    "Date entered Proposal": ["", *DATES],
    "Buying Roles": ["", "Champion;Budget Holder", "Influencer;;", "champion;CHAMPION"],
}
FILES = {"native": list(NATIVE), "salesforce": list(SALESFORCE), "hubspot": ["deals.csv"]}
OPTIONS = st.sampled_from([(), ("--skip-invalid",), ("--dry-run",)])
WRITTEN = (Deal, StageChange, UsageEvent, Asset, FunnelStage, BuyerRole, Account, User, DealRole)
# The refusals the importers give: rejected rows (listed on stderr), unmapped stages, or a sentence
# that starts with the file, zip or folder it is about.
SUMMARY = re.compile(
    r"\d+ row\(s\) rejected; nothing was written\. |\d+ CRM stage name\(s\) have no funnel stage: "
    r"|\d+ CRM role name\(s\) have no buyer role: "
)
ROW = re.compile(r"[^:\n]+\.csv:\d+: \S")


def exports(files: dict[str, dict[str, list[str]]]):
    """Some of the files, each perhaps malformed, as a folder or a (perhaps damaged) zip."""
    first, *others = files  # the first file is the one an export cannot do without
    chosen = st.fixed_dictionaries(
        {first: csv_bytes(files[first])}, optional={name: csv_bytes(files[name]) for name in others}
    )
    return chosen.flatmap(lambda f: st.one_of(st.just(("folder", f)), zip_bytes(f).map(lambda z: ("zip", z))))


def written() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in WRITTEN}


def read_back() -> None:
    """What was stored can be read again (PostgreSQL stored year 1 as a BC time it could not return)."""
    list(Deal.objects.values_list("created_at", "closed_at", "amount"))
    list(StageChange.objects.values_list("entered_at"))
    list(UsageEvent.objects.values_list("occurred_at"))


def import_and_check(fmt: str, export: tuple[str, object], options: tuple[str, ...], *, name: str) -> None:
    with tempfile.TemporaryDirectory() as workdir:
        path = save(Path(workdir), export, name)
        before = written()
        out, err = StringIO(), StringIO()
        refused = None
        with transaction.atomic():  # every example starts from the same database
            try:
                call_command("import_crm", fmt, str(path), "--no-progress", *options, stdout=out, stderr=err)
            except CommandError as exc:
                refused = exc
            after = written()
            read_back()
            transaction.set_rollback(True)
    for line in err.getvalue().splitlines():
        assert ROW.match(line) or line.startswith("… and "), line
    event("imported" if refused is None else "refused")  # see --hypothesis-show-statistics
    if refused is None:
        assert "created  updated  unchanged  rejected" in out.getvalue()
        if "--dry-run" in options:
            assert after == before
        return
    message = str(refused)
    # The command turns an error nobody expected into a CommandError too, caused by that error.
    assert refused.__cause__ is None, "".join(traceback.format_exception(refused.__cause__))
    assert "\n" not in message, message
    assert SUMMARY.match(message) or message.startswith((str(path), path.name, *FILES[fmt])), message
    assert after == before, f"{message}\n{after} != {before}"


def save(workdir: Path, export: tuple[str, object], name: str) -> Path:
    """A folder of files, a zip or one file, as the command is given them."""
    kind, content = export
    if kind != "folder":
        (workdir / name).write_bytes(content)
        return workdir / name
    (workdir / name).mkdir()
    for file, data in content.items():
        (workdir / name / file).write_bytes(data)
    return workdir / name


@fuzz
@given(export=exports(NATIVE), options=OPTIONS)
def test_native_import_of_malformed_files_imports_or_refuses_cleanly(export, options):
    import_and_check("native", export, options, name="native.zip" if export[0] == "zip" else "native")


@fuzz
@given(export=exports(SALESFORCE), options=OPTIONS)
def test_salesforce_import_of_malformed_exports_imports_or_refuses_cleanly(export, options):
    import_and_check("salesforce", export, options, name="WE_00D_1.zip" if export[0] == "zip" else "WE_00D_1")


@fuzz
@given(
    export=st.one_of(csv_bytes(HUBSPOT, max_rows=6), zip_bytes({"deals.csv": b"Record ID\n1\n"})),
    options=OPTIONS,
)
def test_hubspot_import_of_malformed_exports_imports_or_refuses_cleanly(export, options):
    import_and_check("hubspot", ("file", export), options, name="deals.csv")
