"""Admin edits to the framework: objectives' wording and commitments, priority areas, funding streams,
indicator baselines and targets, and the RAG thresholds. Each is permission-checked and audited."""

from __future__ import annotations

from sqlalchemy import Engine
from sqlmodel import delete, select

from vru_core.framework.entered import parse_period
from vru_core.framework.lookups import INDICATOR_FORM_FIELDS
from vru_core.framework.rag import DIRECTIONS, Thresholds
from vru_core.models import (
    Aim,
    Commitment,
    FundingStream,
    Indicator,
    Objective,
    ObjectiveAim,
    PriorityArea,
    RagSettings,
)
from vru_core.models.common import utcnow
from vru_core.platform.audit import record, record_save
from vru_core.platform.auth import Actor, Permission, require
from vru_core.platform.db import session_scope
from vru_core.platform.errors import Invalid, Problem, Stale
from vru_core.platform.inputs import check_text, parse_number
from vru_core.platform.locking import claim, write_lock


def _text(value: str | None, field: str, problems: list[Problem], required: bool = True, max_length: int = 2000) -> str:
    text, problem = check_text(value, required=required, max_length=max_length)
    if problem:
        problems.append(Problem(None, field, "cannot be empty" if problem.startswith("required") else problem))
    return text


def _raise_if(problems: list[Problem]) -> None:
    if problems:
        raise Invalid(problems)


def update_objective(
    *,
    engine: Engine,
    actor: Actor,
    number: int,
    version: int,
    title: str,
    tagline: str,
    commitments: list[str],
    aims: list[str],
) -> int:
    """Replace an objective's wording, commitments (in order) and the aims it serves, from the `version`
    the administrator opened; returns the new version."""
    require(actor, Permission.FRAMEWORK_WRITE)
    problems: list[Problem] = []
    title = _text(title, "title", problems, max_length=300)
    tagline = _text(tagline, "tagline", problems, required=False, max_length=500)
    commitments = [
        _text(c, f"commitments (line {i})", problems, max_length=2000)
        for i, c in enumerate(commitments or [], start=1)
        if c and c.strip()
    ]
    with session_scope(engine) as session:
        known_aims = set(session.exec(select(Aim.code)).all())
        unknown = [a for a in aims if a not in known_aims]
        if unknown:
            problems.append(Problem(None, "aims", f"unknown {unknown}"))
        if not aims:
            problems.append(Problem(None, "aims", "an objective serves at least one aim"))
        _raise_if(problems)
        obj = claim(session, Objective, number, version, entity_type="objective")
        old_commitments = [
            c.text
            for c in session.exec(
                select(Commitment).where(Commitment.objective_number == number).order_by(Commitment.position)
            ).all()
        ]
        old_aims = sorted(session.exec(select(ObjectiveAim.aim_code).where(ObjectiveAim.objective_number == number)))
        before = {
            "title": obj.title,
            "tagline": obj.tagline,
            "commitments": old_commitments,
            "aims": old_aims,
            "version": version,
        }
        obj.title, obj.tagline = title, tagline
        session.add(obj)
        session.exec(delete(Commitment).where(Commitment.objective_number == number))
        session.exec(delete(ObjectiveAim).where(ObjectiveAim.objective_number == number))
        for i, text in enumerate(commitments):
            session.add(Commitment(objective_number=number, position=i, text=text))
        for code in sorted(set(aims)):
            session.add(ObjectiveAim(objective_number=number, aim_code=code))
        after = {
            "title": title,
            "tagline": tagline,
            "commitments": commitments,
            "aims": sorted(set(aims)),
            "version": obj.version,
        }
        record(
            session, actor=actor, action="update", entity_type="objective", entity_id=number, before=before, after=after
        )
        return obj.version


def update_priority_area(
    *, engine: Engine, actor: Actor, code: str, version: int, title: str, objective_number: int | None
) -> int:
    require(actor, Permission.FRAMEWORK_WRITE)
    problems: list[Problem] = []
    title = _text(title, "title", problems, max_length=300)
    with session_scope(engine) as session:
        if objective_number is not None and session.get(Objective, objective_number) is None:
            problems.append(Problem(None, "objective_number", f"no objective {objective_number}"))
        _raise_if(problems)
        row = claim(session, PriorityArea, code, version, entity_type="priority_area")
        before = {"title": row.title, "objective_number": row.objective_number, "version": version}
        row.title, row.objective_number = title, objective_number
        session.add(row)
        record(
            session,
            actor=actor,
            action="update",
            entity_type="priority_area",
            entity_id=code,
            before=before,
            after={"title": title, "objective_number": objective_number, "version": row.version},
        )
        return row.version


