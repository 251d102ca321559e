"""Rule 5: every CSV export is formula-safe, including indicator values and the '# ' header lines of the
ranked need-score CSV (each header cell escaped after splitting the line as a spreadsheet would).

Hostile text goes in through every field a person can type (award, recipient, measure label, source
and period, indicator source and note, funding stream, priority area, audit note); every export is then
read back the way a spreadsheet reads it, and no cell may start a formula. The 360Giving CSV is the one
exception (the standard wants values verbatim; see its own tests).
"""

from __future__ import annotations

import csv
import io
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.factories import sample_award
from vru_core.framework import entered, structure
from vru_core.framework.indicators import build_overview, values_export
from vru_core.needs.measures import add_measure, load_measure_frame
from vru_core.needs.scoring import Profile, ranked_csv, score
from vru_core.platform.audit import log_csv, query_log, record
from vru_core.platform.auth import Actor, Role
from vru_core.platform.csvsafe import FORMULA_TRIGGERS, escape_line, safe_csv
from vru_core.platform.db import session_scope
from vru_core.register import lifecycle, query

ADMIN = Actor("csv-admin", Role.ADMIN)
FORMULAS = [
    '=HYPERLINK("http://evil.invalid","click")',
    "+1+1",
    "-2+3",
    "@SUM(A1:A9)",
    " =1+1",
    "\t=1",
    "＝1+1",
    "note,\"=cmd|' /C calc'!A0\",x",
]
REPO = Path(__file__).resolve().parents[2]


def _runs(cell: str) -> bool:
    if not cell.lstrip(" ").startswith(FORMULA_TRIGGERS):
        return False
    try:
        float(cell)
    except ValueError:
        return True
    return False  # a plain negative number is a number


def _cells(text: str) -> list[str]:
    """Every cell as a spreadsheet splits the file: commas, honouring quotes, header lines included."""
    return [cell for row in csv.reader(io.StringIO(text.lstrip("\ufeff"))) for cell in row]


@pytest.fixture
def hostile(engine):
    """One hostile string in every field a person can type that some export carries."""
    for i, text in enumerate(FORMULAS):
        lifecycle.create_award(
            engine=engine,
            actor=ADMIN,
            data=sample_award(
                engine,
                title=text,
                description=text,
                recipient_org_id=f"GB-CHC-11{i:05d}",
                charity_number=f"11{i:05d}",
                recipient_name=f"{text} Trust",
            ),
        )
    frame = load_measure_frame(engine)
    values = "area_code,value\n" + "".join(f"{c},{n}\n" for n, c in enumerate(frame.wards.index))
    definition = {
        "code": "hostile_measure",
        "label": FORMULAS[0],
        "family": "other",
        "unit": "%",
        "direction": "high_is_worse",
        "geography": "ward",
        "source": FORMULAS[-1],
        "publisher": "=publisher()",
        "period": "+2026",
        "licence": "@licence",
    }
    add_measure(engine=engine, actor=ADMIN, definition=definition, data=values.encode())
    row = {"indicator_code": "adult_reoffending_rate", "period": "2025-03", "value": "25.5"}
    entered.save_values(
        engine=engine, actor=ADMIN, rows=[{**row, "source": FORMULAS[1], "source_date": "2026-01-29", "note": "=x"}]
    )
    structure.save_funding_stream(
        engine=engine, actor=ADMIN, code="vru_core_budget", name="=stream()", notes="", active=True, version=1
    )
    structure.update_priority_area(
        engine=engine, actor=ADMIN, code="after_school", version=1, title="@area", objective_number=5
    )
    with session_scope(engine) as session:
        record(session, actor=ADMIN, action="note", entity_type="award", entity_id=1, note=FORMULAS[2])
    return engine


def _cli_ranked(engine, tmp_path) -> str:
    out = tmp_path / "ranked.csv"
    env = {"VRU_DATABASE_URL": engine.url.render_as_string(hide_password=False), "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [sys.executable, "-m", "vru_core.needs.cli", "--out", str(out)], cwd=REPO, env=env, capture_output=True
    )
    assert done.returncode == 0, done.stderr
    return out.read_text()


EXPORTS: list[tuple[str, Callable]] = [
    ("register-rows-shown", lambda e, t: query.display_csv(query.load_register(e).awards).decode("utf-8-sig")),
    (
        "register-for-editing",
        lambda e, t: safe_csv(query.editing_frame(query.load_register(e), query.load_register(e).awards)).decode(),
    ),
    ("audit-log", lambda e, t: log_csv(query_log(engine=e, actor=ADMIN)).decode("utf-8-sig")),
    ("indicator-values", lambda e, t: safe_csv(values_export(build_overview(e))).decode("utf-8-sig")),
    ("ranked-need-scores", lambda e, t: ranked_csv(score(load_measure_frame(e), Profile()))),
    ("ranked-need-scores-command-line", _cli_ranked),
]


@pytest.mark.parametrize(("export", "build"), EXPORTS, ids=[e[0] for e in EXPORTS])
def test_no_cell_of_any_export_runs_as_a_formula(hostile, tmp_path, export, build):
    if hostile.dialect.name != "sqlite" and export == "ranked-need-scores-command-line":
        pytest.skip("the command line's store is the default; its CSV is the same function as the row above")
    text = build(hostile, tmp_path)
    running = [c for c in _cells(text) if _runs(c)]
    assert not running, f"{export}: a spreadsheet would run {running[:3]}"
    assert any(f"'{t}" in text for t in "=+-@")  # the hostile text is there, escaped


def test_the_ranked_csv_header_lines_still_read_back_with_comment_marks(hostile):
    text = ranked_csv(score(load_measure_frame(hostile), Profile()))
    header = [line for line in text.splitlines() if line.startswith("#")]
    assert header and all(line.startswith("# ") for line in header)
    assert any("hostile_measure" in line for line in header)
    import pandas as pd

    table = pd.read_csv(io.StringIO(text), comment="#")
    assert len(table) == 704 and "hostile_measure" in table.columns


@pytest.mark.parametrize(
    "line",
    [
        "# source " + FORMULAS[-1],
        '# a,"=b,c",d',
        "# plain, =spaced, +1",
        '# say "hi", =x',
        "# line\nbreak,=y",
    ],
)
def test_a_header_line_is_split_the_way_a_spreadsheet_splits_it(line):
    escaped = escape_line(line)
    assert escaped.startswith("#") and "\n" not in escaped
    assert not [c for c in _cells(escaped) if _runs(c)]


def test_no_export_writes_csv_without_the_escaper():
    """Structural: a new CSV written straight from pandas or csv.writer in app code would bypass csvsafe."""
    allowed = {
        "vru_core/platform/csvsafe.py",
        "vru_core/register/export_360.py",
        "vru_core/register/examples.py",
        "vru_core/register/export_flat.py",  # the 360Giving CSV carries values verbatim (issue 12); its XLSX is typed
        "vru_core/register/orgid_list.py",  # writes the org-id prefix list into the data folder, not an export
    }
    offenders = []
    for folder in ("vru_core", "app_pages", "ui"):
        for path in (REPO / folder).rglob("*.py"):
            rel = path.relative_to(REPO).as_posix()
            text = path.read_text()
            if rel not in allowed and re.search(r"\.to_csv\(|csv\.writer\(|csv\.DictWriter\(", text):
                if rel == "vru_core/needs/explain.py" and "escape_frame(ranked_table" in text:
                    continue
                offenders.append(rel)
    assert not offenders, f"CSV written without vru_core.platform.csvsafe in {offenders}"
