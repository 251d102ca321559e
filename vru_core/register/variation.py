"""Variations: once an award is approved, a change to its amount, dates, stream or areas needs its own approval.

`propose_variation` records the change (from the award's version the proposer saw) without touching the
award; `decide_variation` approves or rejects it. Approval follows the award's own controls: not by whoever
proposed the variation or created or assessed the award, within the approver's limit for the new amount,
and within the budget of the line it lands on (an administrator may override with a reason). The award
must still be at the version the variation was proposed against; if anyone changed it since, the
approval is refused as stale and the variation has to be proposed again from what the award is now.
Every variation, open or decided, is listed on the award.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from types import SimpleNamespace

from sqlalchemy import Engine
from sqlmodel import col, select

from vru_core.models import Award, AwardVariation
from vru_core.models.common import utcnow
from vru_core.platform.audit import jsonable, record, record_created, snapshot
from vru_core.platform.auth import Actor, Permission, require
from vru_core.platform.db import session_scope
from vru_core.platform.errors import Invalid, NotFound, Problem, Refused
from vru_core.platform.locking import check_version, claim, lock_existing
from vru_core.register.budget import check_commitment, financial_year
from vru_core.register.columns import area_rows, award_columns, award_snapshot
from vru_core.register.controls import FIELD_LABELS, VARIATION_FIELDS, check_approver, varied_fields
from vru_core.register.lifecycle import apply_update, claim_award, snapshot_from_session
from vru_core.register.money import paid_pence
from vru_core.register.validation import Checker, Reference, clean_award, to_pence, to_pounds

OPEN_STATUSES = ("approved", "active")  # awards that can be varied (a proposed one is edited directly)
IGNORED = frozenset({"identifier", "status", "version", "is_example"})


def variation_dict(v: AwardVariation) -> dict:
    said = ("award_id", "status", "from_version", "changes", "reason")
    return snapshot(v, *said, "proposed_by", "decided_by", "decision_note", "version")


def propose_variation(*, engine: Engine, actor: Actor, award_id: int, version: int, data: Mapping, reason: str) -> int:
    """Record a proposed change to an approved award (`data`: the award's fields as they would become, in
    the form's names) from the award `version` the proposer saw; returns the variation's id."""
    require(actor, Permission.REGISTER_WRITE)
    c = Checker()
    reason = c.text({"reason": reason}, "reason", max_length=1000)
    clean, problems = clean_award(data, Reference.load(engine))
    if clean is None or c.problems:
        raise Invalid(c.problems + problems)
    with session_scope(engine) as session:
        # Locked: two proposals at once, and the second sees the first.
        award = lock_existing(session, Award, award_id, what="award")
        check_version(session, award, version, entity_type="award", entity_id=str(award_id))
        if award.status not in OPEN_STATUSES:
            raise Refused(f"status: a {award.status} award is not varied (a proposed one is edited directly)")
        if session.exec(
            select(AwardVariation.id).where(AwardVariation.award_id == award_id, AwardVariation.status == "proposed")
        ).first():
            raise Refused("A variation of this award is already waiting for approval: decide that one first.")
        before = snapshot_from_session(session, award)
        after = award_snapshot(
            SimpleNamespace(**{**award.model_dump(), **award_columns(clean, award.organisation_id)}),
            clean.objectives,
            area_rows(clean),
            clean.organisation["org_id"],
        )
        others = [k for k in after if k not in IGNORED and k not in VARIATION_FIELDS and before.get(k) != after[k]]
        changed = varied_fields(before, after)
        problems = [Problem(None, k, "not part of a variation: change it with Edit this award") for k in others]
        if not changed:
            labels = ", ".join(FIELD_LABELS.values())
            problems.append(Problem(None, "amount_awarded", f"a variation changes at least one of: {labels}"))
        paid = paid_pence(session, award_id)
        if to_pence(clean.amount) < paid:
            problems.append(Problem(None, "amount_awarded", f"less than the £{to_pounds(paid):,} already paid"))
        if problems:
            raise Invalid(problems)
        row = AwardVariation(
            award_id=award_id,
            from_version=award.version,
            changes=jsonable({k: list(v) for k, v in changed.items()}),
            data=jsonable(dict(data)),
            reason=reason,
            proposed_by=actor.username,
        )
        return record_created(
            session, row, actor=actor, entity_type="award_variation", after=variation_dict, note=reason
        )


def decide_variation(
    *,
    engine: Engine,
    actor: Actor,
    variation_id: int,
    version: int,
    approve: bool,
    note: str = "",
    override_reason: str = "",
) -> int:
    """Approve (apply to the award) or reject a proposed variation seen at `version`; returns its new version."""
    require(actor, Permission.REGISTER_WRITE)
    note = Checker().text({"note": note}, "note", required=False, max_length=500)
    ref = Reference.load(engine)
    with session_scope(engine) as session:
        var = claim(session, AwardVariation, variation_id, version, entity_type="award_variation")
        before_var = {**variation_dict(var), "version": version}
        if var.status != "proposed":
            raise Refused(f"This variation was already {var.status} by {var.decided_by}.")
        if approve:
            clean, problems = clean_award(var.data, ref)
            if clean is None:  # a rule changed since it was proposed (e.g. a stream closed)
                raise Invalid(problems)
            award = session.get(Award, var.award_id)
            if award is None:
                raise NotFound(f"No award with id {var.award_id}")
            check_approver(
                session, actor=actor, award=award, amount_pence=to_pence(clean.amount), proposed_by=var.proposed_by
            )
            old_line = (award.funding_stream_code, financial_year(award.award_date), award.amount_pence)
            award, before = claim_award(session, var.award_id, var.from_version)
            new_line = (clean.funding_stream_code, financial_year(clean.award_date), to_pence(clean.amount))
            if new_line[:2] != old_line[:2] or new_line[2] > old_line[2]:
                check_commitment(
                    session,
                    actor=actor,
                    stream=new_line[0],
                    year=new_line[1],
                    amount_pence=new_line[2],
                    award_id=award.id,
                    override_reason=override_reason,
                )
            apply_update(session, actor=actor, award=award, before=before, clean=clean, note=f"variation {var.id}")
        var.status = "approved" if approve else "rejected"
        var.decided_by, var.decided_at, var.decision_note = actor.username, utcnow(), note
        session.add(var)
        record(
            session,
            actor=actor,
            action="transition",
            entity_type="award_variation",
            entity_id=var.id,
            before=before_var,
            after=variation_dict(var),
            note=note or f"proposed -> {var.status}",
        )
        return var.version


@dataclass(frozen=True)
class VariationLine:
    id: int
    status: str
    changes: str  # readable: "amount: 45000.00 -> 50000.00; end: 2027-03-31 -> 2027-06-30"
    reason: str
    proposed_by: str
    proposed_at: dt.datetime
    decided_by: str
    decided_at: dt.datetime | None
    decision_note: str
    from_version: int
    version: int


def variations_of(engine: Engine, award_id: int) -> list[VariationLine]:
    """Every variation of an award, newest first."""
    with session_scope(engine) as session:
        rows = session.exec(
            select(AwardVariation).where(AwardVariation.award_id == award_id).order_by(col(AwardVariation.id).desc())
        ).all()
        return [
            VariationLine(
                id=v.id or 0,
                status=v.status,
                changes="; ".join(
                    f"{FIELD_LABELS.get(k, k)}: {_show(b)} -> {_show(a)}" for k, (b, a) in v.changes.items()
                ),
                reason=v.reason,
                proposed_by=v.proposed_by,
                proposed_at=v.proposed_at,
                decided_by=v.decided_by,
                decided_at=v.decided_at,
                decision_note=v.decision_note,
                from_version=v.from_version,
                version=v.version,
            )
            for v in rows
        ]


def _show(value: object) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "none"
    return "none" if value is None else str(value)
