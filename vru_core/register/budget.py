"""Budgets: what each funding stream has for a financial year, and what the register has done with it.

A budget line is one funding stream in one financial year (April to March, named "2026/27" and stored
as 2026). An award counts against the line of its stream and the financial year of its award date.

- allocated: what an administrator set for the line (`set_budget`).
- committed: the amounts of approved, active and completed awards (a completed award's money stays
  spent); proposed awards are not committed, and are shown apart as `proposed`.
- paid: payments recorded on those committed awards, whenever paid.
- forecast: what their payment schedules still have to pay (approved and active awards).
- remaining: allocated minus committed.

The cap: an approval (or a variation, or an import of awards already approved) that would take a line's
committed total past its allocation is refused, unless an administrator gives an override reason, which
is recorded (`budget_override`) and audited. The check takes the line's lock (PostgreSQL: an advisory
lock per line; SQLite: the store's single writer lock) before it reads what is committed, so approvals
racing from separate processes cannot both pass. A stream and year with no budget set is not capped;
the budget page and the command line list it as "no budget set".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal

from sqlalchemy import BigInteger, Engine, cast, func
from sqlmodel import Session, col, select

from vru_core.models import Award, BudgetLine, BudgetOverride, FundingStream
from vru_core.models.common import utcnow
from vru_core.platform.audit import record, record_save
from vru_core.platform.auth import Actor, Permission, require
from vru_core.platform.db import session_scope
from vru_core.platform.errors import Invalid, PermissionDenied, Problem
from vru_core.platform.locking import claim, write_lock
from vru_core.register.statuses import COMMITTED
from vru_core.register.validation import Checker, to_pence

PAYING = ("approved", "active")  # awards still to be paid: their schedules make the forecast
COUNTS = {
    "allocated": "set by an administrator for the stream and financial year",
    "committed": "approved, active and completed awards dated in the financial year",
    "proposed": "proposed awards dated in the year: not yet awarded, not committed",
    "paid": "payments recorded on the committed awards",
    "forecast": "still to pay under the payment schedules of approved and active awards",
    "remaining": "allocated minus committed",
}


def pounds(pence: int) -> Decimal:
    """Pence as pounds with two decimals (never None: for sums)."""
    return (Decimal(int(pence)) / 100).quantize(Decimal("0.01"))


def financial_year(day: dt.date) -> int:
    """The financial year (April to March) a date falls in, by its first calendar year."""
    return day.year if day.month >= 4 else day.year - 1


def year_label(year: int) -> str:
    return f"{year}/{(year + 1) % 100:02d}"


def year_bounds(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, 4, 1), dt.date(year + 1, 3, 31)


def parse_year(raw: object) -> int | None:
    """2026, "2026" or "2026/27" -> 2026; None when it is not a financial year."""
    text = str(raw if raw is not None else "").strip().replace("-", "/")
    first, _, second = text.partition("/")
    if not (first.isascii() and first.isdigit() and len(first) == 4):
        return None
    year = int(first)
    if second and second not in (f"{(year + 1) % 100:02d}", str(year + 1)):
        return None
    return year if 1990 <= year <= 2100 else None


def line_lock(stream: str, year: int) -> str:
    return f"budget:{stream}:{year}"


def committed_pence(session: Session, stream: str, year: int, *, excluding: int | None = None) -> int:
    """Pence committed on the line now (the caller holds the line's lock when it must not move)."""
    start, end = year_bounds(year)
    query = select(func.coalesce(cast(func.sum(Award.amount_pence), BigInteger), 0)).where(
        Award.funding_stream_code == stream,
        col(Award.status).in_(COMMITTED),
        Award.award_date >= start,
        Award.award_date <= end,
    )
    if excluding is not None:
        query = query.where(Award.id != excluding)
    return int(session.exec(query).one())


def _stream_name(session: Session, stream: str) -> str:
    return session.exec(select(FundingStream.name).where(FundingStream.code == stream)).first() or stream


def check_commitment(
    session: Session,
    *,
    actor: Actor,
    stream: str,
    year: int,
    amount_pence: int,
    award_id: int | None,
    override_reason: str = "",
    row: int | None = None,
) -> None:
    """Refuse to commit `amount_pence` for `award_id` (its whole amount, whatever it had before) if the line
    would pass its allocation; an administrator's `override_reason` lets it through, recorded and audited."""
    write_lock(session, line_lock(stream, year))
    line = session.exec(
        select(BudgetLine).where(BudgetLine.funding_stream_code == stream, BudgetLine.year == year)
    ).first()
    if line is None:
        return  # no budget set for this stream and year: not capped (listed as such)
    others = committed_pence(session, stream, year, excluding=award_id)
    total = others + amount_pence
    if total <= line.allocated_pence:
        return
    over = total - line.allocated_pence
    message = (
        f"£{pounds(amount_pence):,} would commit £{pounds(total):,} of the £{pounds(line.allocated_pence):,} "
        f"allocated to {_stream_name(session, stream)} {year_label(year)} (£{pounds(others):,} already committed, "
        f"£{pounds(max(line.allocated_pence - others, 0)):,} remaining): over by £{pounds(over):,}"
    )
    reason = Checker().text({"r": override_reason}, "r", required=False, max_length=500)
    if not reason:
        raise Invalid([Problem(row, "amount_awarded", message + "; only an administrator's override with a reason")])
    if not actor.can(Permission.BUDGET_WRITE):
        raise PermissionDenied(f"{message}. Only an administrator may override a budget ({actor.username} cannot).")
    _override(session, actor=actor, line=line, award_id=award_id, over_by=over, reason=reason)


def _override(
    session: Session, *, actor: Actor, line: BudgetLine, award_id: int | None, over_by: int, reason: str
) -> None:
    override = BudgetOverride(
        funding_stream_code=line.funding_stream_code,
        year=line.year,
        award_id=award_id,
        over_by_pence=over_by,
        reason=reason,
        created_by=actor.username,
    )
    session.add(override)
    session.flush()
    record(
        session,
        actor=actor,
        action="override",
        entity_type="budget_line",
        entity_id=line.id or 0,
        after={
            "funding_stream": line.funding_stream_code,
            "year": year_label(line.year),
            "award_id": award_id,
            "over_by": pounds(over_by),
            "reason": reason,
        },
        note=reason,
    )


def line_dict(line: BudgetLine) -> dict:
    return {
        "funding_stream": line.funding_stream_code,
        "year": year_label(line.year),
        "allocated": pounds(line.allocated_pence),
        "note": line.note,
        "version": line.version,
    }


def set_budget(
    *,
    engine: Engine,
    actor: Actor,
    data: Mapping,
    version: int | None = None,
    override_reason: str = "",
    is_example: bool = False,
) -> int:
    """Set a stream's allocation for a financial year (`data`: funding_stream, year, allocated, note).

    `version`: None for a new line, else the version of the line the administrator saw. Lowering an
    allocation below what is already committed needs an override reason. Returns the line's version."""
    require(actor, Permission.BUDGET_WRITE)
    c = Checker()
    stream = c.text(data, "funding_stream", max_length=40)
    year = parse_year(data.get("year"))
    if year is None:
        c.add("year", f"{data.get('year')!r} is not a financial year: write it as 2026/27 (April 2026 to March 2027)")
    allocated = c.amount(data, "allocated")
    note = c.text(data, "note", required=False, max_length=500)
    with session_scope(engine) as session:
        if stream and session.get(FundingStream, stream) is None:
            c.add("funding_stream", f"{stream!r} is not a funding stream")
        if c.problems or year is None or allocated is None:
            raise Invalid(c.problems)
        write_lock(session, line_lock(stream, year))
        line = session.exec(
            select(BudgetLine).where(BudgetLine.funding_stream_code == stream, BudgetLine.year == year)
        ).first()
        if line is None and version is not None:
            raise Invalid([Problem(None, "year", f"there is no budget for {stream} {year_label(year)} any more")])
        if line is not None and version is None:
            raise Invalid(
                [
                    Problem(
                        None,
                        "year",
                        f"{_stream_name(session, stream)} {year_label(year)} already has a budget of "
                        f"£{pounds(line.allocated_pence):,} (set by {line.updated_by}): change that one",
                    )
                ]
            )
        before = None
        if line is not None:
            line = claim(session, BudgetLine, line.id, version, entity_type="budget_line")
            before = {**line_dict(line), "version": version}
        committed = committed_pence(session, stream, year)
        short = committed - to_pence(allocated)
        reason = Checker().text({"r": override_reason}, "r", required=False, max_length=500)
        if short > 0 and not reason:
            message = f"£{allocated:,.2f} is less than the £{pounds(committed):,} committed in {year_label(year)}"
            raise Invalid([Problem(None, "allocated", message + "; give an override reason to set it anyway")])
        if line is None:
            line = BudgetLine(
                funding_stream_code=stream,
                year=year,
                allocated_pence=to_pence(allocated),
                note=note,
                is_example=is_example,
                created_by=actor.username,
                updated_by=actor.username,
            )
            session.add(line)
            session.flush()
        else:
            line.allocated_pence, line.note = to_pence(allocated), note
            line.updated_by, line.updated_at = actor.username, utcnow()
            session.add(line)
        if short > 0:
            _override(session, actor=actor, line=line, award_id=None, over_by=short, reason=reason)
        record_save(
            session,
            actor=actor,
            entity_type="budget_line",
            entity_id=line.id or 0,
            before=before,
            after=line_dict(line),
        )
        return line.version
