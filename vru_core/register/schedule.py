"""Payment schedules: an award's instalments, each with a due date and, where the schedule says so, the
monitoring return that must be received before it is paid.

Payments fill instalments in due order (the first £X paid covers instalment 1, and so on), so an
instalment is paid, part paid, overdue (due date passed), due (within the due list's horizon) or
scheduled. A payment that would reach into an instalment whose monitoring return has not been received
is refused (`payment_hold`, checked by money.add_payment under the award's row lock). The instalments
never add up to more than the award; the schedule is replaced as a whole, from the version the
commissioner saw.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import Engine, delete
from sqlmodel import Session, col, select

from vru_core.models import Award, Instalment, MonitoringReturn, PaymentSchedule
from vru_core.models.common import utcnow
from vru_core.platform.audit import record_save
from vru_core.platform.auth import Actor, Permission, require
from vru_core.platform.db import session_scope
from vru_core.platform.errors import Invalid, NotFound, Problem, Refused
from vru_core.platform.locking import claim, gone, lock_existing
from vru_core.register.budget import pounds
from vru_core.register.validation import Checker, check_period, to_pence, to_pounds

MAX_INSTALMENTS = 60


@dataclass(frozen=True)
class InstalmentLine:
    position: int
    due_on: dt.date
    amount: Decimal
    return_period: str | None
    paid: Decimal  # how much of it the payments so far cover
    status: str  # paid | part paid | overdue | due | scheduled
    waiting_for_return: bool  # its monitoring return is required and not yet received

    @property
    def outstanding(self) -> Decimal:
        return self.amount - self.paid


def allocate(
    instalments: Sequence[Instalment],
    paid_pence: int,
    received: set[str],
    today: dt.date,
    within_days: int = 30,
) -> list[InstalmentLine]:
    """Each instalment's state: payments so far cover them in due order."""
    left = paid_pence
    out = []
    horizon = today + dt.timedelta(days=within_days)
    for i in sorted(instalments, key=lambda x: (x.due_on, x.position)):
        covered = min(left, i.amount_pence)
        left -= covered
        if covered == i.amount_pence:
            status = "paid"
        elif i.due_on < today:
            status = "overdue"
        elif covered:
            status = "part paid"
        elif i.due_on <= horizon:
            status = "due"
        else:
            status = "scheduled"
        waiting = bool(i.return_period) and i.return_period not in received and status != "paid"
        out.append(
            InstalmentLine(
                i.position, i.due_on, pounds(i.amount_pence), i.return_period, pounds(covered), status, waiting
            )
        )
    return out


def received_periods(session: Session, award_id: int) -> set[str]:
    return set(session.exec(select(MonitoringReturn.period).where(MonitoringReturn.award_id == award_id)).all())


def instalments_of(session: Session, award_id: int) -> list[Instalment]:
    return list(
        session.exec(select(Instalment).where(Instalment.award_id == award_id).order_by(col(Instalment.position))).all()
    )


def payment_hold(session: Session, award_id: int, paid_pence: int, amount_pence: int) -> Problem | None:
    """The refusal when paying `amount_pence` now would reach into an instalment still waiting for its return."""
    upto = 0
    for i in instalments_of(session, award_id):
        if i.return_period and i.return_period not in received_periods(session, award_id):
            if paid_pence + amount_pence > upto:
                left = max(upto - paid_pence, 0)
                return Problem(
                    None,
                    "amount",
                    f"instalment {i.position} (£{to_pounds(i.amount_pence):,} due {i.due_on:%d %b %Y}) is paid only "
                    f"once the {i.return_period} monitoring return is received; £{to_pounds(left):,} can be paid now",
                )
            return None
        upto += i.amount_pence
    return None


