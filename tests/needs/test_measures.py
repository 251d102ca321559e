"""Analysts' own measures: validated as a whole, stored all-or-nothing, scored like any other."""

import pytest
from sqlmodel import Session, select

from tests import raw
from vru_core.models import AuditEntry
from vru_core.needs.measures import add_measure, delete_measure, load_measure_frame, values_template
from vru_core.platform.auth import PermissionDenied
from vru_core.platform.errors import Invalid, Refused

FEEL_SAFE = {
    "code": "pas_feel_safe",
    "label": "% who feel safe after dark",
    "family": "perceptions",
    "unit": "% of respondents",
    "direction": "low_is_worse",
    "geography": "borough",
    "source": "Example survey upload (test data)",
    "publisher": "Test",
    "period": "2025/26",
    "licence": "Test only",
}


def _borough_csv(frame, *, extra: str = "") -> bytes:
    boroughs = sorted(frame.wards["borough_code"].unique())
    lines = ["area_code,area_name,value"] + [f"{b},x,{50 + i}" for i, b in enumerate(boroughs)]
    return ("\n".join(lines) + "\n" + extra).encode()


def test_added_borough_measure_reaches_every_ward(engine, actors):
    frame = load_measure_frame(engine)
    n = add_measure(engine=engine, actor=actors["analyst"], definition=FEEL_SAFE, data=_borough_csv(frame))
    assert n == raw.n_boroughs()
    after = load_measure_frame(engine)
    assert after.measures.at["pas_feel_safe", "direction"] == "low_is_worse"
    assert after.measures.at["pas_feel_safe", "origin"] == "uploaded"
    assert after.values["pas_feel_safe"].notna().sum() == raw.n_wards()
    with Session(engine) as session:
        entry = session.exec(select(AuditEntry).where(AuditEntry.entity_id == "pas_feel_safe")).one()
    assert entry.actor == "test-analyst" and entry.action == "create"


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (b"area_code,value\nE05014053,1\nE05999999,2\n", ["row 3, area_code: 'E05999999' is not a known ward code"]),
        (b"area_code,value\nE05014053,1\nE05014053,2\n", ["row 3, area_code: 'E05014053' already given on row 2"]),
        (b"area_code,value\nE05014053,45k\n", ["row 2, value: '45k' is not a number"]),
        (b'area_code,value\nE05014053,"1,200"\n', ["row 2, value: '1,200' is not a number"]),
        (b"area_code,value\nE05014053,nan\n", ["row 2, value: 'nan' is not a finite number"]),
        (b"code,amount\nE05014053,1\n", ["row 1, area_code: required column", "row 1, value: required column"]),
        (b"", ["row 1, file: the file is empty"]),
        ("area_code,value\nE05014053,1\n".encode("utf-16-le"), ["row 1, file: looks like UTF-16 without"]),
        (b"area_code,value\nE05014053\n", ["row 2, row: has 1 cells, the header has 2"]),
    ],
)
def test_bad_files_are_refused_with_line_and_field(engine, actors, body, expected):
    definition = {**FEEL_SAFE, "geography": "ward"}
    before = load_measure_frame(engine).measures.index.tolist()
    with pytest.raises(Invalid) as err:
        add_measure(engine=engine, actor=actors["analyst"], definition=definition, data=body)
    messages = [str(p) for p in err.value.problems]
    for text in expected:
        assert any(m.startswith(text) for m in messages), messages
    assert load_measure_frame(engine).measures.index.tolist() == before


def test_blank_lines_and_blank_values_are_fine(engine, actors):
    body = b"area_code,value\n\nE05014053,1.5\nE05014054,\n\n"
    assert (
        add_measure(engine=engine, actor=actors["analyst"], definition={**FEEL_SAFE, "geography": "ward"}, data=body)
        == 1
    )


def test_definition_problems_are_all_reported(engine, actors):
    bad = {**FEEL_SAFE, "code": "Bad Code!", "direction": "sideways", "source": " ", "geography": "ward"}
    with pytest.raises(Invalid) as err:
        add_measure(engine=engine, actor=actors["analyst"], definition=bad, data=b"area_code,value\nE05014053,1\n")
    fields = {p.field for p in err.value.problems}
    assert {"code", "direction", "source"} <= fields


def test_existing_code_is_refused(engine, actors):
    with pytest.raises(Invalid, match="already exists"):
        add_measure(
            engine=engine,
            actor=actors["analyst"],
            definition={**FEEL_SAFE, "code": "imd_rank", "geography": "ward"},
            data=b"area_code,value\nE05014053,1\n",
        )


@pytest.mark.parametrize("role", ["viewer", "director", "commissioner"])
def test_only_analysts_and_admins_add_measures(engine, actors, role):
    with pytest.raises(PermissionDenied):
        add_measure(engine=engine, actor=actors[role], definition=FEEL_SAFE, data=b"area_code,value\n")


def test_uploaded_measures_can_be_deleted_bundled_ones_cannot(engine, actors):
    frame = load_measure_frame(engine)
    add_measure(engine=engine, actor=actors["admin"], definition=FEEL_SAFE, data=_borough_csv(frame))
    delete_measure(engine=engine, actor=actors["analyst"], code="pas_feel_safe")
    assert "pas_feel_safe" not in load_measure_frame(engine).measures.index
    with pytest.raises(Refused, match="bundled"):
        delete_measure(engine=engine, actor=actors["analyst"], code="imd_rank")


WARD = {**FEEL_SAFE, "geography": "ward"}


