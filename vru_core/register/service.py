"""Register writes. Each is one transaction: permission, version check, validation, write, audit.

Callers pass plain data (the form's or a CSV row's fields, see `validation.AWARD_FIELDS`) and get ids
back; nothing outside this package adds rows to the register's tables.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from sqlalchemy import BigInteger, Engine, cast, delete, func, or_
from sqlmodel import Session, select

from vru_core.models import (
    AuditEntry,
    Award,
    AwardArea,
    AwardNeedEvidence,
    AwardObjective,
    MonitoringReturn,
    Organisation,
    Payment,
)
from vru_core.models.common import utcnow
from vru_core.platform.audit import record
from vru_core.platform.auth import Actor, Permission, require
from vru_core.platform.config import get_settings
from vru_core.platform.db import session_scope
from vru_core.platform.locking import StaleVersion, advance_version, check_version, write_lock  # noqa: F401 (service.StaleVersion)
from vru_core.register import need_evidence
from vru_core.register.validation import (
    RAG,
    AwardData,
    Checker,
    Problem,
    Reference,
    ValidationFailed,
    check_period,
    clean_award,
    to_pence,
    to_pounds,
)

# The lifecycle, in one table: status -> statuses it may move to.
TRANSITIONS: dict[str, frozenset[str]] = {
    "proposed": frozenset({"approved", "withdrawn"}),
    "approved": frozenset({"active", "withdrawn"}),
    "active": frozenset({"completed", "withdrawn"}),
    "completed": frozenset(),
    "withdrawn": frozenset(),
}
STATUSES = tuple(TRANSITIONS)
# Statuses at which the money is committed: need evidence must exist from approval onwards.
COMMITTED = frozenset({"approved", "active", "completed"})


REGISTER_LOCK = "register.create"


class NotFound(LookupError):
    """The award, payment or return asked for does not exist (any more)."""


class TransitionRefused(ValueError):
    """The lifecycle table does not allow this status change."""


def allowed_transitions(status: str) -> list[str]:
    return sorted(TRANSITIONS.get(status, ()))


def check_transition(current: str, target: str) -> None:
    if target not in TRANSITIONS:
        raise TransitionRefused(f"status: {target!r} is not a status ({', '.join(STATUSES)})")
    if target not in TRANSITIONS[current]:
        allowed = ", ".join(allowed_transitions(current)) or "none: it is final"
        raise TransitionRefused(f"status: an award that is {current} cannot become {target} (allowed: {allowed})")


# --- snapshots for the audit log --------------------------------------------------------------------


def award_snapshot(award: Award, objectives: list[int], areas: list[tuple[str, str, int | None]], org_id: str) -> dict:
    """What the audit log keeps of an award: every field a person can change, in readable units."""
    areas = sorted(areas)
    return {
        "identifier": award.identifier,
        "title": award.title,
        "description": award.description,
        "recipient_org_id": org_id,
        "amount_awarded": to_pounds(award.amount_pence),
        "award_date": award.award_date,
        "planned_start": award.planned_start,
        "planned_end": award.planned_end,
        "funding_stream": award.funding_stream_code,
        "priority_area": award.priority_area_code,
        "objectives": sorted(objectives),
        "geography_level": award.geography_level,
        "regrant_type": award.regrant_type,
        "areas": [code for code, _, _ in areas],
        "area_amounts": [to_pounds(p) for _, _, p in areas] if any(p is not None for _, _, p in areas) else [],
        "status": award.status,
        "version": award.version,
        "is_example": award.is_example,
    }


def snapshot_from_session(session: Session, award: Award) -> dict:
    objectives = list(
        session.exec(select(AwardObjective.objective_number).where(AwardObjective.award_id == award.id)).all()
    )
    areas = [
        (a.area_code, a.area_type, a.amount_pence)
        for a in session.exec(select(AwardArea).where(AwardArea.award_id == award.id).order_by(AwardArea.area_code))
    ]
    org_id = session.exec(select(Organisation.org_id).where(Organisation.id == award.organisation_id)).one()
    return award_snapshot(award, objectives, areas, org_id)


def area_rows(data: AwardData) -> list[tuple[str, str, int | None]]:
    area_type = "borough" if data.geography_level == "borough" else "ward"
    return [
        (code, area_type, None if amount is None else to_pence(amount))
        for code, amount in zip(data.areas, data.area_amounts, strict=True)
    ]


def write_links(session: Session, award_id: int, data: AwardData) -> None:
    session.exec(delete(AwardObjective).where(AwardObjective.award_id == award_id))
    session.exec(delete(AwardArea).where(AwardArea.award_id == award_id))
    session.flush()
    session.add_all(AwardObjective(award_id=award_id, objective_number=n) for n in data.objectives)
    session.add_all(
        AwardArea(award_id=award_id, area_code=c, area_type=t, amount_pence=p) for c, t, p in area_rows(data)
    )


def _check_stale(session: Session, award: Award, version: int) -> None:
    """Refuse a write based on an old read, saying who saved what since then (vru_core.platform.locking)."""
    check_version(session, award, version, entity_type="award", entity_id=str(award.id))


def _advance(session: Session, award: Award, version: int) -> int:
    """Atomically move the award to the next version: two saves racing from one version cannot both win."""
    return advance_version(session, award, version, entity_type="award", entity_id=str(award.id))


def _get_award(session: Session, award_id: int) -> Award:
    award = session.get(Award, award_id)
    if award is None:
        raise NotFound(f"No award with id {award_id}")
    return award


# --- organisations -------------------------------------------------------------------------------


def resolve_organisation(session: Session, *, actor: Actor, org: dict, is_example: bool = False) -> tuple[int, list]:
    """The organisation with this org-id, created if new; a different name for a known id is a problem, not an edit."""
    existing = session.exec(select(Organisation).where(Organisation.org_id == org["org_id"])).first()
    if existing is not None:
        if org["name"] and existing.name != org["name"]:
            return existing.id, [
                Problem(
                    "recipient_name",
                    f"{org['org_id']} is already recorded as {existing.name!r}; use that name "
                    "(or ask an administrator to rename the organisation)",
                )
            ]
        _update_location(session, actor, existing, org)
        return existing.id, []
    row = Organisation(**org, is_example=is_example, created_by=actor.username)
    session.add(row)
    session.flush()
    record(session, actor=actor, action="create", entity_type="organisation", entity_id=row.id, after=org)
    return row.id, []


LOCATION_FIELDS = ("postal_code", "location_code")


def _update_location(session: Session, actor: Actor, existing: Organisation, org: dict) -> None:
    """Where a known organisation is based, as newly given (a blank never erases what is stored), audited."""
    changes = {k: org[k] for k in LOCATION_FIELDS if org.get(k) and org[k] != getattr(existing, k)}
    if not changes:
        return
    before = {k: getattr(existing, k) for k in changes}
    for key, value in changes.items():
        setattr(existing, key, value)
    session.add(existing)
    record(
        session,
        actor=actor,
        action="update",
        entity_type="organisation",
        entity_id=existing.id,
        before=before,
        after=changes,
    )


def create_organisation(*, engine: Engine, actor: Actor, data: Mapping) -> int:
    require(actor, Permission.REGISTER_WRITE)
    checker = Checker()
    org = checker.organisation(data)
    if checker.problems:
        raise ValidationFailed(checker.problems)
    with session_scope(engine) as session:
        write_lock(session, REGISTER_LOCK)
        org_pk, problems = resolve_organisation(session, actor=actor, org=org)
        if problems:
            raise ValidationFailed(problems)
        return org_pk


# --- awards --------------------------------------------------------------------------------------


def next_identifier(session: Session) -> str:
    """The configured 360Giving prefix plus the next free number."""
    prefix = get_settings().award_id_prefix
    n = session.exec(select(func.count()).select_from(Award).where(Award.identifier.startswith(prefix))).one() + 1
    while session.exec(select(Award.id).where(Award.identifier == f"{prefix}{n:05d}")).first() is not None:
        n += 1
    return f"{prefix}{n:05d}"


def create_award(*, engine: Engine, actor: Actor, data: Mapping, is_example: bool = False) -> int:
    """A new award, always starting as proposed; returns its id."""
    require(actor, Permission.REGISTER_WRITE)
    clean, problems = clean_award(data, Reference.load(engine))
    if problems:
        raise ValidationFailed(problems)
    with session_scope(engine) as session:
        # Serialise creators: the next identifier and a new organisation are read-then-insert.
        write_lock(session, REGISTER_LOCK)
        identifier = clean.identifier or next_identifier(session)
        if session.exec(select(Award.id).where(Award.identifier == identifier)).first() is not None:
            raise ValidationFailed([Problem("identifier", f"{identifier} is already in the register")])
        org_pk, problems = resolve_organisation(session, actor=actor, org=clean.organisation, is_example=is_example)
        if problems:
            raise ValidationFailed(problems)
        award = Award(
            identifier=identifier,
            title=clean.title,
            description=clean.description,
            organisation_id=org_pk,
            amount_pence=to_pence(clean.amount),
            award_date=clean.award_date,
            planned_start=clean.planned_start,
            planned_end=clean.planned_end,
            funding_stream_code=clean.funding_stream_code,
            priority_area_code=clean.priority_area_code,
            geography_level=clean.geography_level,
            regrant_type=clean.regrant_type,
            status="proposed",
            is_example=is_example,
            created_by=actor.username,
            updated_by=actor.username,
        )
        session.add(award)
        session.flush()
        write_links(session, award.id, clean)
        after = award_snapshot(award, clean.objectives, area_rows(clean), clean.organisation["org_id"])
        record(session, actor=actor, action="create", entity_type="award", entity_id=award.id, after=after)
        return award.id


def update_award(*, engine: Engine, actor: Actor, award_id: int, version: int, data: Mapping) -> int:
    """Edit an award's fields (not its status); refused if someone saved it since `version`. Returns the new version."""
    require(actor, Permission.REGISTER_WRITE)
    clean, problems = clean_award(data, Reference.load(engine))
    if problems:
        raise ValidationFailed(problems)
    with session_scope(engine) as session:
        award = _get_award(session, award_id)
        _check_stale(session, award, version)
        before = snapshot_from_session(session, award)
        if clean.identifier and clean.identifier != award.identifier:
            raise ValidationFailed([Problem("identifier", "an award's identifier never changes once recorded")])
        org_pk, problems = resolve_organisation(
            session, actor=actor, org=clean.organisation, is_example=award.is_example
        )
        if problems:
            raise ValidationFailed(problems)
        paid = paid_pence(session, award_id)
        if to_pence(clean.amount) < paid:
            raise ValidationFailed(
                [Problem("amount_awarded", f"£{clean.amount:,} is less than the £{to_pounds(paid):,} already paid")]
            )
        award.title, award.description, award.organisation_id = clean.title, clean.description, org_pk
        award.amount_pence = to_pence(clean.amount)
        award.award_date, award.planned_start, award.planned_end = (
            clean.award_date,
            clean.planned_start,
            clean.planned_end,
        )
        award.funding_stream_code, award.priority_area_code = clean.funding_stream_code, clean.priority_area_code
        award.geography_level, award.regrant_type = clean.geography_level, clean.regrant_type
        _advance(session, award, version)
        award.updated_by, award.updated_at = actor.username, utcnow()
        session.add(award)
        write_links(session, award.id, clean)
        after = award_snapshot(award, clean.objectives, area_rows(clean), clean.organisation["org_id"])
        record(
            session, actor=actor, action="update", entity_type="award", entity_id=award.id, before=before, after=after
        )
        return award.version


