"""Reading budgets: one line per funding stream and financial year with what it counts (see
vru_core.register.budget for the rules), as figures, a table, JSON for the command line, and the overrides."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass
from decimal import Decimal

import pandas as pd
from sqlalchemy import BigInteger, Engine, cast, func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from vru_core.models import Award, BudgetLine, BudgetOverride, FundingStream, Instalment, Payment
from vru_core.platform.db import session_scope
from vru_core.register.budget import COUNTS, PAYING, financial_year, pounds, year_label
from vru_core.register.statuses import COMMITTED


@dataclass(frozen=True)
class BudgetFigures:
    stream: str
    stream_name: str
    year: int
    year_label: str
    budget_set: bool
    allocated: Decimal
    committed: Decimal
    proposed: Decimal
    paid: Decimal
    forecast: Decimal
    remaining: Decimal
    committed_awards: int
    overrides: int
    note: str
    version: int | None
    is_example: bool

    def as_json(self) -> dict:
        money = ("allocated", "committed", "proposed", "paid", "forecast", "remaining")
        out = {k: (f"{v:.2f}" if k in money else v) for k, v in asdict(self).items()}
        out["year"], out["year_start"] = self.year_label, self.year
        del out["year_label"]
        return out


def budget_lines(engine: Engine, *, year: int | None = None) -> list[BudgetFigures]:
    """One entry per stream and financial year that has a budget or any proposed or committed award."""
    with session_scope(engine) as session:
        names = dict(session.exec(select(FundingStream.code, FundingStream.name)).all())
        lines = {(b.funding_stream_code, b.year): b for b in session.exec(select(BudgetLine)).all()}
        columns = (Award.id, Award.funding_stream_code, Award.award_date, Award.amount_pence, Award.status)
        awards = session.execute(sa_select(*(col(c) for c in columns))).all()
        paid = _sum_by_award(session, Payment)
        scheduled = _sum_by_award(session, Instalment)
        overrides: dict[tuple[str, int], int] = defaultdict(int)
        for stream, y in session.exec(select(BudgetOverride.funding_stream_code, BudgetOverride.year)).all():
            overrides[(stream, y)] += 1
    sums: dict[tuple[str, int], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for award_id, stream, award_date, amount, status in awards:
        line = sums[(stream, financial_year(award_date))]
        if status == "proposed":
            line["proposed"] += amount
        elif status in COMMITTED:
            line["committed"] += amount
            line["awards"] += 1
            line["paid"] += paid.get(award_id, 0)
            if status in PAYING:
                line["forecast"] += max(0, min(scheduled.get(award_id, 0), amount) - paid.get(award_id, 0))
    keys = {k for k, v in sums.items() if v["proposed"] or v["committed"]} | set(lines)
    if year is not None:
        keys = {k for k in keys if k[1] == year}
    out = []
    for stream, y in sorted(keys, key=lambda k: (k[1], names.get(k[0], k[0]))):
        found, s = lines.get((stream, y)), sums.get((stream, y), {})
        allocated = found.allocated_pence if found else 0
        out.append(
            BudgetFigures(
                stream=stream,
                stream_name=names.get(stream, stream),
                year=y,
                year_label=year_label(y),
                budget_set=found is not None,
                allocated=pounds(allocated),
                committed=pounds(s.get("committed", 0)),
                proposed=pounds(s.get("proposed", 0)),
                paid=pounds(s.get("paid", 0)),
                forecast=pounds(s.get("forecast", 0)),
                remaining=pounds(allocated - s.get("committed", 0)),
                committed_awards=s.get("awards", 0),
                overrides=overrides.get((stream, y), 0),
                note=found.note if found else "",
                version=found.version if found else None,
                is_example=bool(found and found.is_example),
            )
        )
    return out


def _sum_by_award(session: Session, model) -> dict[int, int]:
    total = cast(func.sum(model.amount_pence), BigInteger)
    return {a: int(p) for a, p in session.exec(select(model.award_id, total).group_by(model.award_id)).all()}


def overrides(engine: Engine, *, year: int | None = None) -> list[dict]:
    """Every recorded override, newest first: who, when, which line and award, by how much, why."""
    with session_scope(engine) as session:
        query = select(BudgetOverride, Award.identifier).join(
            Award, col(Award.id) == col(BudgetOverride.award_id), isouter=True
        )
        if year is not None:
            query = query.where(BudgetOverride.year == year)
        rows = session.exec(query.order_by(col(BudgetOverride.id).desc())).all()
        names = dict(session.exec(select(FundingStream.code, FundingStream.name)).all())
        return [
            {
                "at": o.created_at,
                "by": o.created_by,
                "funding_stream": names.get(o.funding_stream_code, o.funding_stream_code),
                "year": year_label(o.year),
                "award": identifier or "(the allocation itself)",
                "over_by": pounds(o.over_by_pence),
                "reason": o.reason,
            }
            for o, identifier in rows
        ]


def budget_json(engine: Engine, *, year: int | None = None) -> dict:
    """The command line's answer: one object whose `lines` has one entry per stream and financial year."""
    return {
        "year": year_label(year) if year is not None else None,
        "counts": COUNTS,
        "lines": [line.as_json() for line in budget_lines(engine, year=year)],
    }


def lines_frame(lines: list[BudgetFigures]) -> pd.DataFrame:
    """The lines as a table (pounds as floats for display; the CSV keeps the same columns)."""
    money = ("allocated", "committed", "proposed", "paid", "forecast", "remaining")
    rows = [
        {
            "funding_stream": b.stream_name,
            "year": b.year_label,
            "budget_set": "yes" if b.budget_set else "no budget set",
            **{m: float(getattr(b, m)) for m in money},
            "committed_awards": b.committed_awards,
            "overrides": b.overrides,
            "note": ("EXAMPLE budget. " if b.is_example else "") + b.note,
        }
        for b in lines
    ]
    columns = ["funding_stream", "year", "budget_set", *money, "committed_awards", "overrides", "note"]
    return pd.DataFrame(rows, columns=columns)
