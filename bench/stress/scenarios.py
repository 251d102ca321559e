"""What the races share: the names writers give their records, the records set up before a race starts
(the raced award, the approval budget line and its proposed awards, the one import file), and what is
measured on them afterwards (paid against awarded, committed against allocated)."""

from __future__ import annotations

import csv
import io

from sqlalchemy import Engine, func, select
from sqlmodel import Session

from tests.factories import sample_award
from vru_core.platform.auth import Actor, Role

PREFIX = "stress-"
RACED_TITLE = f"{PREFIX}payments-award"
PAYMENT_PENCE = 1_000  # £10 a payment
IMPORT_RACE = [f"360G-LondonVRU-RACE-{i:04d}" for i in range(1, 21)]
APPROVE_TITLE = f"{PREFIX}approve-"
RACED_STREAM, RACED_YEAR = "young_londoners_fund", 2026  # sample_award's stream, and its award date's year


def raced_award(engine: Engine, *, award_pounds: int) -> int:
    """An approved award for the payment race (created by the parent before the writers start)."""
    from vru_core.register.lifecycle import create_award, transition_award

    data = {**sample_award(engine, title=RACED_TITLE), "amount_awarded": str(award_pounds)}
    award_id = create_award(engine=engine, actor=Actor("stress-setup", Role.ADMIN), data=data)
    # Approved by someone else: whoever created an award cannot approve it (vru_core.register.controls).
    approver = Actor("stress-approver", Role.ADMIN)
    transition_award(engine=engine, actor=approver, award_id=award_id, version=1, to_status="approved")
    return award_id


_raced: dict[str, int] = {}


def raced_award_id(engine: Engine) -> int:
    """The raced award's id in this store (looked up once a process)."""
    from vru_core.models.register import Award

    url = str(engine.url)
    if url not in _raced:
        with engine.connect() as conn:
            _raced[url] = conn.execute(select(Award.id).where(Award.title == RACED_TITLE)).scalar_one()
    return _raced[url]


def import_race_csv(engine: Engine) -> str:
    """The one file every importing writer sends: the same 20 new identifiers."""
    from vru_core.register.columns import TEMPLATE_COLUMNS

    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(TEMPLATE_COLUMNS), extrasaction="ignore")
    writer.writeheader()
    for identifier in IMPORT_RACE:
        writer.writerow({**sample_award(engine, title=f"{PREFIX}{identifier}"), "identifier": identifier})
    return out.getvalue()


def budget_race(engine: Engine, *, writers: int, each: int, award_pounds: int, allocated_pounds: int) -> None:
    """The approval race: a budget line, and one proposed award per writer and item drawing on it."""
    from vru_core.register.budget import set_budget
    from vru_core.register.lifecycle import create_award

    admin = Actor("stress-admin", Role.ADMIN)
    line = {"funding_stream": RACED_STREAM, "year": str(RACED_YEAR), "allocated": str(allocated_pounds)}
    set_budget(engine=engine, actor=admin, data=line)
    base = {**sample_award(engine, title=""), "amount_awarded": str(award_pounds), "area_amounts": ""}
    for w in range(writers):
        for i in range(each):
            create_award(engine=engine, actor=admin, data={**base, "title": f"{APPROVE_TITLE}w{w}-{i:05d}"})


def committed_and_allocated(engine: Engine) -> tuple[int, int]:
    """(pence committed, pence allocated) on the raced budget line."""
    from vru_core.models import BudgetLine
    from vru_core.register.budget import committed_pence

    with Session(engine) as session:
        allocated = session.exec(
            select(BudgetLine.allocated_pence).where(
                BudgetLine.funding_stream_code == RACED_STREAM, BudgetLine.year == RACED_YEAR
            )
        ).scalar_one()
        return committed_pence(session, RACED_STREAM, RACED_YEAR), int(allocated)


def paid_and_awarded(engine: Engine) -> tuple[int, int]:
    """(pence paid, pence awarded) on the raced award."""
    from vru_core.models.register import Award, Payment

    with engine.connect() as conn:
        award_id, awarded = conn.execute(select(Award.id, Award.amount_pence).where(Award.title == RACED_TITLE)).one()
        paid = conn.execute(
            select(func.coalesce(func.sum(Payment.amount_pence), 0)).where(Payment.award_id == award_id)
        )
        return int(paid.scalar()), int(awarded)
