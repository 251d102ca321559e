"""The rules every input shares: uploaded CSV files, text, numbers and dates. One place for each rule.

A refusal is a `Problem` naming the file line (header = row 1) and the field, never a traceback:
- files: a size limit, UTF-8 (a UTF-16 file with its byte-order mark is read as such; anything else,
  e.g. Latin-1, is refused with the line of the first bad byte), no NUL characters (PostgreSQL cannot
  store them), cells within the csv module's limit, any line ending (CRLF, LF or a bare CR), a header
  with each name once, and blank lines skipped without shifting the numbers of later rows;
- text: no NUL characters, a length limit;
- numbers: plain ASCII decimals (no `1_000`, no full-width digits, no thousands separators, finite);
- dates: YYYY-MM-DD, a real day, from 1990 to ten years ahead.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import math
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from vru_core.platform.errors import Problem

EARLIEST_DATE = dt.date(1990, 1, 1)
YEARS_AHEAD = 10
_ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
_PLAIN_NUMBER = re.compile(r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$")
NUL_MESSAGE = "contains a NUL character (byte 0), which cannot be stored: remove it"


# ---- single values -----------------------------------------------------------------------------------


# Control characters other than NUL (said on its own), tab and line breaks: no spreadsheet cell or XML holds them.
_CONTROL = re.compile(r"[\x01-\x08\x0b\x0c\x0e-\x1f]")


def check_text(value: object, *, required: bool = True, max_length: int = 2000) -> tuple[str, str | None]:
    """(the trimmed text, a problem or None)."""
    text = "" if value is None else str(value).strip()
    if "\x00" in text:
        return text.replace("\x00", ""), NUL_MESSAGE
    if _CONTROL.search(text):
        return text, "contains a control character (often pasted by accident) that spreadsheets cannot hold"
    if required and not text:
        return text, "required: this cannot be blank"
    if len(text) > max_length:
        return text, f"too long: {len(text):,} characters, at most {max_length:,}"
    return text, None


def latest_date(today: dt.date | None = None) -> dt.date:
    today = today or dt.date.today()
    try:
        return today.replace(year=today.year + YEARS_AHEAD)
    except ValueError:  # 29 February
        return today.replace(year=today.year + YEARS_AHEAD, day=28)


def date_in_range(value: dt.date) -> str | None:
    """A date outside 1990 .. ten years ahead is almost always a typo (2062 for 2026, 0202)."""
    if value < EARLIEST_DATE:
        return f"{value.isoformat()} is before {EARLIEST_DATE.year}: check the year"
    if value > latest_date():
        return f"{value.isoformat()} is more than {YEARS_AHEAD} years ahead: check the year"
    return None


def parse_iso_date(raw: object) -> tuple[dt.date | None, str | None]:
    """YYYY-MM-DD in ASCII digits, a real calendar day (date objects pass through)."""
    if isinstance(raw, dt.datetime):
        return raw.date(), None
    if isinstance(raw, dt.date):
        return raw, None
    text = "" if raw is None else str(raw).strip()
    if not _ISO_DATE.match(text):
        return None, f"{text!r} is not a date in YYYY-MM-DD form (e.g. 2026-04-01)"
    try:
        return dt.date.fromisoformat(text), None
    except ValueError:
        return None, f"{text!r} is not a real calendar date"


def parse_number(raw: object) -> tuple[float | None, str | None]:
    """A finite number written plainly: 12, -3.5, 1e6. Refuses 1_000, ４５, 1,200, 45k, NaN, inf."""
    if isinstance(raw, bool):
        return None, f"{raw!r} is not a number"
    if isinstance(raw, (int, float, Decimal)):
        value = float(raw)
    else:
        text = "" if raw is None else str(raw).strip()
        if not _PLAIN_NUMBER.match(text):
            if text.lower().lstrip("+-") in ("nan", "inf", "infinity"):
                return None, f"{text!r} is not a finite number"
            return None, (
                f"{text!r} is not a number: write plain digits such as 1200 or 27.5 "
                "(no thousands separators, underscores, units or non-ASCII digits)"
            )
        try:
            value = float(Decimal(text))
        except (InvalidOperation, OverflowError):
            return None, f"{text!r} is not a number"
    if not math.isfinite(value):
        return None, f"{raw!r} is not a finite number"
    return value, None


# ---- files --------------------------------------------------------------------------------------------


@dataclass
class CsvTable:
    """An uploaded CSV: the header (names trimmed and lower-cased), the non-blank rows with their file line
    numbers, and every problem found reading it. `ok` is False when the file could not be read at all."""

    header: list[str] = field(default_factory=list)
    rows: list[tuple[int, list[str]]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    ok: bool = True

    def records(self) -> list[tuple[int, dict[str, str | None]]]:
        """Rows as {column: cell}; a missing trailing cell is None."""
        return [
            (line, {name: (cells[i] if i < len(cells) else None) for i, name in enumerate(self.header)})
            for line, cells in self.rows
        ]


def _refused(problem: Problem) -> CsvTable:
    return CsvTable(problems=[problem], ok=False)


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + data.count(b"\r", 0, offset) - data.count(b"\r\n", 0, offset) + 1


def decode(data: bytes) -> tuple[str | None, Problem | None]:
    """UTF-8 (with or without its byte-order mark) or UTF-16 with one; anything else is refused clearly."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), None
        except UnicodeDecodeError as exc:
            return None, Problem(1, "file", f"looks like UTF-16 but is damaged at byte {exc.start}")
    looks_le = data[1:4:2] == b"\x00\x00" and data[0] and data[2]
    looks_be = data[0:4:2] == b"\x00\x00" and data[1] and data[3]
    if len(data) >= 4 and (looks_le or looks_be):
        return None, Problem(
            1, "file", "looks like UTF-16 without a byte-order mark: save the spreadsheet as 'CSV UTF-8'"
        )
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        line = _line_of(data, exc.start)
        byte = data[exc.start]
        return None, Problem(
            line,
            "file",
            f"not UTF-8 text (byte 0x{byte:02X} at byte {exc.start}; the file looks like Latin-1 or Windows-1252): "
            "save the spreadsheet as 'CSV UTF-8' and upload it again",
        )


