"""Reading the strategy's structure, and the version the pages key cached labels on."""

import pytest
from sqlalchemy import text

from vru_core.framework import lookups
from vru_core.framework.strategy import OBJECTIVES


def test_objectives_carry_their_commitments_and_aims_from_the_strategy(loaded_engine):
    objectives = lookups.objectives(loaded_engine)
    assert sorted(objectives) == sorted(number for number, *_ in OBJECTIVES)
    for number, title, tagline, aims, commitments in OBJECTIVES:
        got = objectives[number]
        assert (got.title, got.tagline) == (title, tagline)
        assert list(got.commitments) == list(commitments)
        assert set(got.aims) == set(aims) and list(got.aims) == sorted(got.aims)


def test_priority_areas_of_one_objective_are_a_subset_of_all(loaded_engine):
    every = lookups.priority_areas(loaded_engine)
    assert every and list(every) == sorted(every)
    for number in {a.objective_number for a in every.values()} - {None}:
        mine = lookups.priority_areas(loaded_engine, number)
        assert mine == {c: a for c, a in every.items() if a.objective_number == number}


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE funding_stream SET name = name || ' (renamed)' WHERE code = (SELECT MIN(code) FROM funding_stream)",
        "UPDATE priority_area SET title = 'Renamed' WHERE code = (SELECT MIN(code) FROM priority_area)",
        "UPDATE objective SET tagline = 'changed' WHERE number = 1",
        "UPDATE aim SET title = 'changed' WHERE number = 1",
        "DELETE FROM commitment WHERE id = (SELECT MAX(id) FROM commitment)",
        "DELETE FROM objective_aim WHERE objective_number = 1 AND aim_code = (SELECT MIN(aim_code) FROM objective_aim "
        "WHERE objective_number = 1)",
        "INSERT INTO funding_stream (code, name, notes, active) VALUES ('new_stream', 'New', '', true)",
    ],
)
def test_structure_version_changes_with_any_structural_row(engine, sql):
    before = lookups.structure_version(engine)
    assert lookups.structure_version(engine) == before  # stable while nothing changes
    with engine.begin() as conn:
        conn.execute(text(sql))
    assert lookups.structure_version(engine) != before


def test_funding_streams_table(loaded_engine):
    streams = lookups.funding_streams(loaded_engine)
    assert list(streams.columns) == lookups.STREAM_COLUMNS
    with loaded_engine.connect() as conn:
        assert len(streams) == conn.execute(text("SELECT COUNT(*) FROM funding_stream")).scalar_one()
    assert streams["code"].is_unique and streams["name"].str.len().gt(0).all()