def _clean(rows: Sequence[Mapping]) -> tuple[list[tuple[dt.date, int, str | None]], list[Problem]]:
    cleaned, problems = [], []
    if len(rows) > MAX_INSTALMENTS:
        return [], [Problem(None, "instalments", f"at most {MAX_INSTALMENTS} instalments")]
    for n, row in enumerate(rows, start=1):
        c = Checker(row=n)
        due_on = c.date(row, "due_on")
        amount = c.amount(row, "amount")
        raw_period = str(row.get("return_period") or "").strip()
        period = check_period(c, {"return_period": raw_period}, "return_period") if raw_period else None
        problems += c.problems
        if due_on is not None and amount is not None and not c.problems:
            cleaned.append((due_on, to_pence(amount), period))
    return sorted(cleaned, key=lambda x: x[0]), problems


def _as_dict(award_id: int, rows: Sequence[Instalment], version: int) -> dict:
    return {
        "award_id": award_id,
        "instalments": [
            {"due_on": i.due_on, "amount": to_pounds(i.amount_pence), "return_period": i.return_period} for i in rows
        ],
        "version": version,
    }


def set_schedule(
    *, engine: Engine, actor: Actor, award_id: int, version: int | None, instalments: Sequence[Mapping]
) -> int:
    """Replace an award's instalments (each: due_on, amount, optional return_period) from the schedule
    `version` the commissioner saw (0 or None: there was none). Returns the schedule's new version."""
    require(actor, Permission.REGISTER_WRITE)
    cleaned, problems = _clean(instalments)
    if problems:
        raise Invalid(problems)
    with session_scope(engine) as session:
        award = lock_existing(session, Award, award_id, what="award")
        if award.status in ("completed", "withdrawn"):
            raise Refused(f"status: a {award.status} award's payment schedule is closed")
        total = sum(p for _, p, _ in cleaned)
        if total > award.amount_pence:
            message = (
                f"the instalments add up to £{to_pounds(total):,}, more than the award's "
                f"£{to_pounds(award.amount_pence):,}"
            )
            raise Invalid([Problem(None, "amount", message)])
        schedule = session.get(PaymentSchedule, award_id)
        if schedule is None:
            if version:
                raise gone("payment_schedule", award_id, version)
            schedule = PaymentSchedule(award_id=award_id, updated_by=actor.username)
            session.add(schedule)
            session.flush()
            before = None
        else:
            claim(session, PaymentSchedule, award_id, version, entity_type="payment_schedule")
            before = _as_dict(award_id, instalments_of(session, award_id), schedule.version - 1)
            schedule.updated_by, schedule.updated_at = actor.username, utcnow()
            session.add(schedule)
        session.exec(delete(Instalment).where(col(Instalment.award_id) == award_id))
        rows = [
            Instalment(award_id=award_id, position=n, due_on=d, amount_pence=p, return_period=r)
            for n, (d, p, r) in enumerate(cleaned, start=1)
        ]
        session.add_all(rows)
        session.flush()
        record_save(
            session,
            actor=actor,
            entity_type="payment_schedule",
            entity_id=award_id,
            before=before,
            after=_as_dict(award_id, rows, schedule.version),
        )
        return schedule.version


@dataclass(frozen=True)
class ScheduleView:
    version: int  # 0: no schedule yet
    lines: list[InstalmentLine]
    scheduled: Decimal
    unscheduled: Decimal  # the award's amount not covered by any instalment


def schedule_view(
    engine: Engine, award_id: int, *, today: dt.date | None = None, within_days: int = 30
) -> ScheduleView:
    from vru_core.register.money import paid_pence  # money imports this module for the hold

    with session_scope(engine) as session:
        award = session.get(Award, award_id)
        if award is None:
            raise NotFound(f"No award with id {award_id}")
        schedule = session.get(PaymentSchedule, award_id)
        rows = instalments_of(session, award_id)
        lines = allocate(
            rows,
            paid_pence(session, award_id),
            received_periods(session, award_id),
            today or dt.date.today(),
            within_days,
        )
        scheduled = sum(r.amount_pence for r in rows)
        return ScheduleView(
            version=schedule.version if schedule else 0,
            lines=lines,
            scheduled=pounds(scheduled),
            unscheduled=pounds(max(award.amount_pence - scheduled, 0)),
        )
