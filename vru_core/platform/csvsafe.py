"""CSV for spreadsheets: text that a spreadsheet would run as a formula is written as plain text.

A cell such as `=HYPERLINK("http://evil", "click")` typed into a form or an imported file would
otherwise become a live formula when a colleague opens the export in Excel or LibreOffice
(CSV injection). Prefixing a single quote is the usual remedy: spreadsheets show the text as typed.
A cell counts as a formula when, after any leading spaces, it starts with = + - @ (or their
full-width forms), a tab or a line break. Every CSV the app writes goes through here, except the
360Giving file, which the standard wants verbatim (vru_core.register.export_360).
"""

from __future__ import annotations

import csv
import io
from typing import Any

import pandas as pd

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")


def runs_as_formula(text: str) -> bool:
    return text.lstrip(" ").startswith(FORMULA_TRIGGERS)


def escape_cell(value: Any) -> Any:
    """Only text is touched; numbers (including negative ones) stay numbers."""
    if isinstance(value, str) and runs_as_formula(value):
        return "'" + value
    return value


def unescape_cell(value: Any) -> Any:
    """The inverse, for a file exported here and imported again: `'=x` comes back as `=x`."""
    if isinstance(value, str) and value.startswith("'") and runs_as_formula(value[1:]):
        return value[1:]
    return value


def escape_line(text: str) -> str:
    """A free-text line written raw into a CSV (e.g. a '# ' note above the table).

    The line is split into cells the way a spreadsheet splits it (commas, honouring quotes), each cell
    is escaped as above, and the cells are written back as CSV, so no piece of the line can become a
    live formula. The first cell keeps no double quote, so a line starting '# ' still starts with '#'
    (pandas' comment='#' keeps skipping it)."""
    flat = " ".join(str(text).splitlines())
    cells = next(csv.reader([flat]), [""]) or [""]
    cells[0] = cells[0].replace('"', "'")
    out = io.StringIO()
    csv.writer(out, lineterminator="").writerow([escape_cell(c) for c in cells])
    return out.getvalue()


def escape_frame(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(escape_cell)
    out.columns = [escape_cell(str(c)) for c in out.columns]
    return out


def safe_csv(frame: pd.DataFrame, *, index: bool = False) -> bytes:
    """UTF-8 with a byte-order mark, so Excel reads accents and £ correctly."""
    return escape_frame(frame).to_csv(index=index).encode("utf-8-sig")
