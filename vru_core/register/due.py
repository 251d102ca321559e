"""The commissioner's "due and overdue" list: monitoring returns late or due, payments due, awards ending.

For every approved or active award:
- monitoring returns: one per calendar quarter the award runs in (2026-Q3 = July to September), due
  `VRU_RETURN_DUE_DAYS` days after the quarter ends; late once that date has passed without the return
  (a return for the quarter, or for one of its months, counts as received);
- payments: instalments of its payment schedule not yet covered by payments, overdue once their due
  date has passed (vru_core.register.schedule), saying when one waits for its monitoring return;
- endings: awards whose planned end falls within the horizon, and awards past their end that are
  still not marked completed.
The list shows what is overdue and what falls due within `VRU_DUE_WITHIN_DAYS` days.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

import pandas as pd
from sqlalchemy import BigInteger, Engine, cast, func
from sqlmodel import col, select

from vru_core.models import Award, Instalment, MonitoringReturn, Organisation, Payment
from vru_core.platform.config import get_settings
from vru_core.platform.db import session_scope
from vru_core.register.schedule import allocate

RUNNING = ("approved", "active")
KINDS = {"return": "Monitoring return", "payment": "Payment instalment", "ending": "Award ending"}


def quarter_end(year: int, quarter: int) -> dt.date:
    month = quarter * 3
    following = dt.date(year + (month == 12), month % 12 + 1, 1)
    return following - dt.timedelta(days=1)


def quarters(start: dt.date, end: dt.date) -> list[tuple[str, dt.date]]:
    """(period, last day) of every calendar quarter from the one `start` is in to the one `end` is in."""
    out = []
    year, quarter = start.year, (start.month - 1) // 3 + 1
    while (year, quarter) <= (end.year, (end.month - 1) // 3 + 1):
        out.append((f"{year}-Q{quarter}", quarter_end(year, quarter)))
        year, quarter = (year + 1, 1) if quarter == 4 else (year, quarter + 1)
    return out


def _received(periods: set[str], period: str) -> bool:
    year, quarter = period.split("-Q")
    months = {f"{year}-{int(quarter) * 3 - k:02d}" for k in range(3)}
    return period in periods or bool(periods & months)


@dataclass(frozen=True)
class DueItem:
    kind: str  # return | payment | ending (KINDS gives the label)
    award_id: int
    identifier: str
    title: str
    recipient: str
    what: str
    due_on: dt.date
    overdue: bool
    days: int  # days overdue (> 0) or days left (<= 0 means due today or later: -days left)
    amount: Decimal | None
    is_example: bool


@dataclass(frozen=True)
class DueList:
    today: dt.date
    within_days: int
    return_due_days: int
    items: list[DueItem] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        c: dict[str, int] = defaultdict(int)
        for i in self.items:
            c[f"{i.kind}_{'overdue' if i.overdue else 'due'}"] += 1
        keys = [f"{k}_{s}" for k in KINDS for s in ("overdue", "due")]
        return {k: c.get(k, 0) for k in keys}


def due_list(engine: Engine, *, today: dt.date | None = None, within_days: int | None = None) -> DueList:
    """Everything overdue, and everything due within `within_days` of `today`, most overdue first."""
    settings = get_settings()
    today = today or dt.date.today()
    within = settings.due_within_days if within_days is None else within_days
    horizon = today + dt.timedelta(days=within)
    with session_scope(engine) as session:
        awards = session.exec(
            select(Award, Organisation.name)
            .join(Organisation, col(Organisation.id) == col(Award.organisation_id))
            .where(col(Award.status).in_(RUNNING))
        ).all()
        ids = [a.id or 0 for a, _ in awards]
        periods: dict[int, set[str]] = defaultdict(set)
        instalments: dict[int, list[Instalment]] = defaultdict(list)
        paid: dict[int, int] = {}
        if ids:
            for award_id, period in session.exec(
                select(MonitoringReturn.award_id, MonitoringReturn.period).where(
                    col(MonitoringReturn.award_id).in_(ids)
                )
            ):
                periods[award_id].add(period)
            for row in session.exec(select(Instalment).where(col(Instalment.award_id).in_(ids))):
                instalments[row.award_id].append(row)
            total = cast(func.sum(Payment.amount_pence), BigInteger)
            query = (
                select(col(Payment.award_id), total)
                .where(col(Payment.award_id).in_(ids))
                .group_by(col(Payment.award_id))
            )
            paid = {award_id: int(pence) for award_id, pence in session.exec(query).all()}
        items: list[DueItem] = []
        for award, recipient in awards:
            aid = award.id or 0

            def item(kind: str, what: str, due_on: dt.date, amount: Decimal | None = None, *, a=award, r=recipient):
                return DueItem(
                    kind,
                    a.id,
                    a.identifier,
                    a.title,
                    r,
                    what,
                    due_on,
                    due_on < today,
                    (today - due_on).days,
                    amount,
                    a.is_example,
                )

            for period, last_day in quarters(award.planned_start, award.planned_end):
                due_on = last_day + dt.timedelta(days=settings.return_due_days)
                if due_on <= horizon and not _received(periods[aid], period):
                    items.append(item("return", f"{period} monitoring return", due_on))
            lines = allocate(instalments[aid], int(paid.get(aid, 0)), periods[aid], today, within)
            for line in lines:
                if line.status != "paid" and line.due_on <= horizon:
                    waiting = f", waiting for the {line.return_period} return" if line.waiting_for_return else ""
                    what = f"instalment {line.position}: £{line.outstanding:,.2f} to pay{waiting}"
                    items.append(item("payment", what, line.due_on, line.outstanding))
            if award.planned_end <= horizon:
                ended = award.planned_end < today
                what = "ended; not yet marked completed" if ended else "ends; plan the final return and close"
                items.append(item("ending", what, award.planned_end))
    items.sort(key=lambda i: (not i.overdue, i.due_on, i.identifier))
    return DueList(today=today, within_days=within, return_due_days=settings.return_due_days, items=items)


def due_frame(listed: DueList, kinds: tuple[str, ...] = tuple(KINDS)) -> pd.DataFrame:
    """The list as a table for the page and its CSV (`open` is the award page's address)."""
    rows = [
        {
            "open": f"/award?id={i.award_id}",
            "kind": KINDS[i.kind],
            "identifier": i.identifier,
            "title": i.title,
            "recipient": i.recipient,
            "what": i.what,
            "due_on": i.due_on,
            "state": f"overdue by {i.days} day(s)"
            if i.overdue
            else ("due today" if i.days == 0 else f"in {-i.days} day(s)"),
            "amount": float(i.amount) if i.amount is not None else float("nan"),  # shown blank
            "example": i.is_example,
        }
        for i in listed.items
        if i.kind in kinds
    ]
    columns = ["open", "kind", "due_on", "state", "what", "amount", "identifier", "title", "recipient", "example"]
    return pd.DataFrame(rows, columns=columns)
