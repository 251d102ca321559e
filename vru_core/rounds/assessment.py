"""Assessment: who may score, conflicts of interest, each assessor's scores and the moderation list.

Who assesses: anyone with the assessor role (Permission.ASSESS; administrators too), and commissioners
assigned to the round (vru_core.rounds.rounds.assign_assessor). Each assessor scores every criterion
but need (which is computed) from 0 to 5, with a comment, once per application; a later change names
the version they opened. An assessor who declared a conflict of interest with the applicant
organisation is refused, and declaring a conflict withdraws any scores they already gave that
organisation's applications in the round (audited). Scores are closed once the panel decides.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import pandas as pd
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from vru_core.models import Application, Assessment, ConflictOfInterest, FundingRound, RoundAssessor
from vru_core.models.common import utcnow
from vru_core.platform import labels
from vru_core.platform.audit import record, record_save
from vru_core.platform.auth import Actor, Permission
from vru_core.platform.db import session_scope
from vru_core.platform.errors import Invalid, PermissionDenied, Problem, Refused, Stale
from vru_core.platform.inputs import check_text
from vru_core.platform.locking import claim, lock_existing
from vru_core.register import orgids
from vru_core.rounds.rounds import SCALE_MAX, find_round


def _may_try(actor: Actor | None) -> Actor:
    """The first check, before anything is read: assessors, administrators, or a commissioner (if assigned)."""
    if actor is None:
        raise PermissionDenied(f"Sign in to do this ({Permission.ASSESS.value}).")
    if not (actor.can(Permission.ASSESS) or actor.can(Permission.REGISTER_WRITE)):
        raise PermissionDenied(
            f"{actor.username} ({labels.role(actor.role)}) may not do this: it needs the {Permission.ASSESS.value} "
            "permission (the assessor role) or an assignment to the round"
        )
    return actor


def require_assessor(session: Session, actor: Actor | None, rnd: FundingRound) -> Actor:
    actor = _may_try(actor)
    if actor.can(Permission.ASSESS):
        return actor
    if session.get(RoundAssessor, (rnd.id, actor.username)) is None:
        raise PermissionDenied(
            f"{actor.username} is not assigned to assess {rnd.code}: it needs the {Permission.ASSESS.value} "
            "permission (the assessor role) or an assignment to the round"
        )
    return actor


def scored_criteria(rnd: FundingRound | Mapping) -> list[dict]:
    """The criteria assessors score (all but the computed need), from a round row or its dict."""
    criteria = rnd["criteria"] if isinstance(rnd, Mapping) else rnd.criteria
    return [c for c in criteria if not c.get("computed")]


def is_conflicted(session: Session, round_id: int | None, assessor: str, org_id: str) -> bool:
    return session.get(ConflictOfInterest, (round_id, assessor, org_id)) is not None


def _clean_scores(rnd: FundingRound, scores: Mapping) -> dict:
    problems = []
    clean = {}
    codes = {c["code"] for c in scored_criteria(rnd)}
    for code in scores:
        if code not in codes:
            problems.append(Problem(None, f"score_{code}", f"{code!r} is not a scored criterion of {rnd.code}"))
    for criterion in scored_criteria(rnd):
        code = criterion["code"]
        given = scores.get(code) or {}
        raw = str(given.get("score", "")).strip()
        if not re.fullmatch(r"[0-9]", raw) or int(raw) > SCALE_MAX:
            problems.append(
                Problem(None, f"score_{code}", f"{raw or '(blank)'!r}: give a whole score from 0 to {SCALE_MAX}")
            )
        comment, problem = check_text(given.get("comment"), max_length=2000)
        if problem:
            problems.append(Problem(None, f"comment_{code}", "a comment saying why: " + problem))
        if raw.isdigit():
            clean[code] = {"score": int(raw), "comment": comment}
    if problems:
        raise Invalid(problems)
    return clean


def save_assessment(
    *, engine: Engine, actor: Actor, application_id: int, scores: Mapping, version: int | None = None
) -> int:
    """One assessor's scores for one application (`version` None for their first save); returns its version."""
    _may_try(actor)
    with session_scope(engine) as session:
        # Locked: decisions and conflicts wait for us.
        application = lock_existing(session, Application, application_id, what="application")
        rnd = session.get(FundingRound, application.round_id)
        assert rnd is not None
        require_assessor(session, actor, rnd)
        if rnd.status not in ("open", "closed"):
            raise Refused(f"{rnd.code} is not open: applications are scored once the round opens")
        if application.decision:
            raise Refused(f"{application.reference}: the panel has decided ({application.decision}); scores are closed")
        if is_conflicted(session, rnd.id, actor.username, application.applicant_org_id):
            raise Refused(
                f"{actor.username} declared a conflict of interest with {application.applicant_org_id} "
                f"({application.applicant.get('name', '')}) and cannot score {application.reference}"
            )
        clean = _clean_scores(rnd, scores)
        key = (application_id, actor.username)
        if version is None:
            if session.get(Assessment, key) is not None:
                raise Stale(
                    f"Not saved: you already scored {application.reference}; reload it to change your scores",
                    entity_type="assessment",
                    entity_id=f"{application_id}:{actor.username}",
                )
            row = Assessment(application_id=application_id, assessor=actor.username, scores=clean)
            session.add(row)
            before = None
        else:
            row = claim(
                session,
                Assessment,
                key,
                version,
                entity_type="assessment",
                entity_id=f"{application_id}:{actor.username}",
            )
            before = {"scores": row.scores, "version": version}
            row.scores, row.updated_at = clean, utcnow()
            session.add(row)
        session.flush()
        record_save(
            session,
            actor=actor,
            entity_type="assessment",
            entity_id=f"{application_id}:{actor.username}",
            before=before,
            after={"application": application.reference, "round": rnd.code, "scores": clean, "version": row.version},
        )
        return row.version


