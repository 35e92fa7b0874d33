"""Text the database cannot store or the reader cannot follow: NUL characters, bytes that are not
UTF-8, broken headers, runaway fields. Each is refused naming the file, line and column."""

from __future__ import annotations

import pytest

from enablement.models import Deal
from tests.enablement.importing import (
    DEALS_HEADER,
    ONE_ROW_REJECTED,
    hubspot_refused,
    import_crm,
    import_refused,
    salesforce_refused,
)

pytestmark = pytest.mark.django_db
GOOD_DEAL = "D-1,Globex,Globex,Software,,100,USD,2025-01-01\n"


def deals_file(tmp_path, content: bytes) -> str:
    (tmp_path / "deals.csv").write_bytes(content)
    return str(tmp_path)


def test_a_nul_byte_in_a_native_value_is_refused_naming_file_line_and_column(tmp_path):
    folder = deals_file(
        tmp_path, (DEALS_HEADER + GOOD_DEAL + "D-2,Init\x00ech,,,,,USD,2025-01-01\n").encode()
    )
    message, errors = import_refused("native", folder)
    assert message == ONE_ROW_REJECTED and errors == ["deals.csv:3: name contains a NUL character."]
    assert not Deal.objects.exists()


def test_a_nul_byte_is_refused_by_the_salesforce_and_hubspot_importers_too(tmp_path):
    errors = salesforce_refused(tmp_path, "Account.csv", lambda text: text.replace("Beta SpA", "Beta\x00SpA"))
    assert errors == ["Account.csv:3: Name contains a NUL character."]
    errors = hubspot_refused(tmp_path, lambda text: text.replace("Tailspin", "Tail\x00spin"))
    assert errors == ["deals.csv:3: Deal Name contains a NUL character."]
    assert not Deal.objects.exists()


def test_with_skip_invalid_a_row_with_a_nul_byte_is_left_out_and_the_rest_imported(tmp_path):
    folder = deals_file(
        tmp_path, (DEALS_HEADER + GOOD_DEAL + "D-2,Init\x00ech,,,,,USD,2025-01-01\n").encode()
    )
    _, err = import_crm("native", folder, "--skip-invalid")
    assert err.splitlines() == ["deals.csv:3: name contains a NUL character."]
    assert list(Deal.objects.values_list("external_id", flat=True)) == ["D-1"]


def test_a_row_that_is_not_utf8_is_refused_naming_its_line(tmp_path):
    folder = deals_file(
        tmp_path, (DEALS_HEADER + GOOD_DEAL).encode() + "D-2,Café,,,,,USD,2025-01-01\n".encode("latin-1")
    )
    _, errors = import_refused("native", folder)
    assert errors == ["deals.csv:3: name is not UTF-8 text (byte 0xE9); save the file as UTF-8."]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            b"\n" + DEALS_HEADER.encode() + GOOD_DEAL.encode(),
            "deals.csv:1: the first line is empty; it must be the header row.",
        ),
        (
            b"deal_id,name,deal_id,account,industry,owner_email,amount,currency,created_at\n",
            "deals.csv:1: column(s) 'deal_id' appear more than once.",
        ),
        (
            b'"a\nlong header' + b"x" * 140_000,
            "deals.csv:1: a value is longer than 131,072 characters (is a quote left open?); "
            "nothing after it can be read.",
        ),
        (
            (DEALS_HEADER + 'D-1,"Globex,,,,,USD,2025-01-01\n').encode() + b"x" * 140_000,
            "deals.csv:2: a value is longer than 131,072 characters (is a quote left open?); "
            "nothing after it can be read.",
        ),
    ],
)
def test_a_header_or_a_field_that_cannot_be_read_refuses_the_file_with_its_line(tmp_path, content, message):
    refused, _ = import_refused("native", deals_file(tmp_path, content))
    assert refused == message


def test_a_doubled_byte_order_mark_and_cr_only_line_endings_are_read(tmp_path):
    content = ("\ufeff\ufeff" + DEALS_HEADER + GOOD_DEAL).replace("\n", "\r").encode()
    import_crm("native", deals_file(tmp_path, content))
    assert Deal.objects.get(external_id="D-1").name == "Globex"
