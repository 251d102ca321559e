"""A clearly labelled example register, so a new user sees the pages working before real awards exist.

Every example row is flagged `is_example`, and its names and identifiers say EXAMPLE; the pages show a
banner while any are present, exports leave them out, and one call removes them all.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random

from sqlalchemy import Engine, func
from sqlmodel import select

from vru_core.models import Award, AwardArea, AwardNeedEvidence, BudgetLine, Organisation, Ward
from vru_core.platform.audit import record, record_created
from vru_core.platform.auth import Actor, Permission, require
from vru_core.platform.db import session_scope
from vru_core.register import need_evidence
from vru_core.register.budget import line_dict
from vru_core.register.budget_reads import budget_lines
from vru_core.register.importer import TEMPLATE_COLUMNS, ImportResult, import_csv
from vru_core.register.lifecycle import delete_award_rows, snapshot_from_session
from vru_core.register.statuses import COMMITTED

EXAMPLE_PREFIX = "360G-LondonVRU-EXAMPLE-"
# Made-up organisations have no charity or company number, so they take identifiers under the VRU's own
# 360Giving prefix (as a real unregistered group would) and say where they are based by borough code.
ORG_PREFIX = "360G-LondonVRU-EXAMPLE-ORG-"
ORGS = [
    (f"{ORG_PREFIX}0001", "EXAMPLE Youth Mentoring Trust", "voluntary_community"),
    (f"{ORG_PREFIX}0002", "EXAMPLE Parents Together Network", "voluntary_community"),
    (f"{ORG_PREFIX}0003", "EXAMPLE After-School Sports Club", "voluntary_community"),
    (f"{ORG_PREFIX}0004", "EXAMPLE Borough Council (fictional)", "local_authority"),
    (f"{ORG_PREFIX}0005", "EXAMPLE Community Arts Collective", "voluntary_community"),
    (f"{ORG_PREFIX}0006", "EXAMPLE Academy Trust (fictional)", "school"),
]
REGRANTS = {"local_authority": "FRG010"}  # the example council passes its grants on to local groups
TITLES = [
    ("Youth mentoring", 3, "young_persons_action_group"),
    ("After-school activities 4-7pm", 5, "after_school"),
    ("Parenting programme", 2, "supporting_parents"),
    ("Primary to secondary transition support", 5, "school_transition"),
    ("Grassroots knife crime project", 4, "grassroots_knife_crime"),
    ("Youth worker training", 6, "youth_workers"),
    ("Trauma-informed practice training", 7, "neighbourhood_csp"),
    ("Support for young people affected by domestic violence", 1, "domestic_violence"),
]
STREAMS = ["vru_core_budget", "home_office_vru_grant", "mopac_safer_schools", "young_londoners_fund"]
STATUSES = ["proposed", "approved", "active", "active", "completed", "withdrawn"]


def example_csv(
    engine: Engine, *, count: int = 40, seed: int = 2026, prefix: str = EXAMPLE_PREFIX, statuses=tuple(STATUSES)
) -> str:
    """The example awards as an import file (the same path real bulk loads take); benchmarks reuse it."""
    rng = random.Random(seed)
    with engine.connect() as conn:
        wards = conn.execute(select(Ward.code, Ward.borough_code).order_by(Ward.code)).all()
    by_borough: dict[str, list[str]] = {}
    for code, borough in wards:
        by_borough.setdefault(borough, []).append(code)
    borough_codes = sorted(by_borough)
    based = {org_id: borough_codes[(7 * k) % len(borough_codes)] for k, (org_id, _, _) in enumerate(ORGS)}
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=TEMPLATE_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for i in range(1, count + 1):
        org_id, org_name, org_type = ORGS[i % len(ORGS)]
        title, objective, priority = TITLES[i % len(TITLES)]
        award_date = dt.date(2025, 4, 1) + dt.timedelta(days=rng.randrange(0, 540))
        start = award_date + dt.timedelta(days=rng.randrange(14, 60))
        end = start + dt.timedelta(days=rng.choice([182, 365, 730]))
        amount = rng.randrange(5, 120) * 1000
        level = rng.choices(["ward", "borough", "london"], weights=[6, 3, 1])[0]
        borough = rng.choice(borough_codes)
        if level == "ward":
            areas = rng.sample(by_borough[borough], k=min(len(by_borough[borough]), rng.randint(1, 3)))
        elif level == "borough":
            areas = [borough]
        else:
            areas = []
        objectives = sorted({objective, rng.randint(1, 8)})
        writer.writerow(
            {
                "identifier": f"{prefix}{i:06d}",
                "title": f"EXAMPLE: {title}",
                "description": "Example data for trying the register. Not a real award.",
                "recipient_org_id": org_id,
                "recipient_name": org_name,
                "recipient_type": org_type,
                "recipient_location": based[org_id],
                "amount_awarded": str(amount),
                "award_date": award_date.isoformat(),
                "planned_start": start.isoformat(),
                "planned_end": end.isoformat(),
                "funding_stream": rng.choice(STREAMS),
                "priority_area": priority if rng.random() < 0.8 else "",
                "objectives": ";".join(str(n) for n in objectives),
                "geography_level": level,
                "areas": ";".join(areas),
                "regrant_type": REGRANTS.get(org_type, ""),
                "status": rng.choice(statuses),
            }
        )
    return out.getvalue()


def has_examples(engine: Engine) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(Award).where(Award.is_example)).scalar_one()


def load_examples(*, engine: Engine, actor: Actor) -> ImportResult:
    """Import the examples, then freeze need evidence (default profile) on those already committed."""
    require(actor, Permission.REGISTER_WRITE)
    result = import_csv(engine=engine, actor=actor, content=example_csv(engine), is_example=True)
    _freeze_example_evidence(engine, actor)
    _example_budgets(engine, actor)
    return result


def _example_budgets(engine: Engine, actor: Actor) -> None:
    """An EXAMPLE allocation for each stream and year the example awards commit money in (a quarter above
    what they commit, rounded up to £10,000), so the Budgets page has something to show; never over a
    real line an administrator set."""
    wanted = [b for b in budget_lines(engine) if not b.budget_set and b.committed > 0]
    with session_scope(engine) as session:
        for b in wanted:
            allocated = -(-int(b.committed * 125) // 1_000_000) * 1_000_000  # pence, up to the next £10,000
            line = BudgetLine(
                funding_stream_code=b.stream,
                year=b.year,
                allocated_pence=allocated,
                note="EXAMPLE: a made-up allocation for trying the Budgets page",
                is_example=True,
                created_by=actor.username,
                updated_by=actor.username,
            )
            record_created(
                session, line, actor=actor, entity_type="budget_line", after=line_dict, note="example register"
            )


def _freeze_example_evidence(engine: Engine, actor: Actor) -> None:
    try:
        name, profile, scores, measures = need_evidence._current_scores(engine, None)
    except ImportError:  # no scoring module: the examples simply carry no evidence
        return
    with session_scope(engine) as session:
        awards = session.exec(
            select(Award).where(
                Award.is_example, Award.status.in_(COMMITTED), Award.id.not_in(select(AwardNeedEvidence.award_id))
            )
        ).all()
        for award in awards:
            codes = [a.area_code for a in session.exec(select(AwardArea).where(AwardArea.award_id == award.id))]
            evidence = need_evidence.evidence_from_scores(
                profile_name=name,
                profile_settings=profile.to_dict(),
                table=scores.table,
                flags=scores.flags,
                measures=measures,
                ward_codes=need_evidence.wards_served(engine, geography_level=award.geography_level, area_codes=codes),
            )
            evidence["geography_level"] = award.geography_level
            need_evidence.freeze(session, award_id=award.id, actor=actor, evidence=evidence)


def remove_examples(*, engine: Engine, actor: Actor) -> int:
    """Delete every example award (with its links, payments and returns), the example organisations and
    the example budget lines, audited."""
    require(actor, Permission.REGISTER_WRITE)
    with session_scope(engine) as session:
        awards = session.exec(select(Award).where(Award.is_example)).all()
        for award in awards:
            record(
                session,
                actor=actor,
                action="delete",
                entity_type="award",
                entity_id=award.id,
                before=snapshot_from_session(session, award),
                note="remove example register",
            )
        ids = [a.id for a in awards]
        if ids:
            delete_award_rows(session, ids)
        for line in session.exec(select(BudgetLine).where(BudgetLine.is_example)).all():
            record(
                session,
                actor=actor,
                action="delete",
                entity_type="budget_line",
                entity_id=line.id or 0,
                before=line_dict(line),
                note="remove example register",
            )
            session.delete(line)
        orgs = session.exec(select(Organisation).where(Organisation.is_example)).all()
        for org in orgs:
            if session.exec(select(Award.id).where(Award.organisation_id == org.id)).first() is None:
                session.delete(org)
        return len(ids)