def transition_award(
    *,
    engine: Engine,
    actor: Actor,
    award_id: int,
    version: int,
    to_status: str,
    profile_name: str | None = None,
    note: str = "",
) -> int:
    """Move an award along its lifecycle. Approval freezes the need evidence under `profile_name`."""
    require(actor, Permission.REGISTER_WRITE)
    with session_scope(engine) as session:
        award = _get_award(session, award_id)
        _check_stale(session, award, version)
        check_transition(award.status, to_status)
        evidence = None
        if to_status in COMMITTED and session.get(AwardNeedEvidence, award_id) is None:
            areas = session.exec(select(AwardArea).where(AwardArea.award_id == award_id)).all()
            evidence = need_evidence.build_evidence(
                engine,
                profile_name=profile_name,
                geography_level=award.geography_level,
                area_codes=[a.area_code for a in areas],
            )
        before = snapshot_from_session(session, award)
        award.status = to_status
        _advance(session, award, version)
        award.updated_by, award.updated_at = actor.username, utcnow()
        session.add(award)
        if evidence is not None:
            need_evidence.freeze(session, award_id=award_id, actor=actor, evidence=evidence)
        after = snapshot_from_session(session, award)
        record(
            session,
            actor=actor,
            action="transition",
            entity_type="award",
            entity_id=award_id,
            before=before,
            after=after,
            note=note or f"{before['status']} -> {to_status}",
        )
        return award.version


