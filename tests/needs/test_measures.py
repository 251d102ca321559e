"""Analysts' own measures: validated as a whole, stored all-or-nothing, scored like any other."""

import pytest
from sqlmodel import Session, select

from tests import raw
from vru_core.models import AuditEntry
from vru_core.needs.measures import add_measure, delete_measure, load_measure_frame
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
