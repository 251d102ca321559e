"""CSV exports never hand a spreadsheet a live formula."""

import io

import pandas as pd
import pytest

from vru_core.platform.csvsafe import escape_cell, escape_line, safe_csv


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("http://evil","x")', '\'=HYPERLINK("http://evil","x")'),
        ("+44 20 7983 4000", "'+44 20 7983 4000"),
        ("-1+2", "'-1+2"),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("Youth mentoring", "Youth mentoring"),
        ("a=b", "a=b"),
        ("", ""),
        (-5, -5),
        (12.5, 12.5),
        (None, None),
    ],
)
def test_escape_cell(value, expected):
    assert escape_cell(value) == expected


def test_safe_csv_keeps_numbers_and_escapes_text_and_headers():
    frame = pd.DataFrame({"title": ["=cmd|' /C calc'!A0", "plain"], "amount": [-100.5, 2000], "=x": ["a", "b"]})
    text = safe_csv(frame).decode("utf-8-sig")
    back = pd.read_csv(io.StringIO(text))
    assert back["title"].tolist() == ["'=cmd|' /C calc'!A0", "plain"]
    assert back["amount"].tolist() == [-100.5, 2000]
    assert "'=x" in back.columns
    assert safe_csv(frame).startswith("\ufeff".encode())


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("label: plain text", "label: plain text"),
        ("note,=cmd|' /C calc'!A0", "note,'=cmd|' /C calc'!A0"),
        ("a,+1,b,@x,-2", "a,'+1,b,'@x,'-2"),
        ("=starts the line", "'=starts the line"),
        ("a, =spaced", "a,' =spaced"),  # a spreadsheet may trim the space and run it
        ('a,"=x,y",b', 'a,"\'=x,y",b'),  # quoted: one cell, as a spreadsheet reads it
    ],
)
def test_escape_line_treats_each_comma_piece_as_a_cell(line, expected):
    assert escape_line(line) == expected
