"""Entered values: every problem reported with row and field, all-or-nothing, permission-checked, audited."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from vru_core.framework.entered import check_values, read_csv, save_values
from vru_core.framework.indicators import entered_values
from vru_core.models import AuditEntry, IndicatorValue
from vru_core.platform.auth import PermissionDenied
from vru_core.platform.errors import Invalid, NotFound, Stale

GOOD = {
    "indicator_code": "adult_reoffending_rate",
    "period": "2025-03",
    "value": "25.5",
    "source": "MoJ Proven reoffending statistics",
    "source_date": "2026-01-29",
}


def _count(engine, model) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(model)).scalar_one()


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"indicator_code": "no_such_indicator"}, "indicator_code", "unknown indicator"),
        ({"indicator_code": "vwi_12m"}, "indicator_code", "not entered by hand"),
        ({"indicator_code": ""}, "indicator_code", "missing"),
        ({"period": "2025-13"}, "period", "not a period"),
        ({"period": "March 2025"}, "period", "not a period"),
        ({"period": "2025"}, "period", "not a period"),
        ({"value": "45k"}, "value", "not a number"),
        ({"value": ""}, "value", "not a number"),
        ({"value": "nan"}, "value", "not a finite number"),
        ({"value": "1_000"}, "value", "not a number"),
        ({"value": "１０"}, "value", "not a number"),
        ({"source": "  "}, "source", "where the figure comes from"),
        ({"source_date": "29/01/2026"}, "source_date", "not a date"),
        ({"area_code": "E09999999"}, "area_code", "neither"),
    ],
)
def test_a_bad_row_is_refused_naming_row_and_field_and_nothing_is_written(engine, actors, change, field, words):
    rows = [dict(GOOD, period="2024-03"), {**GOOD, **change}]
    before_values, before_audit = _count(engine, IndicatorValue), _count(engine, AuditEntry)
    with pytest.raises(Invalid) as err:
        save_values(engine=engine, actor=actors["analyst"], rows=rows)
    problems = err.value.problems
    assert [(p.row, p.field) for p in problems] == [(2, field)]
    assert words in problems[0].message
    assert f"row 2, {field}" in str(err.value)
    assert _count(engine, IndicatorValue) == before_values
    assert _count(engine, AuditEntry) == before_audit


def test_every_problem_is_listed_at_once(loaded_engine):
    checked = check_values(
        loaded_engine,
        [
            {"indicator_code": "nope", "period": "2025-3", "value": "x", "source": "", "source_date": ""},
            GOOD,
            dict(GOOD),
        ],
    )
    assert {(p.row, p.field) for p in checked.problems} == {
        (1, "indicator_code"),
        (1, "period"),
        (1, "value"),
        (1, "source"),
        (1, "source_date"),
        (3, "period"),  # the duplicate of row 2
    }


def test_csv_missing_columns_are_named():
    with pytest.raises(Invalid) as err:
        read_csv(b"indicator_code,period,value\nx,2025-01,1\n")
    assert {p.field for p in err.value.problems} == {"source", "source_date"}


@pytest.mark.parametrize("role", ["viewer", "director", "commissioner"])
def test_roles_without_the_permission_are_refused(engine, actors, role):
    with pytest.raises(PermissionDenied, match=r"indicators\.write"):
        save_values(engine=engine, actor=actors[role], rows=[GOOD])
    assert entered_values(engine, "adult_reoffending_rate")["period"].tolist() == ["2019-03"]


@pytest.mark.parametrize("role", ["analyst", "admin"])
def test_upload_saves_every_row_with_source_date_and_an_audit_entry(engine, actors, role):
    csv_text = (
        "indicator_code,period,value,source,source_date,area_code\n"
        "adult_reoffending_rate,2024-03,26.1,MoJ,2025-01-30,\n"
        "adult_reoffending_rate,2025-03,25.5,MoJ,2026-01-29,london\n"
        "ho_homicides_u25,2025-03,31,Home Office Homicide Index,2026-02-05,E09000022\n"
    )
    audit_before = _count(engine, AuditEntry)
    save_values(engine=engine, actor=actors[role], rows=read_csv(csv_text.encode()))
    got = entered_values(engine, "adult_reoffending_rate").set_index("period")
    assert got.loc["2025-03", "value"] == 25.5
    assert str(got.loc["2025-03", "source_date"]) == "2026-01-29"
    assert got.loc["2025-03", "entered_by"] == actors[role].username
    homicides = entered_values(engine, "ho_homicides_u25")
    assert homicides[["area_code", "value"]].values.tolist() == [["E09000022", 31.0]]
    assert _count(engine, AuditEntry) == audit_before + 3


def test_replacing_a_value_is_listed_first_and_audited_with_the_old_value(engine, actors):
    row = dict(GOOD, period="2019-03", value="26")  # the seeded 27% from the strategy
    checked = check_values(engine, [row])
    assert [(r["row"], r["old_value"], r["value"]) for r in checked.replaces] == [(1, 27.0, 26.0)]
    save_values(engine=engine, actor=actors["analyst"], rows=[row])
    with engine.connect() as conn:
        entry = conn.execute(
            select(AuditEntry).where(AuditEntry.entity_type == "indicator_value").order_by(AuditEntry.id.desc())
        ).first()
    assert entry.action == "update"
    assert entry.before["value"] == 27.0 and entry.after["value"] == 26.0
    assert entered_values(engine, "adult_reoffending_rate").set_index("period").loc["2019-03", "value"] == 26.0


def test_deleting_a_value_is_permission_checked_and_audited(engine, actors):
    from vru_core.framework.entered import delete_value

    code = "adult_reoffending_rate"
    with pytest.raises(PermissionDenied):
        delete_value(engine=engine, actor=actors["viewer"], indicator_code=code, period="2019-03", version=1)
    with pytest.raises(NotFound, match="no value"):
        delete_value(engine=engine, actor=actors["analyst"], indicator_code=code, period="2020-03", version=1)
    with pytest.raises(Stale):
        delete_value(engine=engine, actor=actors["analyst"], indicator_code=code, period="2019-03", version=2)
    delete_value(engine=engine, actor=actors["analyst"], indicator_code=code, period="2019-03", version=1)
    assert entered_values(engine, "adult_reoffending_rate").empty
    with engine.connect() as conn:
        entry = conn.execute(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert (entry.action, entry.entity_type, entry.before["value"]) == ("delete", "indicator_value", 27.0)