def read_csv_upload(
    content: bytes | str, *, max_bytes: int, required: tuple[str, ...] = (), known: tuple[str, ...] | None = None
) -> CsvTable:
    """Read an uploaded CSV under every rule in this module's docstring.

    `required` columns must be in the header; with `known`, any other column is a problem too."""
    data = content.encode("utf-8") if isinstance(content, str) else bytes(content)
    if len(data) > max_bytes:
        return _refused(
            Problem(
                None,
                "file",
                f"is {len(data) / 1024 / 1024:.1f} MB; the limit is {max_bytes / 1024 / 1024:.0f} MB: split the file",
            )
        )
    if not data.strip():
        return _refused(Problem(1, "file", "the file is empty: start from the template"))
    text, problem = decode(data)
    if problem is not None or text is None:
        return _refused(problem or Problem(1, "file", "cannot be read"))
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        return _refused(Problem(line, "file", NUL_MESSAGE))
    reader = csv.reader(io.StringIO(text, newline=""))
    table = CsvTable()
    try:
        raw_header = next(reader, None) or []
        table.header = [h.strip().lower() for h in raw_header]
        if not any(table.header):
            return _refused(Problem(1, "file", "the first line is blank: it must hold the column names"))
        seen: set[str] = set()
        for name in table.header:
            if name in seen:
                table.problems.append(Problem(1, name or "(blank)", "appears twice in the header: keep one"))
            seen.add(name)
        table.problems += [
            Problem(1, c, "required column is missing from the header") for c in required if c not in seen
        ]
        if known is not None:
            table.problems += [
                Problem(1, c or "(blank)", f"unknown column; the columns are: {', '.join(known)}")
                for c in table.header
                if c not in known
            ]
        start = reader.line_num + 1
        for cells in reader:
            line, start = start, reader.line_num + 1  # a quoted newline makes one record span lines
            if any(cell.strip() for cell in cells):
                table.rows.append((line, cells))
    except csv.Error as exc:
        limit = csv.field_size_limit()
        return _refused(
            Problem(
                reader.line_num,
                "file",
                f"cannot be read as CSV ({exc}): a cell may be longer than {limit:,} characters, or a quote not closed",
            )
        )
    if any(p.row == 1 for p in table.problems):
        table.ok = False
    return table
