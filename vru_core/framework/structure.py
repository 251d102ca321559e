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
from vru_core.platform.audit import record
from vru_core.platform.auth import Actor, Permission, require
from vru_core.platform.db import session_scope


class StaleEdit(ValueError):
    """Someone else saved this record since it was read; the message says what changed."""


def _text(value: str, field: str, problems: list[str], required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        problems.append(f"{field}: cannot be empty")
    return value


def update_objective(
    *, engine: Engine, actor: Actor, number: int, title: str, tagline: str, commitments: list[str], aims: list[str]
) -> None:
    """Replace an objective's wording, commitments (in order) and the aims it serves."""
    require(actor, Permission.FRAMEWORK_WRITE)
    problems: list[str] = []
    title = _text(title, "title", problems)
    tagline = _text(tagline, "tagline", problems, required=False)
    commitments = [c.strip() for c in commitments if c and c.strip()]
    with session_scope(engine) as session:
        obj = session.get(Objective, number)
        if obj is None:
            raise KeyError(f"no objective {number}")
        known_aims = set(session.exec(select(Aim.code)).all())
        unknown = [a for a in aims if a not in known_aims]
        if unknown:
            problems.append(f"aims: unknown {unknown}")
        if not aims:
            problems.append("aims: an objective serves at least one aim")
        if problems:
            raise ValueError("; ".join(problems))
        old_commitments = [
            c.text
            for c in session.exec(
                select(Commitment).where(Commitment.objective_number == number).order_by(Commitment.position)
            ).all()
        ]
        old_aims = sorted(session.exec(select(ObjectiveAim.aim_code).where(ObjectiveAim.objective_number == number)))
        before = {"title": obj.title, "tagline": obj.tagline, "commitments": old_commitments, "aims": old_aims}
        obj.title, obj.tagline = title, tagline
        session.add(obj)
        session.exec(delete(Commitment).where(Commitment.objective_number == number))
        session.exec(delete(ObjectiveAim).where(ObjectiveAim.objective_number == number))
        for i, text in enumerate(commitments):
            session.add(Commitment(objective_number=number, position=i, text=text))
        for code in sorted(set(aims)):
            session.add(ObjectiveAim(objective_number=number, aim_code=code))
        after = {"title": title, "tagline": tagline, "commitments": commitments, "aims": sorted(set(aims))}
        record(
            session, actor=actor, action="update", entity_type="objective", entity_id=number, before=before, after=after
        )


def update_priority_area(*, engine: Engine, actor: Actor, code: str, title: str, objective_number: int | None) -> None:
    require(actor, Permission.FRAMEWORK_WRITE)
    problems: list[str] = []
    title = _text(title, "title", problems)
    with session_scope(engine) as session:
        row = session.get(PriorityArea, code)
        if row is None:
            raise KeyError(f"no priority area {code!r}")
        if objective_number is not None and session.get(Objective, objective_number) is None:
            problems.append(f"objective_number: no objective {objective_number}")
        if problems:
            raise ValueError("; ".join(problems))
        before = {"title": row.title, "objective_number": row.objective_number}
        row.title, row.objective_number = title, objective_number
        session.add(row)
        record(
            session,
            actor=actor,
            action="update",
            entity_type="priority_area",
            entity_id=code,
            before=before,
            after={"title": title, "objective_number": objective_number},
        )


def save_funding_stream(*, engine: Engine, actor: Actor, code: str, name: str, notes: str, active: bool) -> None:
    """Create a funding stream or change one (streams are never deleted: awards refer to them)."""
    require(actor, Permission.FRAMEWORK_WRITE)
    problems: list[str] = []
    code = _text(code, "code", problems)
    name = _text(name, "name", problems)
    if code and (len(code) > 40 or not code.replace("_", "").isalnum() or code.lower() != code):
        problems.append("code: lower-case letters, digits and underscores, 40 at most")
    if problems:
        raise ValueError("; ".join(problems))
    with session_scope(engine) as session:
        row = session.get(FundingStream, code)
        before = None if row is None else {"name": row.name, "notes": row.notes, "active": row.active}
        row = row or FundingStream(code=code, name=name)
        row.name, row.notes, row.active = name, (notes or "").strip(), bool(active)
        session.add(row)
        record(
            session,
            actor=actor,
            action="create" if before is None else "update",
            entity_type="funding_stream",
            entity_id=code,
            before=before,
            after={"name": row.name, "notes": row.notes, "active": row.active},
        )


INDICATOR_EDITABLE = ("name", "description", "direction", "source", *INDICATOR_FORM_FIELDS, "notes", "active")
INDICATOR_NULLABLE = ("baseline_value", "baseline_period", "target_value", "target_change_pct", "target_period")


def update_indicator(*, engine: Engine, actor: Actor, code: str, version: int, changes: dict) -> int:
    """Change an indicator's definition (baseline, target, wording); refused if someone saved it since."""
    require(actor, Permission.FRAMEWORK_WRITE)
    unknown = [k for k in changes if k not in INDICATOR_EDITABLE]
    if unknown:
        raise ValueError(f"{', '.join(unknown)}: cannot be edited here")
    # Text as typed in a form: trimmed, and an empty box clears a number or period.
    changes = {k: v.strip() if isinstance(v, str) else v for k, v in changes.items()}
    changes = {k: None if v == "" and k in INDICATOR_NULLABLE else v for k, v in changes.items()}
    problems: list[str] = []
    if "name" in changes and not str(changes["name"] or "").strip():
        problems.append("name: cannot be empty")
    if "direction" in changes and changes["direction"] not in DIRECTIONS:
        problems.append(f"direction: one of {DIRECTIONS}")
    for f in ("baseline_period", "target_period"):
        if changes.get(f):
            try:
                parse_period(str(changes[f]))
            except ValueError as exc:
                problems.append(f"{f}: {exc}")
    for f in ("baseline_value", "target_value", "target_change_pct"):
        if changes.get(f) is not None:
            try:
                changes[f] = float(changes[f])
            except (TypeError, ValueError):
                problems.append(f"{f}: {changes[f]!r} is not a number")
    if problems:
        raise ValueError("; ".join(problems))
    with session_scope(engine) as session:
        row = session.get(Indicator, code)
        if row is None:
            raise KeyError(f"no indicator {code!r}")
        if row.version != version:
            raise StaleEdit(f"indicator {code} was changed by someone else (now version {row.version}); reload it")
        before = {k: getattr(row, k) for k in changes}
        for k, v in changes.items():
            setattr(row, k, v)
        row.version += 1
        session.add(row)
        record(
            session,
            actor=actor,
            action="update",
            entity_type="indicator",
            entity_id=code,
            before=before,
            after={k: getattr(row, k) for k in changes},
        )
        return row.version


def update_thresholds(*, engine: Engine, actor: Actor, thresholds: Thresholds, version: int) -> int:
    require(actor, Permission.FRAMEWORK_WRITE)
    with session_scope(engine) as session:
        row = session.get(RagSettings, "default") or RagSettings(key="default", version=version)
        if row.version != version:
            raise StaleEdit(f"the RAG thresholds were changed by {row.updated_by} (now version {row.version}); reload")
        fields = ("on_track_progress", "off_track_below", "trend_tolerance_pct")
        before = {f: getattr(row, f) for f in fields}
        for f in fields:
            setattr(row, f, float(getattr(thresholds, f)))
        row.updated_by, row.updated_at, row.version = actor.username, utcnow(), row.version + 1
        session.add(row)
        record(
            session,
            actor=actor,
            action="update",
            entity_type="rag_settings",
            entity_id="default",
            before=before,
            after={f: getattr(row, f) for f in fields},
        )
        return row.version


def thresholds_version(engine: Engine) -> int:
    with engine.connect() as conn:
        v = conn.execute(select(RagSettings.version).where(RagSettings.key == "default")).scalar_one_or_none()
    return v or 1
