"""Funding rounds: what a round funds, its published criteria and weights, and its lifecycle.

A round is drafted (everything editable), then **opened**: its criteria, weights and scoring profile
are frozen (the profile's settings are copied onto the round, so a later edit of the saved profile
changes nothing) and every edit is refused from then on; the public round page shows exactly what was
frozen. It is then **closed** to applications, and the panel records its decisions.

Criteria: need (computed from the ward scores, never typed), community activity strength, VCS–local
authority partnership, fit to the evidence and value for money, with whole-number weights adding up
to 100. Assessors score the other four from 0 to 5.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from vru_core.models import FundingRound, RoundAssessor
from vru_core.models.common import utcnow
from vru_core.needs.profile import Profile
from vru_core.platform.audit import record, record_created
from vru_core.platform.auth import Actor, Permission, require
from vru_core.platform.db import session_scope
from vru_core.platform.errors import Invalid, NotFound, Problem, Refused
from vru_core.platform.locking import claim, write_lock
from vru_core.register.validation import Checker, Reference, split_list, to_pence, to_pounds

NEED = "need"
SCALE_MAX = 5  # assessors score 0..5; the need criterion is put on the same scale


@dataclass(frozen=True)
class Criterion:
    code: str
    label: str
    weight: int
    guidance: str
    computed: bool = False


DEFAULT_CRITERIA = (
    Criterion(
        NEED,
        "Need where the work happens",
        30,
        "Computed, not scored: the mean need score of the wards the application serves under the round's "
        "scoring profile (frozen when the round opened), as points out of 5 against London's highest-scoring ward.",
        computed=True,
    ),
    Criterion(
        "community",
        "Strength of community activity",
        20,
        "How rooted the work is in local community activity, and who is involved.",
    ),
    Criterion(
        "partnership",
        "VCS–local authority partnership",
        20,
        "A proven, working connection between the voluntary and community sector and the local authority.",
    ),
    Criterion("evidence", "Fit to the evidence", 15, "How closely the work follows what the evidence says works."),
    Criterion("value", "Value for money", 15, "What the money buys, for how many young people, at what cost."),
)
CRITERIA_BY_CODE = {c.code: c for c in DEFAULT_CRITERIA}
STATUSES = {
    "draft": "Draft (not published)",
    "open": "Open for applications",
    "closed": "Closed: assessment and decisions",
}
_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{1,39}$")


def year_label(year: int) -> str:
    """2026 -> '2026/27' (the UK financial year, April to March)."""
    return f"{year}/{(year + 1) % 100:02d}"


def _year(c: Checker, data: Mapping) -> int | None:
    text = str(data.get("financial_year") or "").strip()
    match = re.fullmatch(r"(20[0-9]{2})(?:/([0-9]{2}))?", text)
    if not match:
        c.add("financial_year", f"{text!r} is not a financial year: write 2026 or 2026/27")
        return None
    year = int(match.group(1))
    if match.group(2) is not None and int(match.group(2)) != (year + 1) % 100:
        c.add("financial_year", f"{text!r}: a financial year runs April to March, e.g. {year_label(year)}")
        return None
    return year


def _weights(c: Checker, data: Mapping) -> list[dict[str, Any]]:
    given = data.get("weights") or {}
    criteria: list[dict[str, Any]] = []
    for criterion in DEFAULT_CRITERIA:
        raw = str(given.get(criterion.code, criterion.weight)).strip()
        if not re.fullmatch(r"[0-9]{1,3}", raw) or int(raw) > 100:
            c.add(f"weight_{criterion.code}", f"{raw!r} is not a whole-number weight from 0 to 100")
            continue
        criteria.append(
            {
                "code": criterion.code,
                "label": criterion.label,
                "weight": int(raw),
                "guidance": criterion.guidance,
                "computed": criterion.computed,
            }
        )
    if len(criteria) == len(DEFAULT_CRITERIA) and sum(x["weight"] for x in criteria) != 100:
        total = sum(x["weight"] for x in criteria)
        c.add("weights", f"the weights add up to {total}; they must add up to 100")
    return criteria


def clean_round(engine: Engine, data: Mapping) -> dict:
    """Every rule for a round's fields at once; returns the columns to store, or raises Invalid."""
    from vru_core.needs.profiles import get_profile

    ref = Reference.load(engine)
    c = Checker()
    code = c.text(data, "code", max_length=40)
    if code and not _CODE.match(code):
        c.add("code", f"{code!r}: use letters, digits and '-' only, e.g. YLF-2026-R1")
    clean: dict[str, Any] = {
        "code": code,
        "title": c.text(data, "title", max_length=200),
        "description": c.text(data, "description", required=False, max_length=5000),
        "funding_stream_code": c.funding_stream(data, ref),
        "financial_year": _year(c, data),
        "opens_on": c.date(data, "opens_on"),
        "closes_on": c.date(data, "closes_on"),
        "decision_on": c.date(data, "decision_on"),
        "criteria": _weights(c, data),
    }
    budget = c.amount(data, "budget")
    clean["budget_pence"] = to_pence(budget) if budget is not None else None
    c.date_order(clean["opens_on"], clean["closes_on"], end_field="closes_on")
    c.date_order(clean["closes_on"], clean["decision_on"], end_field="decision_on")
    boroughs = [b.upper() for b in split_list(data.get("eligible_boroughs"))]
    for b in boroughs:
        if b not in ref.boroughs:
            c.add("eligible_boroughs", f"unknown London borough code {b!r} (E09…); leave blank for all of London")
    clean["eligible_boroughs"] = sorted(set(boroughs))
    clean["objectives"] = c.objectives(data, ref)
    areas = split_list(data.get("priority_areas"))
    for area in areas:
        if area not in ref.priority_areas:
            c.add("priority_areas", f"unknown priority area {area!r}")
    clean["priority_areas"] = sorted(set(areas))
    profile_name = c.text(data, "profile_name", required=False, max_length=120)
    if profile_name and get_profile(engine, profile_name) is None:
        c.add("profile_name", f"no saved scoring profile named {profile_name!r} (blank: the default profile)")
    clean["profile_name"] = profile_name
    gap = str(data.get("moderation_gap", 2)).strip()
    if not re.fullmatch(r"[0-5]", gap):
        c.add("moderation_gap", f"{gap!r}: a gap of 0 to {SCALE_MAX} points")
    clean["moderation_gap"] = int(gap) if gap.isdigit() else 2
    if c.problems:
        raise Invalid(c.problems)
    return clean


