"""An example round, clearly labelled, so a new user can try the rounds pages before a real round exists.

The round's code, title and applicants say EXAMPLE, every row is flagged `is_example`, the public round
page never shows it, and awards funded from it are example awards (removed with the example register).
"""

from __future__ import annotations

from sqlalchemy import Engine, delete, func
from sqlmodel import col, select

from vru_core.models import Application, Assessment, ConflictOfInterest, FundingRound, RoundAssessor, Ward
from vru_core.platform.audit import record
from vru_core.platform.auth import Actor, Permission, require
from vru_core.platform.db import session_scope
from vru_core.register.examples import ORGS
from vru_core.rounds import applications, rounds

CODE = "EXAMPLE-YLF-2026"
BOROUGHS = ("E09000012", "E09000025", "E09000022")  # Hackney, Newham, Lambeth
PROJECTS = [
    ("After-school sport and homework club", 5, 38000),
    ("Youth-led mentoring circles", 3, 25000),
    ("Evening detached youth work", 3, 52000),
    ("Parents and carers peer support", 5, 18000),
    ("Transition summer school", 5, 30000),
    ("Arts programme in estates after school", 3, 22000),
]


def has_example_rounds(engine: Engine) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(FundingRound).where(FundingRound.is_example)).scalar_one()


def load_example_round(*, engine: Engine, actor: Actor) -> int:
    """An opened EXAMPLE round with six example applications; returns its id."""
    require(actor, Permission.REGISTER_WRITE)
    data = {
        "code": CODE,
        "title": "EXAMPLE round: after-school provision in high-crime areas",
        "description": "Made-up round for trying the pages. Not a real funding round; never published.",
        "funding_stream": "young_londoners_fund",
        "financial_year": "2026/27",
        "budget": "120000",
        "opens_on": "2026-05-01",
        "closes_on": "2026-06-30",
        "decision_on": "2026-07-31",
        "eligible_boroughs": ";".join(BOROUGHS),
        "objectives": "3;5",
        "priority_areas": "after_school",
    }
    round_id = rounds.create_round(engine=engine, actor=actor, data=data, is_example=True)
    rounds.open_round(engine=engine, actor=actor, round_id=round_id, version=1)
    with engine.connect() as conn:
        wards = {
            b: list(conn.execute(select(Ward.code).where(Ward.borough_code == b).order_by(Ward.code)).scalars())
            for b in BOROUGHS
        }
    for i, (title, objective, amount) in enumerate(PROJECTS):
        org_id, name, org_type = ORGS[i % len(ORGS)]
        borough = BOROUGHS[i % len(BOROUGHS)]
        row = {
            "reference": f"EXAMPLE-{i + 1:03d}",
            "applicant_org_id": org_id,
            "applicant_name": name,
            "applicant_type": org_type,
            "project_title": f"EXAMPLE: {title}",
            "description": "Example application. Not real.",
            "amount_requested": str(amount),
            "planned_start": "2026-09-01",
            "planned_end": "2027-07-31",
            "priority_area": "after_school",
            "objectives": str(objective),
            "geography_level": "ward",
            "areas": ";".join(wards[borough][i : i + 2]),
        }
        applications.add_application(engine=engine, actor=actor, round_ref=round_id, data=row, is_example=True)
    return round_id


def remove_example_rounds(*, engine: Engine, actor: Actor) -> int:
    """Delete every example round with its applications, scores, conflicts and assessors (audited)."""
    require(actor, Permission.REGISTER_WRITE)
    with session_scope(engine) as session:
        found = session.exec(select(FundingRound).where(FundingRound.is_example)).all()
        ids = [r.id for r in found]
        for r in found:
            record(
                session,
                actor=actor,
                action="delete",
                entity_type="funding_round",
                entity_id=str(r.id),
                before=rounds.round_dict(r),
                note="remove example rounds",
            )
        if ids:
            apps = select(col(Application.id)).where(col(Application.round_id).in_(ids))
            session.exec(delete(Assessment).where(col(Assessment.application_id).in_(apps)))
            for model in (Application, ConflictOfInterest, RoundAssessor):
                session.exec(delete(model).where(col(model.round_id).in_(ids)))
            session.exec(delete(FundingRound).where(col(FundingRound.id).in_(ids)))
        return len(ids)