def declare_conflict(*, engine: Engine, actor: Actor, round_id: int, org_id: str, note: str = "") -> int:
    """Declare a conflict with an applicant organisation; returns how many of your scores were withdrawn."""
    _may_try(actor)
    org_id, message = orgids.clean_org_id(str(org_id or "").strip())
    note, note_problem = check_text(note, required=False, max_length=500)
    problems = [Problem(None, "org_id", message)] if message else []
    problems += [Problem(None, "note", note_problem)] if note_problem else []
    if problems:
        raise Invalid(problems)
    with session_scope(engine) as session:
        rnd = lock_existing(session, FundingRound, round_id, what="funding round")
        require_assessor(session, actor, rnd)
        if is_conflicted(session, round_id, actor.username, org_id):
            raise Invalid([Problem(None, "org_id", f"you already declared a conflict with {org_id} in {rnd.code}")])
        session.add(ConflictOfInterest(round_id=round_id, assessor=actor.username, org_id=org_id, note=note))
        record(
            session,
            actor=actor,
            action="declare",
            entity_type="conflict_of_interest",
            entity_id=f"{round_id}:{actor.username}:{org_id}",
            after={"round": rnd.code, "assessor": actor.username, "org_id": org_id, "note": note},
        )
        withdrawn = session.exec(
            select(Assessment)
            .join(Application, col(Application.id) == col(Assessment.application_id))
            .where(
                Application.round_id == round_id,
                Application.applicant_org_id == org_id,
                Assessment.assessor == actor.username,
            )
        ).all()
        for row in withdrawn:
            record(
                session,
                actor=actor,
                action="delete",
                entity_type="assessment",
                entity_id=f"{row.application_id}:{row.assessor}",
                before={"scores": row.scores, "version": row.version},
                note=f"withdrawn: conflict of interest declared with {org_id}",
            )
            session.delete(row)
        return len(withdrawn)


# ---- reads -------------------------------------------------------------------------------------------------


SCORE_COLUMNS = ["application_id", "reference", "assessor", "criterion", "score", "comment"]


def scores_frame(engine: Engine, round_id: int | None) -> pd.DataFrame:
    """Every score in the round, one row per application, assessor and criterion."""
    with Session(engine) as session:
        rows = session.exec(
            select(Assessment, Application.reference)
            .join(Application, col(Application.id) == col(Assessment.application_id))
            .where(Application.round_id == round_id)
        ).all()
        records = [
            {
                "application_id": a.application_id,
                "reference": reference,
                "assessor": a.assessor,
                "criterion": code,
                "score": given["score"],
                "comment": given["comment"],
            }
            for a, reference in rows
            for code, given in a.scores.items()
        ]
    return pd.DataFrame(records, columns=SCORE_COLUMNS)


def my_assessment(engine: Engine, application_id: int, assessor: str) -> Assessment | None:
    with Session(engine) as session:
        return session.get(Assessment, (application_id, assessor))


def conflicts(engine: Engine, round_id: int) -> pd.DataFrame:
    with Session(engine) as session:
        rows = session.exec(select(ConflictOfInterest).where(ConflictOfInterest.round_id == round_id)).all()
        return pd.DataFrame(
            [{"assessor": c.assessor, "org_id": c.org_id, "note": c.note, "declared_at": c.declared_at} for c in rows],
            columns=["assessor", "org_id", "note", "declared_at"],
        )


def moderation(engine: Engine, round_ref: int | str) -> pd.DataFrame:
    """Where assessors disagree: each application and criterion whose scores differ by more than the round's gap."""
    with Session(engine) as session:
        rnd = find_round(session, round_ref)
        gap, labels = rnd.moderation_gap, {c["code"]: c["label"] for c in rnd.criteria}
        round_id = rnd.id
    scores = scores_frame(engine, round_id)
    columns = ["reference", "criterion", "lowest", "highest", "gap", "scores"]
    if scores.empty:
        return pd.DataFrame(columns=columns)
    out = []
    for (reference, code), group in scores.groupby(["reference", "criterion"], sort=True):
        low, high = int(group["score"].min()), int(group["score"].max())
        if high - low > gap:
            given = "; ".join(f"{a}: {s}" for a, s in zip(group["assessor"], group["score"], strict=True))
            out.append(
                {
                    "reference": reference,
                    "criterion": labels.get(code, code),
                    "lowest": low,
                    "highest": high,
                    "gap": high - low,
                    "scores": given,
                }
            )
    return pd.DataFrame(out, columns=columns)


def can_assess(engine: Engine, actor: Actor | None, round_id: int) -> bool:
    """Whether the page should offer scoring to this person (the service checks again)."""
    if actor is None:
        return False
    if actor.can(Permission.ASSESS):
        return True
    with Session(engine) as session:
        assigned = session.get(RoundAssessor, (round_id, actor.username)) is not None
    return assigned and actor.can(Permission.REGISTER_WRITE)