def round_dict(r: FundingRound) -> dict:
    """What the audit log and the readers see of a round (money in pounds)."""
    return {
        "code": r.code,
        "title": r.title,
        "description": r.description,
        "funding_stream_code": r.funding_stream_code,
        "financial_year": year_label(r.financial_year),
        "budget": to_pounds(r.budget_pence),
        "opens_on": r.opens_on,
        "closes_on": r.closes_on,
        "decision_on": r.decision_on,
        "eligible_boroughs": list(r.eligible_boroughs),
        "objectives": list(r.objectives),
        "priority_areas": list(r.priority_areas),
        "criteria": [dict(x) for x in r.criteria],
        "profile_name": r.profile_name,
        "profile_settings": r.profile_settings,
        "moderation_gap": r.moderation_gap,
        "status": r.status,
        "opened_at": r.opened_at,
        "opened_by": r.opened_by,
        "is_example": r.is_example,
        "version": r.version,
    }


def create_round(*, engine: Engine, actor: Actor, data: Mapping, is_example: bool = False) -> int:
    """A new round, as a draft; returns its id."""
    require(actor, Permission.REGISTER_WRITE)
    clean = clean_round(engine, data)
    with session_scope(engine) as session:
        write_lock(session, "rounds.create")
        if session.exec(select(FundingRound.id).where(FundingRound.code == clean["code"])).first() is not None:
            raise Invalid([Problem(None, "code", f"a round coded {clean['code']} already exists")])
        row = FundingRound(
            **clean, is_example=is_example, created_by=actor.username, updated_by=actor.username, status="draft"
        )
        return record_created(session, row, actor=actor, entity_type="funding_round", after=round_dict)


def _claim_draft(session: Session, round_id: int, version: int, doing: str) -> tuple[FundingRound, dict]:
    row = claim(session, FundingRound, round_id, version, entity_type="funding_round")
    before = {**round_dict(row), "version": version}
    if row.status != "draft":
        raise Refused(
            f"{row.code} opened on {row.opened_at:%Y-%m-%d} ({row.opened_by}): its criteria, weights and terms are "
            f"frozen as published, so it cannot be {doing}"
        )
    return row, before


def _saved(session: Session, actor: Actor, row: FundingRound, before: dict, action: str, note: str = "") -> int:
    """Stamp, store and audit a change to a round claimed at its editor's version; returns the new version."""
    row.updated_by, row.updated_at = actor.username, utcnow()
    session.add(row)
    record(
        session,
        actor=actor,
        action=action,
        entity_type="funding_round",
        entity_id=str(row.id),
        before=before,
        after=round_dict(row),
        note=note,
    )
    return row.version


