"""Damaged zips and odd folders: a bad CRC, a cut-off or corrupt archive, a name found twice, broken
links. Each is refused naming the file, and nothing is written."""

from __future__ import annotations

import io
import zipfile

import pytest

from enablement.models import Deal
from tests.enablement.importing import (
    DEALS_HEADER,
    FIXTURES,
    copy_fixture,
    damage_zip_member,
    database_state,
    import_crm,
    import_refused,
)

pytestmark = pytest.mark.django_db
GOOD_DEAL = "D-1,Globex,Globex,Software,,100,USD,2025-01-01\n"


def native_zip(path, **members: bytes) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as archive:
        for name, data in members.items():
            archive.writestr(f"export/{name}", data)


def flip_byte_of_member(path, name: str) -> None:
    path.write_bytes(damage_zip_member(path.read_bytes(), f"export/{name}"))


def test_a_zip_member_with_a_bad_crc_is_refused_naming_it_and_nothing_is_written(tmp_path):
    archive = tmp_path / "crm.zip"
    stages = b"slug,name,order,outcome\npilot,Pilot,5,open\n"
    native_zip(archive, **{"stages.csv": stages, "deals.csv": (DEALS_HEADER + GOOD_DEAL).encode()})
    flip_byte_of_member(archive, "deals.csv")
    before = database_state()
    message, _ = import_refused("native", str(archive))
    assert message == (
        "deals.csv (crm.zip: export/deals.csv): the file cannot be read: "
        "Bad CRC-32 for file 'export/deals.csv'."
    )
    assert database_state() == before


def test_a_damaged_salesforce_export_zip_is_refused_naming_the_file(tmp_path):
    archive = tmp_path / "WE_00D_1.zip"
    native_zip(archive, **{p.name: p.read_bytes() for p in (FIXTURES / "salesforce-unquoted").glob("*.csv")})
    flip_byte_of_member(archive, "Opportunity.csv")
    message, _ = import_refused("salesforce", str(archive))
    assert message.startswith(
        "Opportunity.csv (WE_00D_1.zip: export/Opportunity.csv): the file cannot be read"
    )


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda data: data[: len(data) // 2], id="truncated"),
        pytest.param(lambda data: b"not a zip at all", id="not-a-zip"),
        pytest.param(lambda data: b"", id="empty"),
    ],
)
def test_a_truncated_or_unreadable_zip_is_refused_naming_it(tmp_path, damage):
    archive = tmp_path / "crm.zip"
    native_zip(archive, **{"deals.csv": (DEALS_HEADER + GOOD_DEAL).encode()})
    archive.write_bytes(damage(archive.read_bytes()))
    message, _ = import_refused("native", str(archive))
    assert message == "crm.zip: not a readable zip file (File is not a zip file)."


def test_a_corrupt_deflated_member_is_refused_naming_it(tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("deals.csv", (DEALS_HEADER + GOOD_DEAL * 50).encode())
        info = archive.getinfo("deals.csv")
    data = bytearray(buffer.getvalue())
    start = info.header_offset + 30 + len(info.filename.encode())
    data[start : start + 20] = bytes(20)  # the compressed stream no longer decodes
    (tmp_path / "crm.zip").write_bytes(bytes(data))
    message, _ = import_refused("native", str(tmp_path / "crm.zip"))
    assert message.startswith("deals.csv (crm.zip: deals.csv): the file cannot be read: ")


def test_a_zip_holding_two_files_of_one_name_is_refused(tmp_path):
    archive = tmp_path / "crm.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("old/deals.csv", DEALS_HEADER + GOOD_DEAL)
        zf.writestr("new/deals.csv", DEALS_HEADER + GOOD_DEAL.replace("Globex", "Initech"))
    message, _ = import_refused("native", str(archive))
    assert message == "crm.zip holds deals.csv twice (crm.zip: old/deals.csv and crm.zip: new/deals.csv)."
    assert not Deal.objects.exists()


def test_a_file_that_is_neither_a_zip_nor_an_export_file_is_refused(tmp_path):
    (tmp_path / "pipeline.xlsx").write_bytes(b"PK\x03\x04 not really")
    message, _ = import_refused("native", str(tmp_path / "pipeline.xlsx"))
    assert message.startswith("pipeline.xlsx is neither a zip file nor one of stages.csv, roles.csv")


def test_a_folder_named_like_a_zip_is_read_as_a_folder(tmp_path):
    folder = tmp_path / "crm.zip"
    folder.mkdir()
    (folder / "deals.csv").write_text(DEALS_HEADER + GOOD_DEAL)
    import_crm("native", str(folder))
    assert Deal.objects.filter(external_id="D-1").exists()


def test_a_broken_link_in_an_export_folder_is_refused_not_skipped(tmp_path):
    folder = copy_fixture("native", tmp_path)
    (folder / "deals.csv").unlink()
    (folder / "deals.csv").symlink_to(tmp_path / "gone.csv")
    message, _ = import_refused("native", str(folder))
    assert message == f"{folder / 'deals.csv'}: not a readable file (a folder, or a broken link?)."
    assert not Deal.objects.exists()


def test_a_linked_file_in_an_export_folder_is_read(tmp_path):
    (tmp_path / "elsewhere.csv").write_text(DEALS_HEADER + GOOD_DEAL)
    folder = tmp_path / "export"
    folder.mkdir()
    (folder / "deals.csv").symlink_to(tmp_path / "elsewhere.csv")
    import_crm("native", str(folder))
    assert Deal.objects.filter(external_id="D-1").exists()


def test_a_folder_given_to_the_hubspot_importer_is_refused_clearly(tmp_path):
    message, _ = import_refused("hubspot", str(tmp_path))
    assert message == f"{tmp_path} is a folder; a HubSpot deals export is one CSV file."
