"""Bad input, one table: every malformed file or field is refused with its row and field, and the store is unchanged.

Each row of REFUSED names what is sent, and the messages that must come back; the test proves the
whole store (a checksum of every table) is exactly as before. Rows of STORED_AS_TEXT are hostile
text that is valid data: it must be kept verbatim, never rendered as HTML, never run as a formula.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.factories import approve, sample_award, sample_measure
from tests.pages.conftest import visible
from vru_core.needs.measures import MAX_UPLOAD_BYTES, add_measure, list_measures, load_measure_frame
from vru_core.needs.scoring import Profile, ranked_csv, score
from vru_core.platform.auth import Actor, Role
from vru_core.platform.backup import table_checksums
from vru_core.platform.errors import Invalid
from vru_core.register.importer import TEMPLATE_COLUMNS, import_csv

ANALYST = Actor("bad-input-analyst", Role.ANALYST)
APP = str(Path(__file__).resolve().parent.parent / "streamlit_app.py")

WARD_A, WARD_B = "E05014053", "E05013565"  # two real May 2022 wards
OLD_2014_WARD = "E05000026"  # Abbey (Barking and Dagenham), abolished in 2022
BOROUGH = "E09000002"


def measure(**changes) -> dict:
    return sample_measure(**{"code": "bad_input_measure", **changes})


def rows(*lines: str, header: str = "area_code,value") -> bytes:
    return ("\n".join([header, *lines]) + "\n").encode()


@dataclass(frozen=True)
class Case:
    id: str
    call: Callable  # engine -> None; must raise
    expect: list[str]  # substrings of the refusal: each names the row (line) and field
    error: type[Exception] = Invalid
    tags: tuple[str, ...] = field(default=())


def upload(data: bytes, **definition) -> Callable:
    return lambda engine: add_measure(engine=engine, actor=ANALYST, definition=measure(**definition), data=data)


REFUSED: list[Case] = [
    # -- the file itself
    Case(
        "utf16-without-mark",
        upload(rows(f"{WARD_A},1").decode().encode("utf-16-le")),
        ["row 1, file: looks like UTF-16"],
    ),
    Case(
        "latin1-encoding",
        upload(rows(f"{WARD_A},1,Café", header="area_code,value,note").decode().encode("latin-1")),
        ["row 2, file: not UTF-8 text (byte 0xE9", "Latin-1"],
    ),
    Case("empty-file", upload(b""), ["row 1, file: the file is empty"]),
    Case("only-blank-lines", upload(b"area_code,value\n\n\n\n"), ["file: has no values"]),
    Case(
        "missing-header",
        upload(f"{WARD_A},1\n{WARD_B},2\n".encode()),
        ["row 1, area_code: required column is missing", "row 1, value: required column is missing"],
    ),
    Case(
        "misnamed-header",
        upload(rows(f"{WARD_A},1", header="ward,amount")),
        ["row 1, area_code: required column is missing", "row 1, value: required column is missing"],
    ),
    Case(
        "too-large-50MB",
        upload(b"area_code,value\n" + b"E05014053,1\n" * (50 * 1024 * 1024 // 12)),
        [f"file: is 50.0 MB; the limit is {MAX_UPLOAD_BYTES / 1024 / 1024:.0f} MB"],
    ),
    # -- rows and cells
    Case(
        "row-with-extra-cells",
        upload(rows(f"{WARD_A},1,200", f"{WARD_B},2")),
        ["row 2, row: has 3 cells, the header has 2"],
    ),
    Case("row-with-too-few-cells", upload(rows(f"{WARD_A},1", WARD_B)), ["row 3, row: has 1 cells, the header has 2"]),
    Case(
        "blank-lines-keep-numbering",
        upload(rows(f"{WARD_A},1", "", "", "E05999999,2")),
        ["row 5, area_code: 'E05999999' is not a known ward code"],
    ),
    Case(
        "quoted-newline-then-bad-row",
        upload(rows(f'{WARD_A},1,"two\nlines"', "E05999999,2,x", header="area_code,value,note")),
        ["row 4, area_code: 'E05999999' is not a known ward code"],  # the file line: row 2 spans lines 2-3
    ),
    Case(
        "quoted-newline-inside-code",
        upload(rows(f'"{WARD_A}\nX",1')),
        ["row 2, area_code:", "is not a known ward code"],
    ),
    # -- codes
    Case(
        "unknown-ward-code",
        upload(rows(f"{WARD_A},1", "E05999999,2")),
        ["row 3, area_code: 'E05999999' is not a known ward"],
    ),
    Case(
        "old-2014-ward-code",
        upload(rows(f"{OLD_2014_WARD},1")),
        [f"row 2, area_code: '{OLD_2014_WARD}' is not a known ward"],
    ),
    Case(
        "ward-code-for-borough-measure",
        upload(rows(f"{WARD_A},1"), geography="borough"),
        [f"row 2, area_code: '{WARD_A}' is not a known borough code"],
    ),
    Case(
        "unknown-borough-code",
        upload(rows("E09999999,1"), geography="borough"),
        ["row 2, area_code: 'E09999999' is not a known borough code"],
    ),
    Case(
        "duplicate-area-code",
        upload(rows(f"{WARD_A},1", f"{WARD_B},2", f"{WARD_A},3")),
        [f"row 4, area_code: '{WARD_A}' already given on row 2"],
    ),
    Case(
        "duplicate-measure-code",
        upload(rows(f"{WARD_A},1"), code="crime_public_order_rate"),
        ["code: a measure 'crime_public_order_rate' already exists"],
    ),
    # -- numbers
    Case("value-text", upload(rows(f"{WARD_A},high")), ["row 2, value: 'high' is not a number"]),
    Case("value-with-unit", upload(rows(f"{WARD_A},45k")), ["row 2, value: '45k' is not a number"]),
    Case("value-thousands-separator", upload(rows(f'{WARD_A},"1,200"')), ["row 2, value: '1,200' is not a number"]),
    Case("value-currency", upload(rows(f"{WARD_A},£12")), ["row 2, value: '£12' is not a number"]),
    Case("value-nan", upload(rows(f"{WARD_A},NaN")), ["row 2, value: 'NaN' is not a finite number"]),
    Case("value-infinity", upload(rows(f"{WARD_A},inf")), ["row 2, value: 'inf' is not a finite number"]),
    Case(
        "every-problem-at-once",
        upload(rows("E05999999,x", f"{WARD_A},1", f"{WARD_A},nan")),
        ["row 2, area_code", "row 2, value", "row 4, area_code", "row 4, value"],
    ),
    # -- the definition's fields
    Case("missing-label", upload(rows(f"{WARD_A},1"), label="  "), ["label: is required"]),
    Case("bad-code", upload(rows(f"{WARD_A},1"), code="Bad Code!"), ["code: use 2-64 lower-case letters"]),
    Case("bad-direction", upload(rows(f"{WARD_A},1"), direction="up"), ["direction: must be one of"]),
    Case("bad-geography", upload(rows(f"{WARD_A},1"), geography="lsoa"), ["geography: must be one of"]),
    Case("negative-weight", upload(rows(f"{WARD_A},1"), default_weight=-1), ["default_weight: must be a number >= 0"]),
    Case(
        "nan-weight",
        upload(rows(f"{WARD_A},1"), default_weight=float("nan")),
        ["default_weight: must be a number >= 0"],
    ),
    Case("text-weight", upload(rows(f"{WARD_A},1"), default_weight="2"), ["default_weight: must be a number >= 0"]),
]

# ---- the award CSV import ---------------------------------------------------------------------------

COMMISSIONER = Actor("bad-input-commissioner", Role.COMMISSIONER)


def award_rows(*changes: dict, columns=TEMPLATE_COLUMNS, blank_lines_after: int = 0) -> Callable:
    """An import file: one valid award per entry in `changes`, each changed as given."""

    def build(engine) -> bytes:
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=list(columns), extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        for i, change in enumerate(changes, start=1):
            writer.writerow(
                {**sample_award(engine, title=f"Award {i}"), "identifier": f"360G-LondonVRU-BAD-{i}", **change}
            )
            if i == 1:
                out.write("\n" * blank_lines_after)
        return out.getvalue().encode()

    return build


def award_import(build: Callable, transform: Callable[[bytes], bytes] = lambda b: b) -> Callable:
    return lambda engine: import_csv(engine=engine, actor=COMMISSIONER, content=transform(build(engine)))


OK = {}
REFUSED += [
    Case(
        "award-utf16-without-mark",
        award_import(award_rows(OK), lambda b: b.decode().encode("utf-16-be")),
        ["row 1, file: looks like UTF-16"],
        Invalid,
    ),
    Case(
        "award-latin1",
        award_import(award_rows({"title": "Café project"}), lambda b: b.decode().encode("latin-1")),
        ["row 2, file: not UTF-8 text (byte 0xE9"],
        Invalid,
    ),
    Case("award-empty", award_import(lambda e: b""), ["row 1, file: the file is empty"], Invalid),
    Case(
        "award-missing-header",
        award_import(award_rows(OK), lambda b: b.split(b"\n", 1)[1]),
        ["row 1, title: required column is missing", "row 1, amount_awarded: required column is missing"],
        Invalid,
    ),
    Case(
        "award-missing-title-column",
        award_import(award_rows(OK, columns=[c for c in TEMPLATE_COLUMNS if c != "title"])),
        ["row 1, title: required column is missing from the header"],
        Invalid,
    ),
    Case(
        "award-extra-column",
        award_import(award_rows(OK), lambda b: b.replace(b"\n", b",colour\n", 1)),
        ["row 1, colour: unknown column"],
        Invalid,
    ),
    Case(
        "award-extra-cells",
        award_import(award_rows(OK, OK), lambda b: b.rstrip(b"\n") + b",surplus\n"),
        ["row 3, file: 1 more cells than the header has columns"],
        Invalid,
    ),
    Case(
        "award-blank-lines-keep-numbering",
        award_import(award_rows(OK, {"amount_awarded": "45k"}, blank_lines_after=2)),
        ["row 5, amount_awarded: '45k' is not a plain amount"],
        Invalid,
    ),
    Case(
        "award-quoted-newline-then-bad-row",
        award_import(award_rows({"description": "row one\nline two"}, {"areas": "E05999999"})),
        ["row 4, areas: unknown ward code 'E05999999'"],
        Invalid,
    ),
    Case(
        "award-50MB",
        award_import(award_rows(OK), lambda b: b + b"\n" * (50 * 1024 * 1024)),
        ["file: is 50.0 MB; the limit is 10 MB"],
        Invalid,
    ),
    Case(
        "award-unknown-ward",
        award_import(award_rows({"areas": "E05999999"})),
        ["row 2, areas: unknown ward code 'E05999999'"],
        Invalid,
    ),
    Case(
        "award-2014-ward",
        award_import(award_rows({"areas": OLD_2014_WARD})),
        [f"row 2, areas: unknown ward code '{OLD_2014_WARD}'"],
        Invalid,
    ),
    Case(
        "award-unknown-borough",
        award_import(award_rows({"geography_level": "borough", "areas": "E09999999"})),
        ["row 2, areas: unknown borough code 'E09999999'"],
        Invalid,
    ),
    Case(
        "award-amount-negative",
        award_import(award_rows({"amount_awarded": "-45000"})),
        ["row 2, amount_awarded: must be more than £0"],
        Invalid,
    ),
    Case(
        "award-amount-zero",
        award_import(award_rows({"amount_awarded": "0"})),
        ["row 2, amount_awarded: must be more than £0"],
        Invalid,
    ),
    Case(
        "award-amount-nan",
        award_import(award_rows({"amount_awarded": "NaN"})),
        ["row 2, amount_awarded: 'NaN' is not a plain amount"],
        Invalid,
    ),
    Case(
        "award-amount-text",
        award_import(award_rows({"amount_awarded": "forty-five thousand"})),
        ["row 2, amount_awarded: 'forty-five thousand' is not a plain amount"],
        Invalid,
    ),
    Case(
        "award-amount-45k",
        award_import(award_rows({"amount_awarded": "45k"})),
        ["row 2, amount_awarded: '45k' is not a plain amount"],
        Invalid,
    ),
    Case(
        "award-amount-thousands-separator",
        award_import(award_rows({"amount_awarded": "45,000"})),
        ["row 2, amount_awarded: '45,000' is not a plain amount"],
        Invalid,
    ),
    Case(
        "award-amount-pound-sign",
        award_import(award_rows({"amount_awarded": "£45000"})),
        ["row 2, amount_awarded: '£45000' is not a plain amount"],
        Invalid,
    ),
    Case(
        "award-date-wrong-format",
        award_import(award_rows({"award_date": "01/04/2026"})),
        ["row 2, award_date: '01/04/2026' is not a date in YYYY-MM-DD form"],
        Invalid,
    ),
    Case(
        "award-date-impossible",
        award_import(award_rows({"planned_start": "2025-02-30"})),
        ["row 2, planned_start: '2025-02-30' is not a real calendar date"],
        Invalid,
    ),
    Case(
        "award-end-before-start",
        award_import(award_rows({"planned_end": "2026-01-01"})),
        ["row 2, planned_end: ends 2026-01-01, before it starts 2026-05-01"],
        Invalid,
    ),
    Case(
        "award-duplicate-identifier",
        award_import(award_rows(OK, OK), lambda b: b.replace(b"BAD-2", b"BAD-1")),
        ["row 3, identifier:"],
        Invalid,
    ),
    Case("award-missing-title", award_import(award_rows({"title": " "})), ["row 2, title: required"], Invalid),
    Case(
        "award-bad-org-id",
        award_import(award_rows({"recipient_org_id": "12345"})),
        ["row 2, recipient_org_id: '12345' is not a 360Giving organisation identifier"],
        Invalid,
    ),
    Case(
        "award-bad-charity-number",
        award_import(award_rows({"charity_number": "12"})),
        ["row 2, charity_number: '12' is not a charity number"],
        Invalid,
    ),
    Case(
        "award-one-bad-row-of-many",
        award_import(award_rows(OK, OK, {"amount_awarded": "x"}, OK)),
        ["row 4, amount_awarded"],
        Invalid,
    ),
]

CASES_TRIED = len(REFUSED)  # + STORED_AS_TEXT below; README records the total


@pytest.mark.store
@pytest.mark.parametrize("case", REFUSED, ids=[c.id for c in REFUSED])
def test_refused_with_row_and_field_and_store_unchanged(engine, case):
    before = table_checksums(engine)
    with pytest.raises(case.error) as err:
        case.call(engine)
    message = str(err.value)
    for expected in case.expect:
        assert expected in message, f"{case.id}: {expected!r} not in {message!r}"
    assert table_checksums(engine) == before, f"{case.id} changed the store"


# ---- hostile text that is valid data ---------------------------------------------------------------

SCRIPT = "<script>alert('x')</script><img src=x onerror=alert(1)>"
FORMULAS = ['=HYPERLINK("http://example.invalid","click")', "+1+1", "-2+3", "@SUM(A1)", 'note,=cmd|"/c calc"!A0']

STORED_AS_TEXT = [
    ("html-in-label", {"label": SCRIPT}),
    ("html-in-source", {"source": SCRIPT, "notes": "<b>bold?</b> **markdown?**"}),
    *[(f"formula-in-label-{i}", {"label": f}) for i, f in enumerate(FORMULAS)],
]
CASES_TRIED += len(STORED_AS_TEXT)


def _dangerous_cells(text: str) -> list[str]:
    cells = [cell for row in csv.reader(io.StringIO(text)) for cell in row]
    return [c for c in cells if c[:1] in ("=", "+", "-", "@") and not _is_number(c)]


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


@pytest.mark.parametrize(("case_id", "fields"), STORED_AS_TEXT, ids=[c[0] for c in STORED_AS_TEXT])
def test_hostile_text_is_stored_verbatim_and_exported_inert(engine, case_id, fields):
    frame = load_measure_frame(engine)
    data = ("area_code,value\n" + "".join(f"{c},{i}\n" for i, c in enumerate(frame.wards.index))).encode()
    add_measure(engine=engine, actor=ANALYST, definition=measure(**fields), data=data)
    stored = list_measures(engine).loc["bad_input_measure"]
    for name, value in fields.items():
        assert stored[name] == value  # verbatim: nothing stripped, nothing "cleaned"
    result = score(load_measure_frame(engine), Profile())
    assert not _dangerous_cells(ranked_csv(result)), "a spreadsheet would run a cell of the ranked CSV"


def test_html_in_a_measure_is_shown_as_text_on_every_page_that_shows_it(engine, monkeypatch):
    if engine.dialect.name != "sqlite":
        pytest.skip("rendering does not depend on the backend")
    frame = load_measure_frame(engine)
    data = ("area_code,value\n" + "".join(f"{c},{i}\n" for i, c in enumerate(frame.wards.index))).encode()
    add_measure(engine=engine, actor=ANALYST, definition=measure(label=SCRIPT, source=SCRIPT), data=data)
    monkeypatch.setenv("VRU_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    for page in ("app_pages/need_scores.py", "app_pages/measures.py"):
        at = AppTest.from_file(APP, default_timeout=60)
        at.run()
        at.switch_page(page).run()
        assert not at.exception, at.exception
        shown = any(SCRIPT in str(df.value.to_dict()) for df in at.dataframe) or any(
            SCRIPT in str(getattr(w, "label", "")) for w in at.slider
        )
        assert shown, f"{page} does not show the label at all"
        html_allowed = [el for el in at.markdown if el.proto.allow_html and "<script" in el.value]
        assert not html_allowed, f"{page} renders user text as HTML"


AWARD_TEXT = [("award-html-title", {"title": SCRIPT, "description": "<b>bold?</b> [link](javascript:alert(1))"})] + [
    (f"award-formula-title-{i}", {"title": f, "description": f}) for i, f in enumerate(FORMULAS)
]
CASES_TRIED += len(AWARD_TEXT)


@pytest.mark.parametrize(("case_id", "fields"), AWARD_TEXT, ids=[c[0] for c in AWARD_TEXT])
def test_hostile_award_text_is_stored_verbatim_and_exported_inert(engine, case_id, fields):
    """The 360Giving CSV is a data-interchange file: it carries the text verbatim. The spreadsheet made for
    people to open (XLSX) types it as text, so no cell is ever a formula."""
    from openpyxl import load_workbook

    from vru_core.register import export_flat, lifecycle, reads

    award_id = lifecycle.create_award(engine=engine, actor=COMMISSIONER, data=sample_award(engine, **fields))
    approve(engine, award_id)
    detail = reads.award_detail(engine, award_id)
    for name, value in fields.items():
        assert getattr(detail, name) == value
    exported = export_flat.to_csv_bytes(engine).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(exported)))
    assert [(r["Title"], r["Description"]) for r in rows] == [(fields["title"], fields["description"])]
    sheet = load_workbook(io.BytesIO(export_flat.to_xlsx_bytes(engine)))["grants"]
    cells = [c for row in sheet.iter_rows() for c in row if c.value is not None]
    assert fields["title"] in {c.value for c in cells}
    assert not [c.coordinate for c in cells if c.data_type == "f"], "a spreadsheet would run a cell of the XLSX"


def test_html_in_an_award_is_shown_as_text(engine, monkeypatch):
    if engine.dialect.name != "sqlite":
        pytest.skip("rendering does not depend on the backend")
    from vru_core.register import lifecycle

    award_id = lifecycle.create_award(engine=engine, actor=COMMISSIONER, data=sample_award(engine, title=SCRIPT))
    monkeypatch.setenv("VRU_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    for page in ("app_pages/register.py", "app_pages/award.py"):
        at = AppTest.from_file(APP, default_timeout=60)
        at.run()
        at.query_params.clear()
        at.query_params["id"] = str(award_id)
        at.switch_page(page).run()
        assert not at.exception, at.exception
        html_allowed = [el for el in at.markdown if el.proto.allow_html and "<script" in el.value]
        assert not html_allowed, f"{page} renders user text as HTML"
    assert any(visible(t.value) == SCRIPT for t in at.title), "the award page does not show the title as text"


def test_cases_tried_is_recorded_in_readme():
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    assert f"{CASES_TRIED} bad-input cases" in readme