def delete_award(*, engine: Engine, actor: Actor, award_id: int, version: int) -> None:
    """Delete a proposed or withdrawn award with no payments; committed money stays on the record."""
    require(actor, Permission.REGISTER_WRITE)
    with session_scope(engine) as session:
        award = _get_award(session, award_id)
        _check_stale(session, award, version)
        if award.status not in ("proposed", "withdrawn"):
            raise TransitionRefused(
                f"status: an {award.status} award cannot be deleted; withdraw it instead so the record remains"
            )
        if paid_pence(session, award_id):
            raise TransitionRefused("payments: an award with payments cannot be deleted")
        before = snapshot_from_session(session, award)
        _advance(session, award, version)  # a concurrent edit makes this delete stale, not lost
        delete_award_rows(session, [award_id])
        record(session, actor=actor, action="delete", entity_type="award", entity_id=award_id, before=before)


def delete_award_rows(session: Session, award_ids: list[int]) -> None:
    """Children first, so this works whether or not the store enforces ON DELETE CASCADE."""
    for model in (AwardObjective, AwardArea, Payment, MonitoringReturn, AwardNeedEvidence):
        session.exec(delete(model).where(model.award_id.in_(award_ids)))
    session.exec(delete(Award).where(Award.id.in_(award_ids)))


