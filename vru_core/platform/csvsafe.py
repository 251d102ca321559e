"""CSV for spreadsheets: text that a spreadsheet would run as a formula is written as plain text.

A cell such as `=HYPERLINK("http://evil", "click")` typed into a form or an imported file would
otherwise become a live formula when a colleague opens the export in Excel or LibreOffice
(CSV injection). Prefixing a single quote is the usual remedy: spreadsheets show the text as typed.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")


def escape_cell(value: Any) -> Any:
    """Only text is touched; numbers (including negative ones) stay numbers."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def escape_line(text: str) -> str:
    """A free-text line written raw into a CSV (e.g. a '# ' note): a comma inside it starts a new cell,
    so every comma-separated piece a spreadsheet would run is escaped as if it were a cell."""
    return ",".join(escape_cell(piece) for piece in text.split(","))


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
