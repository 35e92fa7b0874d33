"""Helpers for the import tests."""

from __future__ import annotations

import io
import shutil
import zipfile
from io import StringIO
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from enablement.models import Account, Deal, StageChange, UsageEvent

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
DEALS_HEADER = "deal_id,name,account,industry,owner_email,amount,currency,created_at\n"
ONE_ROW_REJECTED = (
    "1 row(s) rejected; nothing was written. Fix them, or use --skip-invalid to write the good rows."
)


def import_crm(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("import_crm", *args, "--no-progress", stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def import_refused(*args: str) -> tuple[str, list[str]]:
    """The one-line message and the stderr lines of an import that is refused."""
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError) as refused:
        call_command("import_crm", *args, "--no-progress", stdout=out, stderr=err)
    return str(refused.value), err.getvalue().splitlines()


def salesforce_refused(tmp_path: Path, file: str, edit) -> list[str]:
    """The rejected rows of the unquoted Salesforce fixture with `edit(text)` applied to one file."""
    folder = copy_fixture("salesforce-unquoted", tmp_path)
    (folder / file).write_text(edit((folder / file).read_text()))
    return import_refused("salesforce", str(folder), "--stage-map", str(folder / "stage-map.csv"))[1]


def hubspot_refused(tmp_path: Path, edit) -> list[str]:
    """The rejected rows of the HubSpot fixture with `edit(text)` applied."""
    export = tmp_path / "deals.csv"
    export.write_text(edit((FIXTURES / "hubspot" / "deals.csv").read_text()))
    return import_refused("hubspot", str(export), "--stage-map", str(FIXTURES / "hubspot" / "stage-map.csv"))[
        1
    ]


def copy_fixture(name: str, target: Path) -> Path:
    shutil.copytree(FIXTURES / name, target / name)
    return target / name


def database_state() -> dict:
    """Everything an import writes, to compare before and after."""
    return {
        "accounts": sorted(Account.objects.values_list("source", "external_id", "name", "industry")),
        "deals": sorted(
            Deal.objects.values_list(
                "source", "external_id", "name", "amount", "owner__username", "current_stage__slug"
            )
        ),
        "history": sorted(StageChange.objects.values_list("deal__external_id", "stage__slug", "entered_at")),
        "usage": sorted(UsageEvent.objects.values_list("event_id", "stage__slug")),
    }


def counts_line(output: str, name: str) -> list[int]:
    """[created, updated, unchanged, rejected] from the command's table."""
    for line in output.splitlines():
        if line.startswith(name + " "):
            return [int(x) for x in line[len(name) :].split()]
    raise AssertionError(f"no counts for {name} in:\n{output}")


def damage_zip_member(data: bytes, member: str) -> bytes:
    """Flip a byte of a stored member's data: its CRC no longer matches, which only reading finds."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        info = archive.getinfo(member)
    assert info.compress_type == zipfile.ZIP_STORED
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    damaged = bytearray(data)
    damaged[start + info.file_size - 2] ^= 0xFF
    return bytes(damaged)


def native_zip(**replace: str) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in (FIXTURES / "native").glob("*.csv"):
            text = path.read_text()
            for old, new in replace.items():
                text = text.replace(old, new)
            archive.writestr(path.name, text)
    return SimpleUploadedFile("crm-export.zip", buffer.getvalue(), content_type="application/zip")


def upload(client, file: SimpleUploadedFile, **options: str):
    return client.post(
        reverse("admin:enablement_importrun_add"), {"format": "native", "file": file, **options}, follow=True
    )