def save_funding_stream(
    *, engine: Engine, actor: Actor, code: str, name: str, notes: str, active: bool, version: int | None = None
) -> int:
    """Create a funding stream (`version` None) or change one from the `version` the administrator opened.
    Streams are never deleted: awards refer to them. Returns the stream's version."""
    require(actor, Permission.FRAMEWORK_WRITE)
    problems: list[Problem] = []
    code = _text(code, "code", problems, max_length=40)
    name = _text(name, "name", problems, max_length=200)
    notes = _text(notes, "notes", problems, required=False, max_length=2000)
    if code and (len(code) > 40 or not code.isascii() or not code.replace("_", "").isalnum() or code.lower() != code):
        problems.append(Problem(None, "code", "lower-case letters, digits and underscores, 40 at most"))
    _raise_if(problems)
    with session_scope(engine) as session:
        if version is None:
            write_lock(session, "framework.funding_stream")  # two admins adding one code: the second is told
            existing = session.get(FundingStream, code)
            if existing is not None:
                raise Stale(
                    f"Not saved: a funding stream with code {code!r} already exists ({existing.name!r}, version "
                    f"{existing.version}). Choose it under Edit to change it, or pick another code.",
                    [Problem(None, "code", f"{code!r} already exists")],
                )
            row, before = FundingStream(code=code, name=name, notes=notes, active=bool(active)), None
            session.add(row)
        else:
            row = claim(session, FundingStream, code, version, entity_type="funding_stream")
            before = {"name": row.name, "notes": row.notes, "active": row.active, "version": version}
            row.name, row.notes, row.active = name, notes, bool(active)
            session.add(row)
        session.flush()
        record_save(
            session,
            actor=actor,
            entity_type="funding_stream",
            entity_id=code,
            before=before,
            after={"name": row.name, "notes": row.notes, "active": row.active, "version": row.version},
        )
        return row.version


INDICATOR_EDITABLE = ("name", "description", "direction", "source", *INDICATOR_FORM_FIELDS, "notes", "active")


NULLABLE = frozenset({"baseline_value", "baseline_period", "target_value", "target_change_pct", "target_period"})
NUMBERS = ("baseline_value", "target_value", "target_change_pct")
TEXTS = ("name", "description", "source", "baseline_source", "target_note", "notes")


def update_indicator(*, engine: Engine, actor: Actor, code: str, version: int, changes: dict) -> int:
    """Change an indicator's definition (baseline, target, wording) from the `version` the administrator
    opened; refused if someone saved it since. A blank box clears a value (or leaves text empty)."""
    require(actor, Permission.FRAMEWORK_WRITE)
    problems: list[Problem] = []
    unknown = [k for k in changes if k not in INDICATOR_EDITABLE]
    if unknown:
        problems.append(Problem(None, ", ".join(unknown), "cannot be edited here"))
    clean: dict = {}
    for f, value in changes.items():
        if f in unknown:
            continue
        blank = value is None or (isinstance(value, str) and not value.strip())
        if f in NULLABLE and blank:
            clean[f] = None
        elif f in NUMBERS:
            number, problem = parse_number(value)
            if problem:
                problems.append(Problem(None, f, problem))
            clean[f] = number
        elif f in ("baseline_period", "target_period"):
            try:
                clean[f] = parse_period(str(value))
            except Invalid as exc:
                problems += [Problem(None, f, p.message) for p in exc.problems]
        elif f == "direction":
            if value not in DIRECTIONS:
                problems.append(Problem(None, f, f"one of {DIRECTIONS}"))
            clean[f] = value
        elif f == "active":
            clean[f] = bool(value)
        else:
            clean[f] = _text(value, f, problems, required=f == "name", max_length=2000)
    _raise_if(problems)
    with session_scope(engine) as session:
        row = claim(session, Indicator, code, version, entity_type="indicator")
        before = {**{k: getattr(row, k) for k in clean}, "version": version}
        for k, v in clean.items():
            setattr(row, k, v)
        session.add(row)
        record(
            session,
            actor=actor,
            action="update",
            entity_type="indicator",
            entity_id=code,
            before=before,
            after={**{k: getattr(row, k) for k in clean}, "version": row.version},
        )
        return row.version


def update_thresholds(*, engine: Engine, actor: Actor, thresholds: Thresholds, version: int) -> int:
    """Change the RAG rule's thresholds from the `version` the administrator opened."""
    require(actor, Permission.FRAMEWORK_WRITE)
    fields = ("on_track_progress", "off_track_below", "trend_tolerance_pct")
    with session_scope(engine) as session:
        if session.get(RagSettings, "default") is None:  # never saved: the defaults are version 1
            write_lock(session, "framework.rag")
            if session.get(RagSettings, "default") is None:
                session.add(RagSettings(key="default"))
                session.flush()
        row = claim(session, RagSettings, "default", version, entity_type="rag_settings")
        before = {**{f: getattr(row, f) for f in fields}, "version": version}
        for f in fields:
            setattr(row, f, float(getattr(thresholds, f)))
        row.updated_by, row.updated_at = actor.username, utcnow()
        session.add(row)
        record(
            session,
            actor=actor,
            action="update",
            entity_type="rag_settings",
            entity_id="default",
            before=before,
            after={**{f: getattr(row, f) for f in fields}, "version": row.version},
        )
        return row.version


def thresholds_version(engine: Engine) -> int:
    with engine.connect() as conn:
        v = conn.execute(select(RagSettings.version).where(RagSettings.key == "default")).scalar_one_or_none()
    return v or 1