# --- payments ------------------------------------------------------------------------------------


def paid_pence(session: Session, award_id: int) -> int:
    return session.exec(
        select(func.coalesce(cast(func.sum(Payment.amount_pence), BigInteger), 0)).where(Payment.award_id == award_id)
    ).one()


def _payment_dict(p: Payment) -> dict:
    return {"award_id": p.award_id, "paid_on": p.paid_on, "amount": to_pounds(p.amount_pence), "note": p.note}


def add_payment(*, engine: Engine, actor: Actor, award_id: int, data: Mapping) -> int:
    """Record money paid; the total paid never exceeds the award, and a proposed or withdrawn award takes none."""
    require(actor, Permission.REGISTER_WRITE)
    c = Checker()
    amount = c.amount(data, "amount")
    paid_on = c.date(data, "paid_on")
    note = c.text(data, "note", required=False, max_length=500)
    if c.problems:
        raise ValidationFailed(c.problems)
    with session_scope(engine) as session:
        award = session.exec(select(Award).where(Award.id == award_id).with_for_update()).first()
        if award is None:
            raise NotFound(f"No award with id {award_id}")
        if award.status not in COMMITTED:
            raise ValidationFailed([Problem("amount", f"a {award.status} award cannot be paid; approve it first")])
        paid = paid_pence(session, award_id)
        if paid + to_pence(amount) > award.amount_pence:
            left = to_pounds(award.amount_pence - paid)
            raise ValidationFailed(
                [
                    Problem(
                        "amount",
                        f"£{amount:,} would take payments past the award of £{to_pounds(award.amount_pence):,} "
                        f"(£{to_pounds(paid):,} paid, £{left:,} left)",
                    )
                ]
            )
        payment = Payment(
            award_id=award_id, paid_on=paid_on, amount_pence=to_pence(amount), note=note, created_by=actor.username
        )
        session.add(payment)
        session.flush()
        record(
            session,
            actor=actor,
            action="create",
            entity_type="payment",
            entity_id=payment.id,
            after=_payment_dict(payment),
        )
        return payment.id


def delete_payment(*, engine: Engine, actor: Actor, payment_id: int, note: str = "") -> None:
    require(actor, Permission.REGISTER_WRITE)
    _delete_audited(engine, actor, Payment, payment_id, "payment", _payment_dict, note=note)


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
        raise ValidationFailed(c.problems)
    return cleaned


def _return_dict(r: MonitoringReturn) -> dict:
    return {
        "award_id": r.award_id,
        "period": r.period,
        "rag": r.rag,
        "people_reached": r.people_reached,
        "under_25_reached": r.under_25_reached,
        "outputs": r.outputs,
        "narrative": r.narrative,
    }


def add_return(*, engine: Engine, actor: Actor, award_id: int, data: Mapping) -> int:
    """A monitoring return for a period (one per award and period)."""
    require(actor, Permission.REGISTER_WRITE)
    cleaned = _clean_return(data)
    with session_scope(engine) as session:
        _get_award(session, award_id)
        exists = session.exec(
            select(MonitoringReturn.id).where(
                MonitoringReturn.award_id == award_id, MonitoringReturn.period == cleaned["period"]
            )
        ).first()
        if exists is not None:
            raise ValidationFailed(
                [Problem("period", f"there is already a return for {cleaned['period']}; edit that one instead")]
            )
        row = MonitoringReturn(award_id=award_id, created_by=actor.username, **cleaned)
        session.add(row)
        session.flush()
        record(
            session,
            actor=actor,
            action="create",
            entity_type="monitoring_return",
            entity_id=row.id,
            after=_return_dict(row),
        )
        return row.id


def update_return(*, engine: Engine, actor: Actor, return_id: int, data: Mapping) -> None:
    require(actor, Permission.REGISTER_WRITE)
    cleaned = _clean_return(data)
    with session_scope(engine) as session:
        row = session.get(MonitoringReturn, return_id)
        if row is None:
            raise NotFound(f"No monitoring return with id {return_id}")
        before = _return_dict(row)
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
            after=_return_dict(row),
        )


