"""The 360Giving grants as one flat table with the standard's column titles: a CSV and a spreadsheet (XLSX).

These are data-interchange files for 360Giving's converter (flattentool) and GrantNav, so every value
is written exactly as stored, with no formula escaping: the CSV is plain text, and the XLSX types every
text cell as text (a title such as `=SUM(A1)` is a string cell, never a formula) and every amount as
a number. Both convert back to the JSON export grant for grant (tests/register/test_register_roundtrip.py).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import IO

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from sqlalchemy import Engine

from vru_core.register.export_360 import grants

Path = tuple  # keys and list positions into a grant, e.g. ("recipientOrganization", 0, "id")

# (column title, path); titles are the schema's titles joined by ':' as 360Giving's templates use them.
RECIPIENT = "Recipient Org"
BASE_COLUMNS: list[tuple[str, Path]] = [
    ("Identifier", ("id",)),
    ("Title", ("title",)),
    ("Description", ("description",)),
    ("Currency", ("currency",)),
    ("Amount Awarded", ("amountAwarded",)),
    ("Amount Disbursed", ("amountDisbursed",)),
    ("Award Date", ("awardDate",)),
    ("Planned Dates:Start Date", ("plannedDates", 0, "startDate")),
    ("Planned Dates:End Date", ("plannedDates", 0, "endDate")),
    (f"{RECIPIENT}:Identifier", ("recipientOrganization", 0, "id")),
    (f"{RECIPIENT}:Name", ("recipientOrganization", 0, "name")),
    (f"{RECIPIENT}:Charity Number", ("recipientOrganization", 0, "charityNumber")),
    (f"{RECIPIENT}:Company Number", ("recipientOrganization", 0, "companyNumber")),
    (f"{RECIPIENT}:Postal Code", ("recipientOrganization", 0, "postalCode")),
    (f"{RECIPIENT}:Organisation Type", ("recipientOrganization", 0, "organisationType")),
    (f"{RECIPIENT}:Location:0:Name", ("recipientOrganization", 0, "location", 0, "name")),
    (f"{RECIPIENT}:Location:0:Country Code", ("recipientOrganization", 0, "location", 0, "countryCode")),
    (f"{RECIPIENT}:Location:0:Geographic Code", ("recipientOrganization", 0, "location", 0, "geoCode")),
    (f"{RECIPIENT}:Location:0:Geographic Code Type", ("recipientOrganization", 0, "location", 0, "geoCodeType")),
    ("Funding Org:Identifier", ("fundingOrganization", 0, "id")),
    ("Funding Org:Name", ("fundingOrganization", 0, "name")),
    ("Funding Org:Department", ("fundingOrganization", 0, "department")),
    ("Grant Programme:Code", ("grantProgramme", 0, "code")),
    ("Grant Programme:Title", ("grantProgramme", 0, "title")),
    ("Location Scope", ("locationScope",)),
    ("For Regrant Type", ("regrantType",)),
    ("Data Source", ("dataSource",)),
    ("Last Modified", ("dateModified",)),
]
LOCATION_FIELDS = [("Name", "name"), ("Country Code", "countryCode"), ("Geographic Code", "geoCode"),
                   ("Geographic Code Type", "geoCodeType")]  # fmt: skip
CLASSIFICATION_FIELDS = [("Vocabulary", "vocabulary"), ("Code", "code"), ("Title", "title")]
SHEET = "grants"  # the sheet name 360Giving's templates and converter use


def _get(grant: dict, path: Path):
    value = grant
    try:
        for step in path:
            value = value[step]
    except (KeyError, IndexError):
        return None
    return value


def flat_table(grant_list: list[dict]) -> tuple[list[str], list[list]]:
    """Header and rows of raw values (text, numbers, None for an empty cell), repeated items numbered from 0."""
    n_loc = max((len(g["beneficiaryLocation"]) for g in grant_list), default=1)
    n_cls = max((len(g["classifications"]) for g in grant_list), default=0)
    header = [title for title, _ in BASE_COLUMNS]
    header += [f"Beneficiary Location:{i}:{t}" for i in range(n_loc) for t, _ in LOCATION_FIELDS]
    header += [f"Classifications:{i}:{t}" for i in range(n_cls) for t, _ in CLASSIFICATION_FIELDS]
    memo: dict[int, list] = {}  # shared location/classification lists (see export_360.grants): cells built once

    def cells(items: list[dict], n: int, fields) -> list:
        key = id(items)
        if key not in memo:
            memo[key] = [items[i].get(k) if i < len(items) else None for i in range(n) for _, k in fields]
        return memo[key]

    rows = []
    for g in grant_list:
        row = [_get(g, path) for _, path in BASE_COLUMNS]
        row += cells(g["beneficiaryLocation"], n_loc, LOCATION_FIELDS)
        row += cells(g["classifications"], n_cls, CLASSIFICATION_FIELDS)
        rows.append(row)
    return header, rows


def _text(value) -> str:
    return "" if value is None else str(value)


def write_csv(engine: Engine, out: IO[str], **kwargs) -> int:
    """The flat table as CSV, every value verbatim (a data-interchange file, not for opening in Excel)."""
    header, rows = flat_table(grants(engine, **kwargs))
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([_text(v) for v in row] for row in rows)
    return len(rows)


def _xlsx_rows(ws, header: list[str], rows: Iterable[list]) -> Iterable[list]:
    """Rows for a write-only sheet: numbers stay numbers and text stays text. openpyxl would read a string
    starting with '=' as a formula, so that one is handed over as a cell typed as a string; characters XML
    cannot hold are dropped (validation refuses them on entry, so only rows stored before that have any)."""
    bold = Font(bold=True)

    def text_cell(value: str) -> WriteOnlyCell:
        cell = WriteOnlyCell(ws, value=value)
        cell.data_type = "s"  # after the value: openpyxl sets the type from the value
        return cell

    def convert(value):
        if isinstance(value, str):
            if ILLEGAL_CHARACTERS_RE.search(value):
                value = ILLEGAL_CHARACTERS_RE.sub("", value)
            if value.startswith("="):
                return text_cell(value)
        return value

    titles = []
    for title in header:
        cell = text_cell(title)
        cell.font = bold
        titles.append(cell)
    yield titles
    for row in rows:
        yield [convert(v) for v in row]


def write_xlsx(engine: Engine, out: IO[bytes], **kwargs) -> int:
    """The flat table as a spreadsheet: one 'grants' sheet, header row frozen."""
    header, rows = flat_table(grants(engine, **kwargs))
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(SHEET)
    ws.freeze_panes = "A2"
    for line in _xlsx_rows(ws, header, rows):
        ws.append(line)
    wb.save(out)
    return len(rows)


def to_csv_bytes(engine: Engine, **kwargs) -> bytes:
    buffer = io.StringIO()
    write_csv(engine, buffer, **kwargs)
    return buffer.getvalue().encode("utf-8-sig")  # BOM: spreadsheet programs then read UTF-8 names correctly


def to_xlsx_bytes(engine: Engine, **kwargs) -> bytes:
    buffer = io.BytesIO()
    write_xlsx(engine, buffer, **kwargs)
    return buffer.getvalue()
