"""Awards and their recipients: create, edit, move along the lifecycle, delete.

Each write is one transaction: permission, version (the one atomic compare-and-set of
`vru_core.platform.locking`, taken before any check that reads other rows), validation, write, audit.
Callers pass plain data (the form's or a CSV row's fields, see `validation.AWARD_FIELDS`) and get ids
and versions back; nothing outside this package adds rows to the register's tables.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import SimpleNamespace

from sqlalchemy import Engine, delete, func
from sqlmodel import Session, select

from vru_core.models import (
    Award,
    AwardArea,
    AwardNeedEvidence,
    AwardObjective,
    AwardVariation,
    BudgetOverride,
    Instalment,
    MonitoringReturn,
    Organisation,
    Payment,
    PaymentSchedule,
)
from vru_core.models.common import utcnow
from vru_core.platform.audit import record
from vru_core.platform.auth import Actor, Permission, require
from vru_core.platform.config import get_settings
from vru_core.platform.db import session_scope
from vru_core.platform.errors import Invalid, NotFound, Problem, Refused
from vru_core.platform.locking import check_version, claim, gone, write_lock
from vru_core.register import need_evidence
from vru_core.register.budget import check_commitment, financial_year
from vru_core.register.columns import apply_columns, area_rows, award_columns, award_snapshot, replace_links
from vru_core.register.controls import check_approver, variation_problems, varied_fields
from vru_core.register.money import paid_pence
from vru_core.register.statuses import COMMITTED, check_transition
from vru_core.register.validation import AwardData, Checker, Reference, clean_award, to_pence, to_pounds

REGISTER_LOCK = "register.create"


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


def claim_award(session: Session, award_id: int, version: int) -> tuple[Award, dict]:
    """The award, moved atomically past the `version` its editor saw, and its audit 'before' at that version."""
    award = claim(session, Award, award_id, version, entity_type="award")
    before = snapshot_from_session(session, award)
    before["version"] = version
    return award, before


# --- organisations -------------------------------------------------------------------------------


ORG_NUMBERS = ("charity_number", "company_number")
LOCATION_FIELDS = ("postal_code", "location_code")


def organisation_problems(stored: Mapping, given: Mapping, row: int | None = None) -> list[Problem]:
    """A known org-id given with another name or another charity/company number: a problem, never a
    silent edit (the organisation is shared by every award it holds; an administrator renames it)."""
    problems = []
    org_id = given["org_id"]
    if given.get("name") and stored["name"] != given["name"]:
        message = f"{org_id} is already recorded as {stored['name']!r}; use that name"
        problems.append(Problem(row, "recipient_name", message + " (or ask an administrator to rename it)"))
    for number in ORG_NUMBERS:
        if given.get(number) and stored.get(number) and stored[number] != given[number]:
            label = number.replace("_", " ")
            problems.append(Problem(row, number, f"{org_id} is recorded with {label} {stored[number]!r}"))
    return problems


def resolve_organisation(
    session: Session, *, actor: Actor, org: dict, is_example: bool = False, row: int | None = None
) -> tuple[int, list[Problem]]:
    """The organisation with this org-id, created if new. A known one may gain a charity or company
    number it lacked (audited); a different name or number is a problem, not an edit."""
    existing = session.exec(select(Organisation).where(Organisation.org_id == org["org_id"])).first()
    if existing is None:
        write_lock(session, REGISTER_LOCK)  # read-then-insert: a colleague adding the same org waits, then reuses it
        existing = session.exec(select(Organisation).where(Organisation.org_id == org["org_id"])).first()
    if existing is not None:
        stored = {"name": existing.name, **{n: getattr(existing, n) for n in ORG_NUMBERS}}
        problems = organisation_problems(stored, org, row)
        if problems:
            return existing.id, problems
        added = {n: org[n] for n in ORG_NUMBERS if org.get(n) and not stored[n]}
        # Where it is based, as newly given: a blank never erases what is stored.
        moved = {k: org[k] for k in LOCATION_FIELDS if org.get(k) and org[k] != getattr(existing, k)}
        changes = {**added, **moved}
        if changes:
            before = {k: getattr(existing, k) for k in changes}
            for name, value in changes.items():
                setattr(existing, name, value)
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
        return existing.id, []
    created = Organisation(**org, is_example=is_example, created_by=actor.username)
    session.add(created)
    session.flush()
    record(session, actor=actor, action="create", entity_type="organisation", entity_id=created.id, after=org)
    return created.id, []


def create_organisation(*, engine: Engine, actor: Actor, data: Mapping) -> int:
    require(actor, Permission.REGISTER_WRITE)
    checker = Checker()
    org = checker.organisation(data)
    if checker.problems:
        raise Invalid(checker.problems)
    with session_scope(engine) as session:
        org_pk, problems = resolve_organisation(session, actor=actor, org=org)
        if problems:
            raise Invalid(problems)
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
    if clean is None:
        raise Invalid(problems)
    with session_scope(engine) as session:
        return insert_award(session, actor=actor, clean=clean, is_example=is_example)


def insert_award(session: Session, *, actor: Actor, clean: AwardData, is_example: bool = False) -> int:
    """Add a cleaned award as proposed inside the caller's transaction (with its organisation, links and
    audit entry): `create_award`, and a funding round's decision, which must record itself in the same
    transaction. The caller has checked the permission."""
    # Serialise creators: the next identifier and a new organisation are read-then-insert.
    write_lock(session, REGISTER_LOCK)
    identifier = clean.identifier or next_identifier(session)
    if session.exec(select(Award.id).where(Award.identifier == identifier)).first() is not None:
        raise Invalid([Problem(None, "identifier", f"{identifier} is already in the register")])
    org_pk, problems = resolve_organisation(session, actor=actor, org=clean.organisation, is_example=is_example)
    if problems:
        raise Invalid(problems)
    award = Award(
        identifier=identifier,
        **award_columns(clean, org_pk),
        status="proposed",
        is_example=is_example,
        created_by=actor.username,
        updated_by=actor.username,
    )
    session.add(award)
    session.flush()
    replace_links(session, {award.id: clean})
    after = award_snapshot(award, clean.objectives, area_rows(clean), clean.organisation["org_id"])
    record(session, actor=actor, action="create", entity_type="award", entity_id=award.id, after=after)
    assert award.id is not None
    return award.id


def update_award(*, engine: Engine, actor: Actor, award_id: int, version: int, data: Mapping) -> int:
    """Edit an award's fields (not its status); refused if someone saved it since `version`. Returns the new version.

    Once approved, a change to the amount, dates, stream or areas is a variation (controls.VARIATION_FIELDS):
    refused here, field by field, and proposed through vru_core.register.variation instead."""
    require(actor, Permission.REGISTER_WRITE)
    clean, problems = clean_award(data, Reference.load(engine))
    if clean is None:
        raise Invalid(problems)
    with session_scope(engine) as session:
        award, before = claim_award(session, award_id, version)
        if clean.identifier and clean.identifier != award.identifier:
            raise Invalid([Problem(None, "identifier", "an award's identifier never changes once recorded")])
        if award.status in COMMITTED:
            proposed = award_snapshot(
                SimpleNamespace(**{**award.model_dump(), **award_columns(clean, award.organisation_id)}),
                clean.objectives,
                area_rows(clean),
                clean.organisation["org_id"],
            )
            changed = varied_fields(before, proposed)
            if changed:
                raise Invalid(variation_problems(changed, award.status))
        return apply_update(session, actor=actor, award=award, before=before, clean=clean)


def apply_update(
    session: Session, *, actor: Actor, award: Award, before: dict, clean: AwardData, note: str = ""
) -> int:
    """Write a cleaned award onto its claimed row (never below what is paid), audited; returns the version."""
    org_pk, problems = resolve_organisation(session, actor=actor, org=clean.organisation, is_example=award.is_example)
    if problems:
        raise Invalid(problems)
    paid = paid_pence(session, award.id)  # current: the award row is ours until commit (see claim_award)
    if to_pence(clean.amount) < paid:
        raise Invalid(
            [Problem(None, "amount_awarded", f"£{clean.amount:,} is less than the £{to_pounds(paid):,} already paid")]
        )
    apply_columns(award, award_columns(clean, org_pk))
    award.updated_by, award.updated_at = actor.username, utcnow()
    session.add(award)
    replace_links(session, {award.id: clean})
    after = award_snapshot(award, clean.objectives, area_rows(clean), clean.organisation["org_id"])
    record(
        session,
        actor=actor,
        action="update",
        entity_type="award",
        entity_id=award.id,
        before=before,
        after=after,
        note=note,
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
    override_reason: str = "",
) -> int:
    """Move an award along its lifecycle, from the `version` the person was shown (so an approval never
    covers an amount or place changed since). Approval freezes the need evidence under `profile_name`.

    Approval is refused to whoever created or assessed the award and above the approver's limit
    (vru_core.register.controls), and when it would over-commit the stream's budget for the year unless an
    administrator gives `override_reason` (vru_core.register.budget)."""
    require(actor, Permission.REGISTER_WRITE)
    note = Checker().text({"note": note}, "note", required=False, max_length=500)
    with session_scope(engine) as session:
        seen = session.get(Award, award_id)
        if seen is None:
            raise gone("award", award_id, version)
        check_version(session, seen, version, entity_type="award", entity_id=str(award_id))
        check_transition(seen.status, to_status)
        if to_status == "approved":
            check_approver(session, actor=actor, award=seen, amount_pence=seen.amount_pence)
        evidence = None
        if to_status in COMMITTED and session.get(AwardNeedEvidence, award_id) is None:
            areas = session.exec(select(AwardArea.area_code).where(AwardArea.award_id == award_id)).all()
            # Built before the claim (scoring takes a moment); the claim then proves it is still this version.
            evidence = need_evidence.build_evidence(
                engine, profile_name=profile_name, geography_level=seen.geography_level, area_codes=list(areas)
            )
        award, before = claim_award(session, award_id, version)
        if to_status in COMMITTED and before["status"] not in COMMITTED:
            check_commitment(
                session,
                actor=actor,
                stream=award.funding_stream_code,
                year=financial_year(award.award_date),
                amount_pence=award.amount_pence,
                award_id=award.id,
                override_reason=override_reason,
            )
        award.status = to_status
        award.updated_by, award.updated_at = actor.username, utcnow()
        session.add(award)
        if evidence is not None:
            need_evidence.freeze(session, award_id=award_id, actor=actor, evidence=evidence)
        record(
            session,
            actor=actor,
            action="transition",
            entity_type="award",
            entity_id=award_id,
            before=before,
            after=snapshot_from_session(session, award),
            note=note or f"{before['status']} -> {to_status}",
        )
        return award.version


def delete_award(*, engine: Engine, actor: Actor, award_id: int, version: int) -> None:
    """Delete a proposed or withdrawn award with no payments; committed money stays on the record."""
    require(actor, Permission.REGISTER_WRITE)
    with session_scope(engine) as session:
        award, before = claim_award(session, award_id, version)  # a concurrent edit makes this stale, not lost
        if award.status not in ("proposed", "withdrawn"):
            raise Refused(
                f"status: an {award.status} award cannot be deleted; withdraw it instead so the record remains"
            )
        if paid_pence(session, award_id):
            raise Refused("payments: an award with payments cannot be deleted")
        delete_award_rows(session, [award_id])
        record(session, actor=actor, action="delete", entity_type="award", entity_id=award_id, before=before)


def delete_award_rows(session: Session, award_ids: list[int]) -> None:
    """Children first, so this works whether or not the store enforces ON DELETE CASCADE."""
    for model in (
        AwardObjective,
        AwardArea,
        Payment,
        MonitoringReturn,
        AwardNeedEvidence,
        AwardVariation,
        BudgetOverride,
        Instalment,
        PaymentSchedule,
    ):
        session.exec(delete(model).where(model.award_id.in_(award_ids)))
    session.exec(delete(Award).where(Award.id.in_(award_ids)))


def get_award(session: Session, award_id: int) -> Award:
    award = session.get(Award, award_id)
    if award is None:
        raise NotFound(f"No award with id {award_id}")
    return award