def _stored(engine, code: str = "pas_feel_safe") -> dict[str, float]:
    frame = load_measure_frame(engine)
    return frame.values[code].dropna().to_dict()


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (b"ward_code,value\nE05014053,1\nE05014054,2\n", {"E05014053": 1.0, "E05014054": 2.0}),
        (b"area_code,ward_code,value\nE05014053,E05014053,1\n,E05014054,2\n", {"E05014053": 1.0, "E05014054": 2.0}),
        (b"ward_code,ward_name,value\nE05014053,Anywhere,3\n", {"E05014053": 3.0}),  # the app's exports' shape
    ],
    ids=["ward_code", "both-agree", "export-shape"],
)
def test_ward_code_is_read_as_well_as_area_code(engine, actors, body, expected):
    assert add_measure(engine=engine, actor=actors["analyst"], definition=WARD, data=body) == len(expected)
    assert _stored(engine) == expected


def test_area_code_and_ward_code_that_disagree_are_refused_by_row(engine, actors):
    body = b"area_code,ward_code,value\nE05014053,E05014053,1\nE05014054,E05014055,2\n"
    with pytest.raises(Invalid) as err:
        add_measure(engine=engine, actor=actors["analyst"], definition=WARD, data=body)
    assert [str(p) for p in err.value.problems] == [
        "row 3, ward_code: 'E05014055' differs from area_code 'E05014054': keep one, or make them agree"
    ]
    assert "pas_feel_safe" not in load_measure_frame(engine).measures.index


@pytest.mark.parametrize(
    ("body", "geography", "expected"),
    [
        (b"code,value\nE05014053,1\n", "ward", "row 1, area_code: required column is missing from the header"),
        (b"ward_code,value\nE09000007,1\n", "borough", "row 1, ward_code: a borough-level measure needs borough codes"),
        (b"ward_code,amount\nE05014053,1\n", "ward", "row 1, value: required column is missing"),
    ],
)
def test_headers_without_a_usable_code_column(engine, actors, body, geography, expected):
    with pytest.raises(Invalid) as err:
        add_measure(engine=engine, actor=actors["analyst"], definition={**FEEL_SAFE, "geography": geography}, data=body)
    assert any(str(p).startswith(expected) for p in err.value.problems), err.value.problems


@pytest.mark.parametrize(
    "encode",
    [
        lambda text: text.encode("utf-8-sig"),  # Excel's "CSV UTF-8"
        lambda text: text.encode("utf-16"),  # with its byte-order mark (Excel's "Unicode text")
        lambda text: text.replace("\n", "\r\n").encode("utf-8"),
    ],
    ids=["utf-8-bom", "utf-16-bom", "crlf"],
)
def test_encodings_that_say_what_they_are_are_read(engine, actors, encode):
    body = encode("ward_code,ward_name,value\nE05014053,Café £ ward,4.5\n")
    assert add_measure(engine=engine, actor=actors["analyst"], definition=WARD, data=body) == 1
    assert _stored(engine) == {"E05014053": 4.5}


def test_a_windows_1252_file_is_refused_with_what_to_do(engine, actors):
    body = "ward_code,ward_name,value\nE05014053,Café £ ward,4.5\n".encode("cp1252")
    with pytest.raises(Invalid) as err:
        add_measure(engine=engine, actor=actors["analyst"], definition=WARD, data=body)
    (problem,) = err.value.problems
    assert (problem.row, problem.field) == (2, "file")
    assert "Windows-1252" in problem.message and "save the spreadsheet as 'CSV UTF-8'" in problem.message


def test_the_template_lists_every_ward_and_fills_in_as_an_upload(engine, actors):
    import csv
    import io

    data = values_template(engine)
    assert data.startswith(b"\xef\xbb\xbf")  # a byte-order mark, so Excel reads accents
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert list(rows[0]) == ["ward_code", "ward_name", "borough_name", "value"]
    assert len(rows) == raw.n_wards() and {r["value"] for r in rows} == {""}
    assert len({r["ward_code"] for r in rows}) == raw.n_wards()
    assert not [r for r in rows if r["ward_name"].lstrip(" ")[:1] in ("=", "+", "-", "@")]
    rows[0]["value"], rows[5]["value"] = "12.5", "7"
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    assert add_measure(engine=engine, actor=actors["analyst"], definition=WARD, data=out.getvalue().encode()) == 2
    assert _stored(engine) == {rows[0]["ward_code"]: 12.5, rows[5]["ward_code"]: 7.0}


def test_the_borough_template_has_area_codes(engine):
    import csv
    import io

    rows = list(csv.DictReader(io.StringIO(values_template(engine, geography="borough").decode("utf-8-sig"))))
    assert list(rows[0]) == ["area_code", "borough_name", "value"] and len(rows) == raw.n_boroughs()
    assert all(r["area_code"].startswith("E09") for r in rows)


def test_template_names_that_look_like_formulas_are_written_as_text(engine, monkeypatch):
    import vru_core.needs.measures as measures

    wards = measures.load_wards(engine)
    wards.iloc[0, wards.columns.get_loc("ward_name")] = '=HYPERLINK("http://evil","x")'
    monkeypatch.setattr(measures, "load_wards", lambda _engine: wards)
    text = values_template(engine).decode("utf-8-sig")
    assert "'=HYPERLINK" in text and "\n=HYPERLINK" not in text and ",=HYPERLINK" not in text


@pytest.mark.parametrize(("given", "expected"), [({}, 0.0), ({"default_weight": 1.5}, 1.5)])
def test_an_analysts_measure_joins_the_default_profile_at_weight_0_unless_chosen(engine, actors, given, expected):
    body = b"ward_code,value\nE05014053,1\n"
    add_measure(engine=engine, actor=actors["analyst"], definition={**WARD, **given}, data=body)
    assert load_measure_frame(engine).measures.at["pas_feel_safe", "default_weight"] == expected
