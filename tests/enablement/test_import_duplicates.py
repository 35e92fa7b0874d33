"""A record named twice in one file (a deal id, a Salesforce Id, a HubSpot Record ID, a slug) is an
error in the file: the later rows are refused naming the first, instead of silently overwriting it."""

from __future__ import annotations

import pytest

from assets.models import BuyerRole
from enablement.importers.base import BATCH_SIZE
from enablement.models import Deal
from tests.enablement.importing import (
    DEALS_HEADER,
    counts_line,
    hubspot_refused,
    import_crm,
    import_refused,
    salesforce_refused,
)

pytestmark = pytest.mark.django_db


def deal(deal_id: str, name: str = "Globex") -> str:
    return f"{deal_id},{name},,,,100,USD,2025-01-01\n"


def test_a_deal_id_repeated_in_deals_csv_is_refused_naming_the_first_line(tmp_path):
    (tmp_path / "deals.csv").write_text(
        DEALS_HEADER + deal("D-1") + deal("D-2") + deal("D-1", "Globex again")
    )
    _, errors = import_refused("native", str(tmp_path))
    assert errors == ["deals.csv:4: deal id 'D-1' appears again (first at line 2)."]
    assert not Deal.objects.exists()


def test_a_repeat_in_a_later_batch_is_refused_too(tmp_path):
    rows = [deal(f"D-{n}") for n in range(BATCH_SIZE + 5)]
    (tmp_path / "deals.csv").write_text(DEALS_HEADER + "".join(rows) + deal("D-3", "Late copy"))
    _, errors = import_refused("native", str(tmp_path))
    assert errors == [f"deals.csv:{BATCH_SIZE + 7}: deal id 'D-3' appears again (first at line 5)."]


def test_with_skip_invalid_the_first_row_of_a_repeated_id_is_kept(tmp_path):
    (tmp_path / "deals.csv").write_text(DEALS_HEADER + deal("D-1") + deal("D-1", "Globex again"))
    out, err = import_crm("native", str(tmp_path), "--skip-invalid")
    assert err.splitlines() == ["deals.csv:3: deal id 'D-1' appears again (first at line 2)."]
    assert counts_line(out, "deals.csv") == [1, 0, 0, 1]
    assert Deal.objects.get().name == "Globex"


@pytest.mark.parametrize(
    ("name", "text", "label"),
    [
        ("stages.csv", "slug,name,order,outcome\npilot,Pilot,5,open\npilot,Trial,6,open\n", "stage slug"),
        ("roles.csv", "slug,name\nlegal,Legal\nlegal,Counsel\n", "role slug"),
        (
            "assets.csv",
            "slug,title,kind,summary,buyer_roles,stages,status\nfaq,FAQ,faq,,,,draft\n"
            "faq,Other FAQ,faq,,,,draft\n",
            "asset slug",
        ),
    ],
)
def test_a_slug_repeated_in_a_native_catalogue_file_is_refused(tmp_path, name, text, label):
    (tmp_path / name).write_text(text)
    _, errors = import_refused("native", str(tmp_path))
    slug = text.splitlines()[1].split(",")[0]
    assert errors == [f"{name}:3: {label} {slug!r} appears again (first at line 2)."]
    assert not BuyerRole.objects.filter(slug="legal").exists()


def test_a_salesforce_opportunity_id_repeated_is_refused(tmp_path):
    def repeat_first_opportunity(text: str) -> str:
        return text + text.splitlines(keepends=True)[1].replace("Acme platform", "Acme platform v2")

    errors = salesforce_refused(tmp_path, "Opportunity.csv", repeat_first_opportunity)
    assert errors == ["Opportunity.csv:5: Id '006A1' appears again (first at line 2)."]


def test_a_hubspot_record_id_repeated_is_refused(tmp_path):
    errors = hubspot_refused(tmp_path, lambda text: text + text.splitlines(keepends=True)[2])
    assert errors == ["deals.csv:5: Record ID '9002' appears again (first at line 3)."]
