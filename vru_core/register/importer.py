"""Bulk entry from CSV: check every row first and list every problem, then write it all in one transaction.

The award identifier is the key: re-importing a file creates nothing new and changes nothing that is
already the same; a row whose identifier exists with different values updates that award (audited).

Never a lost update: an existing award is only updated if it is still at the version the row was
exported at (the `version` column of 'Download for editing') or, without one, the version it had when
the file was checked (the plan the person was shown). The check and the writes run in one
transaction under the register's write lock (and, on PostgreSQL, with the awards' rows locked), so a
colleague's change in between makes that row a conflict (row, field, who changed it), never an
overwrite; two people importing the same new identifiers at once: the second is told so.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import SimpleNamespace

from sqlalchemy import Engine, bindparam, insert, select, update
from sqlmodel import Session

from vru_core.models import Award
from vru_core.models.common import utcnow
from vru_core.platform import labels
from vru_core.platform.audit import record, record_many
from vru_core.platform.auth import Actor, Permission, require
from vru_core.platform.db import session_scope
from vru_core.platform.errors import Invalid, Problem, Stale
from vru_core.platform.locking import write_lock
from vru_core.register.budget import check_commitment, financial_year
from vru_core.register.columns import TEMPLATE_COLUMNS, area_rows, award_columns, award_snapshot, replace_links
from vru_core.register.controls import approval_limit, variation_problems, varied_fields
from vru_core.register.import_plan import (
    COLUMN_GUIDE,
    MAX_IMPORT_BYTES,
    REQUIRED_COLUMNS,
    ImportPlan,
    Planned,
    Progress,
    Stored,
    as_row,
    check_csv,
    conflict,
    last_change,
    template_csv,
)
from vru_core.register.lifecycle import REGISTER_LOCK, resolve_organisation
from vru_core.register.money import paid_by_award
from vru_core.register.statuses import COMMITTED
from vru_core.register.validation import to_pence, to_pounds

# What pages and the command line use from here (the plan lives in import_plan).
__all__ = [
    "COLUMN_GUIDE",
    "MAX_IMPORT_BYTES",
    "REQUIRED_COLUMNS",
    "TEMPLATE_COLUMNS",
    "ImportPlan",
    "ImportResult",
    "check_csv",
    "import_csv",
    "template_csv",
]
BATCH = 1000


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    unchanged: int


def _lock_current(session: Session, identifiers: list[str]) -> dict[str, tuple[int, int]]:
    """identifier -> (id, version) as committed now; on PostgreSQL the rows stay locked until commit."""
    table = Award.__table__
    found: dict[str, tuple[int, int]] = {}
    for start in range(0, len(identifiers), BATCH):
        chunk = identifiers[start : start + BATCH]
        query = select(table.c.identifier, table.c.id, table.c.version).where(table.c.identifier.in_(chunk))
        if session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update()
        found.update({i: (a, v) for i, a, v in session.execute(query)})
    return found


def _conflicts(session: Session, plan: ImportPlan, seen: Mapping[str, int] | None) -> list[Problem]:
    """Every row whose award is no longer as the person saw it, checked under the locks.

    With `seen` (the check the person was shown), rows that are unchanged now are checked too: a row
    shown as new that someone else added meanwhile is a conflict, even if they typed the same values."""
    rows: list[tuple[Planned, Stored | None]] = [(p, None) for p in plan.to_create] + list(plan.to_update)
    if seen is not None:
        rows += plan.unchanged_rows
    current = _lock_current(session, [p.data.identifier or "" for p, _ in rows])
    problems = []
    for planned, stored in sorted(rows, key=lambda r: r[0].line):
        identifier = planned.data.identifier or ""
        if planned.expected_version is not None:
            expected: int | None = planned.expected_version
        elif seen is not None:
            expected = seen.get(identifier)
        else:
            expected = stored.version if stored is not None else None
        now = current.get(identifier)
        if (now[1] if now else None) == expected:
            continue
        by, what = last_change(session, now[0], expected) if now else ("", "")
        problems.append(conflict(planned.line, identifier, expected, now[1] if now else None, by, what))
    return problems


def import_csv(
    *,
    engine: Engine,
    actor: Actor,
    content: bytes | str,
    seen: Mapping[str, int] | None = None,
    progress: Progress | None = None,
    is_example: bool = False,
) -> ImportResult:
    """All or nothing: problems raise Invalid, conflicts (see the module docstring) Stale; nothing is written then.

    `seen`: the plan's `seen` from the check the person was shown (the page passes it)."""
    require(actor, Permission.REGISTER_WRITE)
    plan = check_csv(engine, content, progress=progress)
    if plan.problems:
        raise Invalid(plan.problems + plan.conflicts)
    if plan.conflicts:
        raise Stale(_summary(plan.conflicts), plan.conflicts)
    with session_scope(engine) as session:
        write_lock(session, REGISTER_LOCK)  # organisations and identifiers are read-then-insert
        conflicts = _conflicts(session, plan, seen)
        if conflicts:
            raise Stale(_summary(conflicts), conflicts)
        org_pk: dict[str, int] = {}
        for planned in [*plan.to_create, *(p for p, _ in plan.to_update)]:
            org = planned.data.organisation
            if org["org_id"] not in org_pk:  # each organisation once: created, or given a number it lacked
                org_pk[org["org_id"]], problems = resolve_organisation(
                    session, actor=actor, org=org, is_example=is_example, row=planned.line
                )
                if problems:
                    raise Invalid(problems)
        _check_controls(session, actor, plan.to_create)
        _create(session, actor, plan.to_create, org_pk, is_example, progress)
        _update(session, actor, plan.to_update, org_pk)
        record(
            session,
            actor=actor,
            action="import",
            entity_type="register",
            entity_id="csv",
            after={"created": len(plan.to_create), "updated": len(plan.to_update), "unchanged": plan.unchanged},
        )
    if progress:
        progress(1.0, "Done")
    return ImportResult(created=len(plan.to_create), updated=len(plan.to_update), unchanged=plan.unchanged)


