"""Applications to an open round: entered one at a time by staff, or uploaded as a CSV (all or nothing).

Every rule is checked before anything is saved, each problem naming its row (the file's line) and
field: the applicant's 360Giving organisation identifier (vru_core.register.orgids, through the
register's Checker), amounts, dates, objectives and priority area within what the round funds, wards or
boroughs within its eligible geographies. The need criterion is filled in automatically from the ward
scores under the round's frozen profile (vru_core.rounds.need). A reference already in the round is
left alone when the row is the same (re-uploading a file adds nothing) and is a problem when it differs.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Engine, func
from sqlmodel import Session, select

from vru_core.models import Application, FundingRound, Organisation
from vru_core.platform.audit import record_created
from vru_core.platform.auth import Actor, Permission, require
from vru_core.platform.csvsafe import unescape_cell
from vru_core.platform.db import session_scope
from vru_core.platform.errors import Invalid, Problem, Refused
from vru_core.platform.inputs import read_csv_upload
from vru_core.platform.locking import write_lock
from vru_core.register.lifecycle import organisation_problems
from vru_core.register.validation import Checker, Reference, to_pence, to_pounds
from vru_core.rounds.need import NeedScorer
from vru_core.rounds.rounds import find_round, frozen_profile

LOCK = "rounds.applications"
MAX_BYTES = 2 * 1024 * 1024
COLUMNS = (
    "reference",
    "applicant_org_id",
    "applicant_name",
    "applicant_type",
    "charity_number",
    "company_number",
    "applicant_postcode",
    "project_title",
    "description",
    "amount_requested",
    "planned_start",
    "planned_end",
    "priority_area",
    "objectives",
    "geography_level",
    "areas",
)
REQUIRED = ("applicant_org_id", "applicant_name", "project_title", "amount_requested", "objectives")
GUIDE = {
    "reference": "The application's reference in this round, e.g. APP-007 (blank: the next number).",
    "applicant_org_id": "Required. 360Giving organisation identifier: GB-CHC-<charity number>, GB-COH-<company "
    "number>, GB-LAE-<council code>, or 360G-… for a group with no registered number.",
    "applicant_name": "Required. The organisation's registered name.",
    "applicant_type": "voluntary_community, local_authority, school, statutory or other.",
    "charity_number": "6 or 7 digits, if a charity.",
    "company_number": "8 characters, if a company.",
    "applicant_postcode": "Optional. Where the organisation is based.",
    "project_title": "Required. What the project is called.",
    "description": "What the money would pay for.",
    "amount_requested": "Required. Pounds as a plain number: 45000 or 45000.50.",
    "planned_start": "Required. YYYY-MM-DD.",
    "planned_end": "Required. YYYY-MM-DD, on or after the start.",
    "priority_area": "One of the round's priority areas (required when the round names any).",
    "objectives": "Required. Objective numbers the round funds, separated by ';' (e.g. 3;5).",
    "geography_level": "ward, borough or london (blank: read from the codes).",
    "areas": "Ward (E05…) or borough (E09…) codes within the round's eligible boroughs, separated by ';'.",
}


def template_csv() -> str:
    return ",".join(COLUMNS) + "\r\n"


def clean_application(data: Mapping, ref: Reference, rnd: FundingRound, *, row: int | None = None) -> tuple[dict, list]:
    """Every rule for one application against its round: (columns to store, problems)."""
    c = Checker(row=row)
    reference = c.text(data, "reference", required=False, max_length=60)
    if reference and not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._/-]*", reference):
        c.add("reference", f"{reference!r} may use letters, digits and . _ / - only")
    org = c.organisation(data, ref, prefix="applicant_")
    amount = c.amount(data, "amount_requested")
    start, end = c.date(data, "planned_start"), c.date(data, "planned_end")
    c.date_order(start, end)
    priority = c.priority_area(data, ref)
    if rnd.priority_areas and priority not in rnd.priority_areas:
        c.add(
            "priority_area",
            f"{priority or '(blank)'} is not funded by {rnd.code}: one of {', '.join(rnd.priority_areas)}",
        )
    objectives = c.objectives(data, ref)
    outside = [n for n in objectives if n not in rnd.objectives]
    if outside:
        funded = ", ".join(str(n) for n in rnd.objectives)
        c.add("objectives", f"{rnd.code} funds objectives {funded}, not {', '.join(map(str, outside))}")
    level, areas = c.areas(data, ref)
    if rnd.eligible_boroughs:
        if level == "london":
            c.add("geography_level", f"{rnd.code} funds work in named boroughs only, not London-wide")
        boroughs = {ref.ward_borough.get(a, a) for a in areas}
        if boroughs - set(rnd.eligible_boroughs):
            c.add("areas", f"outside the round's eligible boroughs ({', '.join(rnd.eligible_boroughs)})")
    if amount is not None and to_pence(amount) > rnd.budget_pence:
        c.add(
            "amount_requested",
            f"£{amount:,} is more than the round's whole budget line of £{to_pounds(rnd.budget_pence):,}",
        )
    clean = {
        "reference": reference,
        "applicant_org_id": org["org_id"],
        "applicant": {k: v for k, v in org.items() if k != "org_id"},
        "project_title": c.text(data, "project_title", max_length=300),
        "description": c.text(data, "description", required=False, max_length=5000),
        "amount_pence": to_pence(amount) if amount is not None else None,
        "planned_start": start,
        "planned_end": end,
        "priority_area_code": priority,
        "objectives": objectives,
        "geography_level": level,
        "areas": areas,
    }
    return clean, c.problems


def application_dict(a: Application) -> dict:
    return {
        "reference": a.reference,
        "applicant_org_id": a.applicant_org_id,
        "applicant_name": a.applicant.get("name", ""),
        "project_title": a.project_title,
        "amount_requested": to_pounds(a.amount_pence),
        "objectives": list(a.objectives),
        "geography_level": a.geography_level,
        "areas": list(a.areas),
        "need_figure": a.need_figure,
        "need_points": a.need_points,
        "decision": a.decision,
        "decision_reason": a.decision_reason,
        "award_id": a.award_id,
        "version": a.version,
    }


_COMPARED = (
    "applicant_org_id",
    "applicant",
    "project_title",
    "description",
    "amount_pence",
    "planned_start",
    "planned_end",
    "priority_area_code",
    "objectives",
    "geography_level",
    "areas",
)


def _open_round(session: Session, round_ref: int | str) -> FundingRound:
    rnd = find_round(session, round_ref)
    if rnd.status != "open":
        raise Refused(f"{rnd.code} is {rnd.status}: applications are entered while a round is open")
    return rnd


def _check_rows(
    engine: Engine, rnd: FundingRound, rows: Sequence[tuple[int | None, Mapping]]
) -> tuple[list, list, list]:
    """(new rows to store, unchanged count holder, problems) for rows checked against the round and the store."""
    ref = Reference.load(engine)
    with Session(engine) as session:
        stored = {a.reference: a for a in session.exec(select(Application).where(Application.round_id == rnd.id))}
        orgs = {
            o.org_id: {"name": o.name, "charity_number": o.charity_number, "company_number": o.company_number}
            for o in session.exec(select(Organisation))
        }
    problems: list[Problem] = []
    new: list[tuple[int | None, dict]] = []
    unchanged: list[str] = []
    seen: dict[str, int | None] = {}
    names: dict[str, tuple[str, int | None]] = {}
    for line, raw in rows:
        clean, row_problems = clean_application(raw, ref, rnd, row=line)
        problems += row_problems
        reference = clean["reference"]
        if reference and reference in seen:
            problems.append(
                Problem(line, "reference", f"duplicate reference {reference!r}: already on row {seen[reference]}")
            )
            continue
        if reference:
            seen[reference] = line
        if row_problems:
            continue
        org_id, name = clean["applicant_org_id"], clean["applicant"]["name"]
        if org_id in orgs:
            problems += organisation_problems(orgs[org_id], {"org_id": org_id, **clean["applicant"]}, line)
        first = names.setdefault(org_id, (name, line))
        if first[0] != name:
            problems.append(Problem(line, "applicant_name", f"{org_id} is named {first[0]!r} on row {first[1]}"))
        if reference in stored:
            differs = [k for k in _COMPARED if getattr(stored[reference], k) != clean[k]]
            if differs:
                problems.append(
                    Problem(line, "reference", f"{reference} is already in {rnd.code} with other {', '.join(differs)}")
                )
            else:
                unchanged.append(reference)
            continue
        new.append((line, clean))
    return new, unchanged, problems


def _scorer(engine: Engine, rnd: FundingRound) -> NeedScorer:
    """Scored once, before any lock is taken (scoring London takes a moment)."""
    return NeedScorer(engine, frozen_profile(rnd), profile_name=f"{rnd.code} (frozen at opening)")


def _store(
    session: Session, scorer: NeedScorer, actor: Actor, rnd: FundingRound, new: list, is_example: bool
) -> list[int]:
    assert rnd.id is not None
    write_lock(session, LOCK)
    taken = set(session.exec(select(Application.reference).where(Application.round_id == rnd.id)).all())
    clash = [
        Problem(line, "reference", f"{c['reference']} was entered meanwhile")
        for line, c in new
        if c["reference"] in taken
    ]
    if clash:
        raise Invalid(clash)
    n = session.exec(select(func.count()).select_from(Application).where(Application.round_id == rnd.id)).one()
    ids = []
    for _line, clean in new:
        if not clean["reference"]:
            n += 1
            while f"APP-{n:03d}" in taken:
                n += 1
            clean["reference"] = f"APP-{n:03d}"
        taken.add(clean["reference"])
        need = scorer.need(clean["geography_level"], clean["areas"])
        row = Application(
            round_id=rnd.id,
            **clean,
            need_figure=need.figure,
            need_points=need.points,
            need_evidence=need.evidence,
            is_example=is_example or rnd.is_example,
            created_by=actor.username,
        )
        ids.append(record_created(session, row, actor=actor, entity_type="application", after=application_dict))
    return ids


def add_application(
    *, engine: Engine, actor: Actor, round_ref: int | str, data: Mapping, is_example: bool = False
) -> int:
    """One application entered by staff; returns its id. Its need is computed from the ward scores."""
    require(actor, Permission.REGISTER_WRITE)
    with Session(engine) as session:
        rnd = _open_round(session, round_ref)
    new, unchanged, problems = _check_rows(engine, rnd, [(None, data)])
    if unchanged:
        problems.append(Problem(None, "reference", f"{unchanged[0]} is already in {rnd.code}"))
    if problems:
        raise Invalid(problems)
    scorer = _scorer(engine, rnd)
    with session_scope(engine) as session:
        return _store(session, scorer, actor, _open_round(session, rnd.code), new, is_example)[0]


def check_file(engine: Engine, round_ref: int | str, content: bytes | str) -> dict[str, Any]:
    """Read and check an upload, writing nothing: {'problems', 'new', 'unchanged', 'rows'}."""
    table = read_csv_upload(content, max_bytes=MAX_BYTES, required=REQUIRED, known=COLUMNS)
    with Session(engine) as session:
        rnd = _open_round(session, round_ref)
    problems = list(table.problems)
    if not table.ok:
        return {"problems": problems, "new": [], "unchanged": [], "rows": 0, "round": rnd}
    rows = [(line, {k: unescape_cell(v) for k, v in raw.items()}) for line, raw in table.records()]
    new, unchanged, more = _check_rows(engine, rnd, rows)
    problems = sorted(problems + more, key=lambda p: (p.row or 0, COLUMNS.index(p.field) if p.field in COLUMNS else 99))
    return {"problems": problems, "new": new, "unchanged": unchanged, "rows": len(rows), "round": rnd}


def import_applications(*, engine: Engine, actor: Actor, round_ref: int | str, content: bytes | str) -> dict:
    """The whole file or nothing: every problem listed by row and field. Returns {'created', 'unchanged'}."""
    require(actor, Permission.REGISTER_WRITE)
    checked = check_file(engine, round_ref, content)
    if checked["problems"]:
        raise Invalid(checked["problems"])
    scorer = _scorer(engine, checked["round"]) if checked["new"] else None
    with session_scope(engine) as session:
        rnd = _open_round(session, checked["round"].code)
        ids = _store(session, scorer, actor, rnd, checked["new"], False) if scorer else []
        return {"created": len(ids), "unchanged": len(checked["unchanged"])}


def list_applications(engine: Engine, round_id: int) -> list[Application]:
    with Session(engine) as session:
        return list(
            session.exec(select(Application).where(Application.round_id == round_id).order_by(Application.reference))
        )
