"""Hypothesis strategies for malformed CRM exports: CSVs whose rows are mostly plausible, with broken
cells (garbage, bad dates, weird unicode, NUL), missing, extra or repeated columns, ragged rows, bad
bytes and odd line endings; and zips with a flipped byte in a member or cut short.

Plausible rows matter: a file of pure garbage is refused at the first row and never reaches the
writers, where the database gets its say.
"""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import datetime, timedelta, timezone

from hypothesis import strategies as st

EMAILS = ["ana@example.com", "ben@example.com", "Dana Whitfield (dana@example.com)", ""]
DATES = [
    "2025-01-10T09:00:00Z",
    "2025-02-01",
    "2025-02-15T12:30:00+01:00",
    "2024-01-22T16:14:25.000+0000",
    "2018-10-13 17:16:45",
]
EDGES = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "\ufeff",
    "\u2028",
    "\ud7ff\ue000\ufffe\uffff",
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 ☃",
    "ß" * 3,
    "x" * 300,
    '"',
    "'; DROP TABLE deals; --",
    '=HYPERLINK("http://x")',
    "0001-01-01T00:00:00+05:00",
    "9999-12-31T23:00:00-05:00",
    "0001-01-01",
    "1899-12-31T23:00:00-05:00",
    "2200-12-31T23:59:59-23:59",
    "2025-02-30",
    "10/02/2025",
    "-1",
    "1e20",
    "1e999999999",
    "99999999999999.999",
    "2147483648",
    "NaN",
    "sNaN",
    "-0",
    "Infinity",
    "1,2,3",
    "one-pager",
    "ROI calculator",
    "In review",
    "PRESENTED",
    "not an email",
    "@",
    "a@" + "b" * 250 + ".com",
    "a" * 160 + "@example.com",
    "http://" + "x" * 600 + ".com",
    "https://tools.example.com/roi",
    "slug with spaces",
    "Discovery",
    "closed-won",
    "1",
    "0",
    "true",
]


def _iso(moment: datetime) -> str:
    return moment.isoformat()


offsets = st.timedeltas(min_value=-timedelta(hours=23, minutes=59), max_value=timedelta(hours=23, minutes=59))
any_datetime = st.builds(
    lambda moment, offset, aware: moment.replace(tzinfo=timezone(offset)) if aware else moment,
    st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31, 23, 59, 59)),
    offsets,
    st.booleans(),
).map(_iso)

# Dates at and past the edges: year 1 or 9999 with an offset overflows when turned into UTC.
edge_dates = st.builds(
    "{:04d}-{}{}".format,
    st.sampled_from([1, 2, 1899, 1900, 2200, 2201, 9999]),
    st.sampled_from(["01-01T00:00:00", "12-31T23:00:00", "01-01", "12-31 23:59:59"]),
    st.sampled_from(["", "Z", "+05:00", "-05:00", "+0000", "-23:59"]),
)
garbage = st.one_of(
    st.sampled_from(EDGES),
    st.text(max_size=12),  # any code point but surrogates: control characters and NUL included
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.floats().map(str),
    st.decimals(allow_nan=True).map(str),
    any_datetime,
    st.dates().map(str),
)


@st.composite
def csv_bytes(draw, columns: dict[str, list[str]], *, max_rows: int = 5) -> bytes:
    """A CSV with `columns` (name: plausible values), mostly plausible rows, and a few breakages."""
    header = list(columns)
    if header and draw(st.integers(0, 9)) == 0:
        header.remove(draw(st.sampled_from(header)))  # a missing column
    if draw(st.integers(0, 9)) == 0:
        header.append(
            draw(st.sampled_from([*header, "extra", "", "Extra column"]))
        )  # an extra or repeated one
    header = draw(st.permutations(header))
    rows = [header]
    for _ in range(draw(st.integers(0, max_rows))):
        row = [draw(st.sampled_from(columns.get(name) or EDGES)) for name in header]
        for index in draw(st.lists(st.integers(0, max(len(row) - 1, 0)), max_size=2)) if row else []:
            dates = columns.get(header[index]) and set(columns[header[index]]) & set(DATES)
            row[index] = draw(st.one_of(edge_dates, garbage) if dates else garbage)
        shape = draw(st.integers(0, 14))
        if shape == 0 and row:
            row.pop()  # a ragged row
        elif shape == 1:
            row.append(draw(garbage))
        rows.append(row)
    text = io.StringIO()
    csv.writer(text, lineterminator=draw(st.sampled_from(["\r\n", "\n", "\r"]))).writerows(rows)
    return _mangle(draw, text.getvalue().encode("utf-8"))


def _mangle(draw, data: bytes) -> bytes:
    how = draw(st.integers(0, 11))
    if how == 0:
        return b"\xef\xbb\xbf" + data  # a byte-order mark
    if how == 1:
        at = draw(st.integers(0, len(data)))
        return data[:at] + draw(st.binary(min_size=1, max_size=4)) + data[at:]  # stray bytes
    if how == 2:
        return data[: draw(st.integers(0, len(data)))]  # cut short
    if how == 3:
        return data.decode("utf-8").encode("latin-1", "replace")  # another encoding
    return data


@st.composite
def zip_bytes(draw, files: dict[str, bytes]) -> bytes:
    """A zip of `files` in a folder, sometimes with a flipped byte in a stored member (its CRC no
    longer matches) or cut short."""
    stored = draw(st.booleans())
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(zipfile.ZipInfo(f"export/{name}", (2025, 1, 1, 0, 0, 0)), data)
        infos = archive.infolist()
    data = bytearray(buffer.getvalue())
    damage = draw(st.integers(0, 3))
    members = [i for i in infos if i.file_size]
    if damage == 0 and stored and members:
        member = draw(st.sampled_from(members))
        # A stored member's bytes follow its 30-byte local header, its name and its extra field.
        start = member.header_offset + 30 + len(member.filename.encode()) + len(member.extra)
        data[start + draw(st.integers(0, member.file_size - 1))] ^= 0xFF
    elif damage == 1:
        data = data[: draw(st.integers(0, len(data) - 1))]
    return bytes(data)