def _check_controls(session: Session, actor: Actor, rows: list[Planned]) -> None:
    """Rows imported already approved, active or completed record decisions taken before the register:
    each must be within the importer's approval limit, and together within each budget line."""
    limit = approval_limit(actor)
    problems, by_line = [], {}
    for planned in rows:
        d = planned.data
        if (d.status or "proposed") not in COMMITTED:
            continue
        if limit is not None and d.amount > limit:
            role = labels.role(actor.role)
            message = f"£{d.amount:,} is above the £{limit:,} approval limit of the {role} role for a committed award"
            problems.append(Problem(planned.line, "amount_awarded", message))
        key = (d.funding_stream_code, financial_year(d.award_date))
        first, total = by_line.get(key, (planned.line, 0))
        by_line[key] = (first, total + to_pence(d.amount))
    if problems:
        raise Invalid(problems)
    for (stream, year), (line, total) in sorted(by_line.items()):
        check_commitment(session, actor=actor, stream=stream, year=year, amount_pence=total, award_id=None, row=line)


def _summary(conflicts: list[Problem]) -> str:
    more = f" (and {len(conflicts) - 1} more row(s), listed with it)" if len(conflicts) > 1 else ""
    return f"Nothing was imported: {conflicts[0]}{more}."


def _create(
    session: Session,
    actor: Actor,
    rows: list[Planned],
    org_pk: dict[str, int],
    is_example: bool,
    progress: Progress | None,
) -> None:
    now = utcnow()
    table = Award.__table__
    for start in range(0, len(rows), BATCH):
        batch = [p.data for p in rows[start : start + BATCH]]
        values = [
            {
                "identifier": d.identifier,
                **award_columns(d, org_pk[d.organisation["org_id"]]),
                "status": d.status or "proposed",
                "version": 1,
                "is_example": is_example,
                "created_at": now,
                "created_by": actor.username,
                "updated_at": now,
                "updated_by": actor.username,
            }
            for d in batch
        ]
        returned = session.execute(insert(table).returning(table.c.id, table.c.identifier), values).all()
        ids = {identifier: award_id for award_id, identifier in returned}
        replace_links(session, {ids[d.identifier]: d for d in batch})
        record_many(
            session,
            actor=actor,
            entries=[
                {
                    "action": "create",
                    "entity_type": "award",
                    "entity_id": ids[d.identifier],
                    "after": award_snapshot(SimpleNamespace(**v), d.objectives, area_rows(d), d.organisation["org_id"]),
                    "note": "import",
                }
                for d, v in zip(batch, values, strict=True)
            ],
        )
        if progress:
            progress(0.5 + 0.5 * (start + len(batch)) / max(len(rows), 1), f"Saved {start + len(batch):,} new awards")


def _update(session: Session, actor: Actor, rows: list[tuple[Planned, Stored]], org_pk: dict[str, int]) -> None:
    """Batched as creates are: one UPDATE per batch (executemany), links replaced in bulk, audit in bulk."""
    table = Award.__table__
    now = utcnow()
    for start in range(0, len(rows), BATCH):
        batch = rows[start : start + BATCH]
        params, entries, links, problems = [], [], {}, []
        paid = paid_by_award(session, [stored.id for _, stored in batch])
        for planned, stored in batch:
            d = planned.data
            columns = award_columns(d, org_pk[d.organisation["org_id"]])
            after = award_snapshot(
                as_row(stored.identifier, columns, stored.status, stored.version + 1, stored.is_example),
                d.objectives,
                area_rows(d),
                d.organisation["org_id"],
            )
            if stored.status in COMMITTED:
                changed = varied_fields(stored.snapshot(), after)
                if changed:
                    problems += variation_problems(changed, stored.status, planned.line)
                    continue
            if columns["amount_pence"] < paid.get(stored.id, 0):
                already = to_pounds(paid[stored.id])
                problems.append(Problem(planned.line, "amount_awarded", f"less than the £{already:,} already paid"))
                continue
            params.append(
                {
                    "b_id": stored.id,
                    "b_version": stored.version,
                    **columns,
                    "updated_by": actor.username,
                    "updated_at": now,
                }
            )
            links[stored.id] = d
            entries.append(
                {
                    "action": "update",
                    "entity_type": "award",
                    "entity_id": stored.id,
                    "before": stored.snapshot(),
                    "after": after,
                    "note": "import",
                }
            )
        if problems:
            raise Invalid(problems)
        session.execute(
            update(table)
            .where(table.c.id == bindparam("b_id"), table.c.version == bindparam("b_version"))
            .values(version=table.c.version + 1),
            params,
            execution_options={"synchronize_session": False},
        )
        replace_links(session, links)
        record_many(session, actor=actor, entries=entries)
