"""What a target's writers left behind, counted afterwards: (present, distinct, audited).

Distinct is what proves nothing was written twice; audited, that every write has its audit entry.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, Engine, func, select

from bench.stress.scenarios import APPROVE_TITLE, PREFIX
from vru_core.models import AuditEntry, User


def _counted(engine: Engine, model: type, marker, *audit: ColumnElement[bool]) -> tuple[int, int, int]:
    """Rows of `model` whose `marker` starts with the writers' prefix, distinct values of it, audit entries."""
    mine = marker.startswith(PREFIX)
    with engine.connect() as conn:
        present = conn.execute(select(func.count()).select_from(model).where(mine)).scalar()
        distinct = conn.execute(select(func.count(func.distinct(marker))).where(mine)).scalar()
        audited = conn.execute(select(func.count()).select_from(AuditEntry).where(*audit)).scalar()
    return present, distinct, audited


def count_users(engine: Engine) -> tuple[int, int, int]:
    audit = (AuditEntry.entity_type == "user", AuditEntry.entity_id.startswith(PREFIX))
    return _counted(engine, User, User.username, *audit)


def count_payments(engine: Engine) -> tuple[int, int, int]:
    from vru_core.models.register import Payment

    return _counted(engine, Payment, Payment.note, AuditEntry.entity_type == "payment", AuditEntry.action == "create")


def count_awards(engine: Engine) -> tuple[int, int, int]:
    from vru_core.models.register import Award

    with engine.connect() as conn:
        titles = [t for (t,) in conn.execute(select(Award.title).where(Award.title.startswith(PREFIX)))]
        identifiers = conn.execute(
            select(func.count(func.distinct(Award.identifier))).where(Award.title.startswith(PREFIX))
        ).scalar()
        audited = conn.execute(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.entity_type == "award", AuditEntry.action == "create")
        ).scalar()
    # Distinct means distinct on both: no title twice and no identifier handed out twice.
    return len(titles), min(len(set(titles)), identifiers), audited


def count_approvals(engine: Engine) -> tuple[int, int, int]:
    from vru_core.models.register import Award

    with engine.connect() as conn:
        approved = [
            i
            for (i,) in conn.execute(
                select(Award.id).where(Award.title.startswith(APPROVE_TITLE), Award.status == "approved")
            )
        ]
        audited = conn.execute(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.entity_type == "award", AuditEntry.note == "proposed -> approved")
        ).scalar()
    return len(approved), len(set(approved)), audited