def update_round(*, engine: Engine, actor: Actor, round_id: int, version: int, data: Mapping) -> int:
    """Edit a draft round from the `version` the person opened; an opened round refuses every edit."""
    require(actor, Permission.REGISTER_WRITE)
    clean = clean_round(engine, data)
    with session_scope(engine) as session:
        row, before = _claim_draft(session, round_id, version, "edited")
        if clean["code"] != row.code:
            raise Invalid([Problem(None, "code", "a round's code never changes once recorded")])
        for key, value in clean.items():
            setattr(row, key, value)
        return _saved(session, actor, row, before, "update")


def open_round(*, engine: Engine, actor: Actor, round_id: int, version: int) -> int:
    """Publish the round: freeze its criteria, weights and the scoring profile's settings."""
    require(actor, Permission.REGISTER_WRITE)
    from vru_core.needs.profiles import get_profile

    with session_scope(engine) as session:
        row, before = _claim_draft(session, round_id, version, "opened again")
        profile = get_profile(engine, row.profile_name) if row.profile_name else Profile()
        if profile is None:
            raise Invalid(
                [Problem(None, "profile_name", f"the profile {row.profile_name!r} was deleted: choose another")]
            )
        row.profile_settings = profile.to_dict()
        row.status, row.opened_at, row.opened_by = "open", utcnow(), actor.username
        return _saved(session, actor, row, before, "open", "criteria, weights and scoring profile frozen")


def close_round(*, engine: Engine, actor: Actor, round_id: int, version: int) -> int:
    """No more applications; assessment goes on and the panel decides."""
    require(actor, Permission.REGISTER_WRITE)
    with session_scope(engine) as session:
        row = claim(session, FundingRound, round_id, version, entity_type="funding_round")
        before = {**round_dict(row), "version": version}
        if row.status != "open":
            raise Refused(f"status: only an open round can be closed ({row.code} is {row.status})")
        row.status = "closed"
        return _saved(session, actor, row, before, "close")


def assign_assessor(*, engine: Engine, actor: Actor, round_id: int, username: str) -> None:
    """A commissioner assigned to assess this round (people with the assessor role need no assignment)."""
    require(actor, Permission.REGISTER_WRITE)
    from vru_core.models import User

    with session_scope(engine) as session:
        row = session.get(FundingRound, round_id)
        if row is None:
            raise NotFound(f"No funding round with id {round_id}")
        user = session.exec(select(User).where(User.username == username)).first()
        if user is None or not user.active or user.role not in ("commissioner", "admin"):
            raise Invalid([Problem(None, "username", f"{username!r} is not an active commissioner's account")])
        if session.get(RoundAssessor, (round_id, username)) is not None:
            raise Invalid([Problem(None, "username", f"{username} is already assigned to {row.code}")])
        session.add(RoundAssessor(round_id=round_id, username=username, assigned_by=actor.username))
        record(
            session,
            actor=actor,
            action="assign",
            entity_type="round_assessor",
            entity_id=f"{round_id}:{username}",
            after={"round": row.code, "username": username},
        )


# ---- reads -----------------------------------------------------------------------------------------------


def find_round(session: Session, ref: int | str) -> FundingRound:
    """A round by id or by code."""
    row = None
    if isinstance(ref, int) or str(ref).isdigit():
        row = session.get(FundingRound, int(ref))
    if row is None:
        row = session.exec(select(FundingRound).where(FundingRound.code == str(ref))).first()
    if row is None:
        raise NotFound(f"No funding round {ref!r}")
    return row


def get_round(engine: Engine, ref: int | str) -> dict:
    with Session(engine) as session:
        row = find_round(session, ref)
        assessors = session.exec(select(RoundAssessor.username).where(RoundAssessor.round_id == row.id)).all()
        return {"id": row.id, **round_dict(row), "assessors": sorted(assessors)}


def list_rounds(engine: Engine, *, published_only: bool = False) -> list[dict]:
    """Every round, newest first; `published_only`: opened and not an example (what the public may see)."""
    with Session(engine) as session:
        query = select(FundingRound).order_by(col(FundingRound.opens_on).desc(), col(FundingRound.id).desc())
        rows = session.exec(query).all()
        assessors: dict[int, list[str]] = {}
        for round_id, username in session.exec(select(RoundAssessor.round_id, RoundAssessor.username)):
            assessors.setdefault(round_id, []).append(username)
        return [
            {"id": r.id, **round_dict(r), "assessors": sorted(assessors.get(r.id or 0, []))}
            for r in rows
            if not published_only or (r.status != "draft" and not r.is_example)
        ]


def frozen_profile(row: FundingRound | Mapping) -> Profile:
    """The profile frozen when the round opened (a draft has none yet: its chosen profile's current settings)."""
    settings = row["profile_settings"] if isinstance(row, Mapping) else row.profile_settings
    if settings is None:
        raise Refused("the round is not open yet: its scoring profile is frozen when it opens")
    return Profile.from_dict(settings)
