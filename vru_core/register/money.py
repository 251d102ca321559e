"""Money and monitoring on an award: payments (never past the amount awarded) and monitoring returns.

The cap holds under concurrency on both stores: a payment first takes the award's row lock
(`locking.lock_row`: SELECT ... FOR UPDATE on PostgreSQL, the store's writer lock on SQLite, which
ignores FOR UPDATE), then reads what is paid, checks, and inserts, all in one transaction. An edit of
the award takes the same lock by its version step, so lowering the amount below what is paid and
paying past a raised amount are both decided on current figures.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy import BigInteger, Engine, cast, func
from sqlmodel import Session, select

from vru_core.models import Award, MonitoringReturn, Payment
from vru_core.platform.audit import record, record_created, snapshot
from vru_core.platform.auth import Actor, Permission, require
from vru_core.platform.db import session_scope
from vru_core.platform.errors import Invalid, Problem
from vru_core.platform.locking import claim, lock_existing
from vru_core.register.schedule import payment_hold
from vru_core.register.statuses import COMMITTED
from vru_core.register.validation import RAG, Checker, check_period, to_pence, to_pounds


def paid_pence(session: Session, award_id: int) -> int:
    return session.exec(
        select(func.coalesce(cast(func.sum(Payment.amount_pence), BigInteger), 0)).where(Payment.award_id == award_id)
    ).one()


def paid_by_award(session: Session, award_ids: list[int]) -> dict[int, int]:
    """Pence paid so far, for each of these awards that has payments."""
    if not award_ids:
        return {}
    total = cast(func.sum(Payment.amount_pence), BigInteger)
    query = select(Payment.award_id, total).where(Payment.award_id.in_(award_ids)).group_by(Payment.award_id)
    return {award_id: int(pence) for award_id, pence in session.exec(query).all()}


def payment_dict(p: Payment) -> dict:
    return {
        "award_id": p.award_id,
        "paid_on": p.paid_on,
        "amount": to_pounds(p.amount_pence),
        "note": p.note,
        "version": p.version,
    }


def _locked_award(session: Session, award_id: int) -> Award:
    award = lock_existing(session, Award, award_id, what="award")
    return award


def add_payment(*, engine: Engine, actor: Actor, award_id: int, data: Mapping) -> int:
    """Record money paid; the total paid never exceeds the award, and a proposed or withdrawn award takes none."""
    require(actor, Permission.REGISTER_WRITE)
    c = Checker()
    amount = c.amount(data, "amount")
    paid_on = c.date(data, "paid_on")
    note = c.text(data, "note", required=False, max_length=500)
    if c.problems or amount is None or paid_on is None:
        raise Invalid(c.problems)
    with session_scope(engine) as session:
        award = _locked_award(session, award_id)  # from here no other payment or edit of this award interleaves
        if award.status not in COMMITTED:
            raise Invalid([Problem(None, "amount", f"a {award.status} award cannot be paid; approve it first")])
        paid = paid_pence(session, award_id)
        if paid + to_pence(amount) > award.amount_pence:
            left = to_pounds(award.amount_pence - paid)
            raise Invalid(
                [
                    Problem(
                        None,
                        "amount",
                        f"£{amount:,} would take payments past the award of £{to_pounds(award.amount_pence):,} "
                        f"(£{to_pounds(paid):,} paid, £{left:,} left)",
                    )
                ]
            )
        held = payment_hold(session, award_id, paid, to_pence(amount))
        if held is not None:
            raise Invalid([held])
        payment = Payment(
            award_id=award_id, paid_on=paid_on, amount_pence=to_pence(amount), note=note, created_by=actor.username
        )
        return record_created(session, payment, actor=actor, entity_type="payment", after=payment_dict)


def delete_payment(*, engine: Engine, actor: Actor, payment_id: int, version: int, note: str = "") -> None:
    """Remove a payment recorded in error, at the version the commissioner saw; its last state stays in the log."""
    require(actor, Permission.REGISTER_WRITE)
    _delete_audited(engine, actor, Payment, payment_id, version, "payment", payment_dict, note=note)


# --- monitoring returns --------------------------------------------------------------------------


def _clean_return(data: Mapping) -> dict:
    c = Checker()
    cleaned = {
        "period": check_period(c, data),
        "rag": (c.choice({"rag": str(data.get("rag") or "").lower()}, "rag", RAG) or ""),
        "people_reached": c.count(data, "people_reached"),
        "under_25_reached": c.count(data, "under_25_reached"),
        "outputs": c.text(data, "outputs", required=False, max_length=5000),
        "narrative": c.text(data, "narrative", required=False, max_length=20000),
    }
    if cleaned["under_25_reached"] > cleaned["people_reached"]:
        c.add("under_25_reached", "cannot be more than the people reached in total")
    if c.problems:
        raise Invalid(c.problems)
    return cleaned


def return_dict(r: MonitoringReturn) -> dict:
    columns = ("award_id", "period", "rag", "people_reached", "under_25_reached", "outputs", "narrative", "version")
    return snapshot(r, *columns)


def add_return(*, engine: Engine, actor: Actor, award_id: int, data: Mapping) -> int:
    """A monitoring return for a period (one per award and period)."""
    require(actor, Permission.REGISTER_WRITE)
    cleaned = _clean_return(data)
    with session_scope(engine) as session:
        _locked_award(session, award_id)  # two people entering the same period: the second is told, not a crash
        exists = session.exec(
            select(MonitoringReturn.id).where(
                MonitoringReturn.award_id == award_id, MonitoringReturn.period == cleaned["period"]
            )
        ).first()
        if exists is not None:
            raise Invalid(
                [Problem(None, "period", f"there is already a return for {cleaned['period']}; edit that one instead")]
            )
        row = MonitoringReturn(award_id=award_id, created_by=actor.username, **cleaned)
        return record_created(session, row, actor=actor, entity_type="monitoring_return", after=return_dict)


def update_return(*, engine: Engine, actor: Actor, return_id: int, version: int, data: Mapping) -> int:
    """Change a return from the `version` the commissioner opened; returns the new version."""
    require(actor, Permission.REGISTER_WRITE)
    cleaned = _clean_return(data)
    with session_scope(engine) as session:
        row = claim(session, MonitoringReturn, return_id, version, entity_type="monitoring_return")
        before = {**return_dict(row), "version": version}
        if (
            cleaned["period"] != row.period
            and session.exec(
                select(MonitoringReturn.id).where(
                    MonitoringReturn.award_id == row.award_id, MonitoringReturn.period == cleaned["period"]
                )
            ).first()
        ):
            raise Invalid([Problem(None, "period", f"there is already a return for {cleaned['period']}")])
        for key, value in cleaned.items():
            setattr(row, key, value)
        session.add(row)
        record(
            session,
            actor=actor,
            action="update",
            entity_type="monitoring_return",
            entity_id=return_id,
            before=before,
            after=return_dict(row),
        )
        return row.version


def delete_return(*, engine: Engine, actor: Actor, return_id: int, version: int) -> None:
    require(actor, Permission.REGISTER_WRITE)
    _delete_audited(engine, actor, MonitoringReturn, return_id, version, "monitoring_return", return_dict)


def _delete_audited(
    engine: Engine,
    actor: Actor,
    model: Any,
    row_id: int,
    version: int,
    entity_type: str,
    as_dict: Callable[[Any], dict],
    note: str = "",
) -> None:
    """Delete one payment or return at the version the person saw, leaving its last state in the audit log."""
    note = Checker().text({"note": note}, "note", required=False, max_length=500)
    with session_scope(engine) as session:
        row = claim(session, model, row_id, version, entity_type=entity_type)
        record(
            session,
            actor=actor,
            action="delete",
            entity_type=entity_type,
            entity_id=row_id,
            before={**as_dict(row), "version": version},
            note=note,
        )
        session.delete(row)