def delete_return(*, engine: Engine, actor: Actor, return_id: int) -> None:
    require(actor, Permission.REGISTER_WRITE)
    _delete_audited(engine, actor, MonitoringReturn, return_id, "monitoring_return", _return_dict)


def _delete_audited(
    engine: Engine, actor: Actor, model, row_id: int, entity_type: str, as_dict, note: str = ""
) -> None:
    """Delete one payment or return, leaving its last state in the audit log (same transaction)."""
    with session_scope(engine) as session:
        row = session.get(model, row_id)
        if row is None:
            raise NotFound(f"No {entity_type.replace('_', ' ')} with id {row_id}")
        record(
            session,
            actor=actor,
            action="delete",
            entity_type=entity_type,
            entity_id=row_id,
            before=as_dict(row),
            note=note,
        )
        session.delete(row)


# --- reading one award ---------------------------------------------------------------------------


def award_detail(engine: Engine, award_id: int) -> dict:
    """Everything the award page shows, as plain data (no ORM objects leave the session)."""
    with session_scope(engine) as session:
        award = _get_award(session, award_id)
        org = session.get(Organisation, award.organisation_id)
        snapshot = snapshot_from_session(session, award)
        payments = [
            {"id": p.id, **_payment_dict(p), "recorded_by": p.created_by}
            for p in session.exec(select(Payment).where(Payment.award_id == award_id).order_by(Payment.paid_on))
        ]
        returns = [
            {"id": r.id, **_return_dict(r), "recorded_by": r.created_by}
            for r in session.exec(
                select(MonitoringReturn).where(MonitoringReturn.award_id == award_id).order_by(MonitoringReturn.period)
            )
        ]
        paid = sum((p["amount"] for p in payments), Decimal("0"))
        return {
            "id": award.id,
            **snapshot,
            "recipient_name": org.name,
            "recipient_type": org.org_type,
            "charity_number": org.charity_number or "",
            "company_number": org.company_number or "",
            "recipient_postcode": org.postal_code or "",
            "recipient_location": org.location_code or "",
            "paid": paid,
            "remaining": snapshot["amount_awarded"] - paid,
            "payments": payments,
            "returns": returns,
            "allowed_transitions": allowed_transitions(award.status),
            "created_by": award.created_by,
            "updated_by": award.updated_by,
            "updated_at": award.updated_at,
        }


def award_history(engine: Engine, award_id: int) -> list[dict]:
    """The audit trail of an award and of its payments and returns (deleted ones too), oldest first."""
    owned = or_(
        AuditEntry.after["award_id"].as_integer() == award_id,
        AuditEntry.before["award_id"].as_integer() == award_id,
    )
    with session_scope(engine) as session:
        entries = session.exec(
            select(AuditEntry)
            .where(
                or_(
                    (AuditEntry.entity_type == "award") & (AuditEntry.entity_id == str(award_id)),
                    AuditEntry.entity_type.in_(["payment", "monitoring_return"]) & owned,
                )
            )
            .order_by(AuditEntry.id)
        ).all()
        return [
            {
                "at": e.at,
                "by": e.actor,
                "action": e.action,
                "what": e.entity_type,
                "changed": ", ".join(
                    sorted(
                        k
                        for k in set(e.before or {}) | set(e.after or {})
                        if (e.before or {}).get(k) != (e.after or {}).get(k) and k != "version"
                    )
                ),
                "note": e.note,
                "before": e.before,
                "after": e.after,
            }
            for e in entries
        ]


def as_form_data(detail: dict) -> dict:
    """An award's stored values in the shape `update_award` takes (the edit form starts from these)."""
    return {
        "identifier": detail["identifier"],
        "title": detail["title"],
        "description": detail["description"],
        "recipient_org_id": detail["recipient_org_id"],
        "recipient_name": detail["recipient_name"],
        "recipient_type": detail["recipient_type"],
        "charity_number": detail["charity_number"],
        "company_number": detail["company_number"],
        "recipient_postcode": detail["recipient_postcode"],
        "recipient_location": detail["recipient_location"],
        "amount_awarded": str(detail["amount_awarded"]),
        "award_date": detail["award_date"],
        "planned_start": detail["planned_start"],
        "planned_end": detail["planned_end"],
        "funding_stream": detail["funding_stream"],
        "priority_area": detail["priority_area"] or "",
        "objectives": detail["objectives"],
        "geography_level": detail["geography_level"],
        "areas": detail["areas"],
        "area_amounts": [str(a) for a in detail["area_amounts"]],
        "regrant_type": detail["regrant_type"] or "",
    }
