"""Budgets: the arithmetic of a line to the penny, the cap and its override, and the command line."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from sqlmodel import Session, select

from tests.factories import approve, sample_award
from vru_core.models import AuditEntry, BudgetOverride
from vru_core.platform.auth import Actor, Role
from vru_core.platform.backup import table_checksums
from vru_core.platform.errors import Invalid, PermissionDenied, Stale
from vru_core.register import budget, budget_reads, lifecycle, money, schedule
from vru_core.register.cli import main

pytestmark = pytest.mark.store
CREATOR = Actor("budget-creator", Role.COMMISSIONER)
ADMIN = Actor("budget-admin", Role.ADMIN)
YLF = "young_londoners_fund"


def _award(engine, amount: str, *, status: str = "proposed", award_date: str = "2026-04-01", stream: str = YLF) -> int:
    data = sample_award(engine, title=f"Budget {amount}", amount_awarded=amount, award_date=award_date)
    award_id = lifecycle.create_award(engine=engine, actor=CREATOR, data={**data, "funding_stream": stream})
    path = {"proposed": [], "approved": ["approved"], "active": ["approved", "active"]}
    path["completed"] = [*path["active"], "completed"]
    path["withdrawn"] = ["withdrawn"]
    version = 1
    for step in path[status]:
        if step == "approved":
            version = approve(engine, award_id, version=version)
        else:
            version = lifecycle.transition_award(
                engine=engine, actor=CREATOR, award_id=award_id, version=version, to_status=step
            )
    return award_id


def _set(engine, allocated: str, *, year: str = "2026/27", stream: str = YLF, **kwargs) -> int:
    data = {"funding_stream": stream, "year": year, "allocated": allocated}
    return budget.set_budget(engine=engine, actor=ADMIN, data=data, **kwargs)


def _line(engine, year: int = 2026, stream: str = YLF) -> budget_reads.BudgetFigures:
    (line,) = [b for b in budget_reads.budget_lines(engine, year=year) if b.stream == stream]
    return line


def _pay(engine, award_id: int, amount: str) -> None:
    money.add_payment(engine=engine, actor=CREATOR, award_id=award_id, data={"paid_on": "2026-06-01", "amount": amount})


@pytest.mark.parametrize(
    ("day", "year", "label"),
    [
        ("2026-04-01", 2026, "2026/27"),
        ("2027-03-31", 2026, "2026/27"),
        ("2027-04-01", 2027, "2027/28"),
        ("2026-03-31", 2025, "2025/26"),
        ("2099-12-31", 2099, "2099/00"),
    ],
)
def test_financial_years_run_april_to_march(day, year, label):
    assert budget.financial_year(dt.date.fromisoformat(day)) == year
    assert budget.year_label(year) == label
    assert budget.parse_year(label) == year and budget.parse_year(str(year)) == year


@pytest.mark.parametrize("raw", ["2026/28", "26/27", "２０２６", "2026/2028", "", None, "1899"])
def test_what_is_not_a_financial_year(raw):
    assert budget.parse_year(raw) is None


def test_a_line_adds_up_to_the_penny(engine):
    """Each status counts where it should; amounts with pence, payments and a schedule, another year and stream."""
    _set(engine, "100000.01")
    counted = {  # (amount, status, paid, scheduled)
        "approved": ("45000.00", "approved", ["1000.01", "2000"], ["15000", "15000", "15000"]),
        "active": ("12345.67", "active", ["0.33"], ["5000"]),
        "completed": ("999.99", "completed", ["999.99"], []),
    }
    ids = {}
    for name, (amount, status, paid, scheduled) in counted.items():
        ids[name] = award_id = _award(engine, amount, status="active" if status == "completed" else status)
        if scheduled:
            rows = [{"due_on": f"2026-0{n + 6}-01", "amount": a} for n, a in enumerate(scheduled)]
            schedule.set_schedule(engine=engine, actor=CREATOR, award_id=award_id, version=0, instalments=rows)
        for p in paid:
            _pay(engine, award_id, p)
    lifecycle.transition_award(
        engine=engine, actor=CREATOR, award_id=ids["completed"], version=3, to_status="completed"
    )
    _award(engine, "5000", status="proposed")
    _award(engine, "7000", status="withdrawn")
    _award(engine, "3000", status="approved", award_date="2027-04-01")  # next financial year
    _award(engine, "2500", status="approved", stream="mopac_safer_schools")

    line = _line(engine)
    d = Decimal
    committed = sum(d(a) for a, *_ in counted.values())
    paid = sum(d(p) for _, _, ps, _ in counted.values() for p in ps)
    forecast = sum(  # completed awards forecast nothing more
        max(d(0), sum((d(s) for s in sch), d(0)) - sum((d(p) for p in ps), d(0)))
        for _, status, ps, sch in counted.values()
        if status != "completed"
    )
    assert line.budget_set and line.allocated == d("100000.01")
    assert (line.committed, line.paid, line.forecast) == (committed, paid, forecast)
    assert line.remaining == d("100000.01") - committed
    assert line.proposed == d("5000") and line.committed_awards == 3
    assert str(line.committed) == "58345.66" and str(line.forecast) == "46999.66"  # the sums, written out
    assert _line(engine, 2027).committed == d("3000") and not _line(engine, 2027).budget_set
    assert _line(engine, 2026, "mopac_safer_schools").committed == d("2500")


def test_over_commitment_is_refused_to_the_penny_and_nothing_is_written(engine):
    _set(engine, "50000")
    _award(engine, "45000", status="approved")
    too_much, fits = _award(engine, "5000.01"), _award(engine, "5000.00")
    before = table_checksums(engine)
    with pytest.raises(Invalid) as err:
        approve(engine, too_much)
    assert err.value.problems[0].field == "amount_awarded"
    assert "over by £0.01" in str(err.value) and "£5,000.00 remaining" in str(err.value)
    assert table_checksums(engine) == before
    approve(engine, fits)  # exactly the remaining pence
    assert _line(engine).remaining == Decimal("0.00")


def test_only_an_administrator_overrides_and_the_override_is_recorded(engine):
    _set(engine, "50000")
    _award(engine, "45000", status="approved")
    award_id = _award(engine, "10000")
    with pytest.raises(PermissionDenied, match="Only an administrator"):
        approve(engine, award_id, override_reason="Urgent")  # a commissioner, even with a reason
    with pytest.raises(Invalid, match="override with a reason"):
        approve(engine, award_id, actor=ADMIN)  # an administrator without one
    approve(engine, award_id, actor=ADMIN, override_reason="Home Office top-up confirmed 2026-05-01")
    line = _line(engine)
    assert line.remaining == Decimal("-5000.00") and line.overrides == 1
    with Session(engine) as session:
        (override,) = session.exec(select(BudgetOverride)).all()
        entry = session.exec(select(AuditEntry).where(AuditEntry.action == "override")).one()
    assert (override.award_id, override.over_by_pence, override.created_by) == (award_id, 500_000, ADMIN.username)
    assert entry.actor == ADMIN.username and entry.note == "Home Office top-up confirmed 2026-05-01"
    assert budget_reads.overrides(engine)[0]["reason"] == override.reason


def test_no_budget_set_means_not_capped_and_is_said(engine):
    _award(engine, "90000", status="approved")
    line = _line(engine)
    assert not line.budget_set and line.committed == Decimal("90000") and line.allocated == 0


def test_an_import_of_awards_already_approved_is_held_to_the_budget(engine):
    from tests.register.conftest import csv_text
    from vru_core.register.importer import import_csv

    _set(engine, "60000")
    rows = [
        {**sample_award(engine, title=f"Imported {n}"), "identifier": f"360G-LondonVRU-B{n}", "status": "approved"}
        for n in range(2)
    ]
    before = table_checksums(engine)
    with pytest.raises(Invalid) as err:
        import_csv(engine=engine, actor=CREATOR, content=csv_text(rows))
    assert (err.value.problems[0].row, err.value.problems[0].field) == (2, "amount_awarded")
    assert "over by £30,000.00" in str(err.value)
    assert table_checksums(engine) == before
    import_csv(engine=engine, actor=CREATOR, content=csv_text(rows[:1]))
    assert _line(engine).committed == Decimal("45000")


def test_setting_a_budget_checks_everything_at_once_and_versions(engine):
    with pytest.raises(Invalid) as err:
        budget.set_budget(
            engine=engine, actor=ADMIN, data={"funding_stream": "nope", "year": "2026/28", "allocated": "45k"}
        )
    assert {p.field for p in err.value.problems} == {"funding_stream", "year", "allocated"}
    version = _set(engine, "1000")
    with pytest.raises(Invalid, match="already has a budget"):
        _set(engine, "2000")
    assert _set(engine, "2000", version=version) == version + 1
    with pytest.raises(Stale):
        _set(engine, "3000", version=version)
    _award(engine, "1500", status="approved")
    with pytest.raises(Invalid, match=r"less than the £1,500\.00 committed"):
        _set(engine, "1000", version=version + 1)
    _set(engine, "1000", version=version + 1, override_reason="Budget cut by the board")
    assert _line(engine).overrides == 1 and _line(engine).remaining == Decimal("-500.00")


def test_only_administrators_set_budgets(engine):
    with pytest.raises(PermissionDenied):
        budget.set_budget(engine=engine, actor=CREATOR, data={"funding_stream": YLF, "year": "2026", "allocated": "1"})


def test_budget_command_line_json(engine, monkeypatch, capsys):
    monkeypatch.setenv("VRU_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    _set(engine, "100000.50")
    _pay(engine, _award(engine, "45000.25", status="approved"), "100.10")
    _award(engine, "1000", status="approved", award_date="2027-05-01")
    assert main(["budget", "--year", "2026/27", "--json"]) == 0
    answer = json.loads(capsys.readouterr().out)
    (line,) = answer["lines"]
    assert {k: line[k] for k in ("stream", "year", "allocated", "committed", "paid", "forecast", "remaining")} == {
        "stream": YLF,
        "year": "2026/27",
        "allocated": "100000.50",
        "committed": "45000.25",
        "paid": "100.10",
        "forecast": "0.00",
        "remaining": "55000.25",
    }
    assert "proposed" in answer["counts"]["proposed"]
    assert main(["budget", "--json"]) == 0
    assert [x["year"] for x in json.loads(capsys.readouterr().out)["lines"]] == ["2026/27", "2027/28"]
    assert main(["budget", "--year", "20266"]) == 2
    assert "not a financial year" in capsys.readouterr().err


def test_the_example_register_brings_labelled_example_budgets_and_takes_them_away(engine):
    from vru_core.register import examples

    _set(engine, "1000000", year="2025/26", stream="vru_core_budget")  # a real line: never replaced
    examples.load_examples(engine=engine, actor=CREATOR)
    lines = [b for b in budget_reads.budget_lines(engine) if b.committed]
    assert lines and all(b.budget_set for b in lines)
    made_up = [b for b in lines if b.is_example]
    assert made_up and all(b.note.startswith("EXAMPLE") and b.remaining >= 0 for b in made_up)
    real = _line(engine, 2025, "vru_core_budget")
    assert not real.is_example and real.allocated == Decimal("1000000")
    examples.remove_examples(engine=engine, actor=CREATOR)
    assert [(b.stream, b.year) for b in budget_reads.budget_lines(engine)] == [("vru_core_budget", 2025)]
