"""The panel's decisions: fund, reserve or decline, each with its reason, once the round has closed.

A **funded** application becomes a *proposed* award in the register, made by the register's own
`lifecycle` code as `create_award` (so every register rule applies: organisation identifier, areas, dates), for
the amount requested or a lower one the panel sets. The award carries the application's need evidence
(computed under the round's frozen profile; approval keeps it rather than computing another) and its
assessment, which `award_origin` reads back through `application.award_id`. Funding never takes the
round past its budget line: decisions on one round are serialised on the round's row.

A decision is one transaction: under the round's lock it claims the application at the version the
panel saw, re-checks the budget line, adds the award (`lifecycle.insert_award`, the same code as
`create_award`), freezes its need evidence and records the decision, audited. If any step is refused
(a colleague decided meanwhile, the money ran out, a register rule), nothing is written.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import BigInteger, Engine, cast, func
from sqlmodel import Session, col, select

from vru_core.models import Application, FundingRound
from vru_core.models.common import utcnow
from vru_core.platform.audit import record
from vru_core.platform.auth import Actor, Permission, require
from vru_core.platform.db import session_scope
from vru_core.platform.errors import Invalid, NotFound, Problem, Refused
from vru_core.platform.locking import check_version, claim, lock_row
from vru_core.register import lifecycle, need_evidence
from vru_core.register.controls import assessors_of
from vru_core.register.validation import Checker, Reference, clean_award, to_pence, to_pounds
from vru_core.rounds.applications import application_dict
from vru_core.rounds.rounds import find_round

DECISIONS = {"fund": "Fund", "reserve": "Reserve", "decline": "Decline"}


def funded_pence(session: Session, round_id: int | None) -> int:
    total = cast(func.sum(Application.funded_pence), BigInteger)
    query = select(func.coalesce(total, 0)).where(Application.round_id == round_id, Application.decision == "fund")
    return int(session.exec(query).one())


def _award_data(a: Application, rnd: FundingRound, amount: Decimal) -> dict:
    org = a.applicant
    return {
        "title": a.project_title,
        "description": a.description,
        "recipient_org_id": a.applicant_org_id,
        "recipient_name": org.get("name", ""),
        "recipient_type": org.get("org_type", "voluntary_community"),
        "charity_number": org.get("charity_number") or "",
        "company_number": org.get("company_number") or "",
        "recipient_postcode": org.get("postal_code") or "",
        "amount_awarded": str(amount),
        "award_date": dt.date.today().isoformat(),
        "planned_start": a.planned_start.isoformat(),
        "planned_end": a.planned_end.isoformat(),
        "funding_stream": rnd.funding_stream_code,
        "priority_area": a.priority_area_code or "",
        "objectives": ";".join(str(n) for n in a.objectives),
        "geography_level": a.geography_level,
        "areas": ";".join(a.areas),
    }


def _check_budget(session: Session, rnd: FundingRound, pence: int, reference: str) -> None:
    funded = funded_pence(session, rnd.id)
    if funded + pence > rnd.budget_pence:
        left = to_pounds(rnd.budget_pence - funded)
        raise Invalid(
            [
                Problem(
                    None,
                    "amount",
                    f"funding {reference} (£{to_pounds(pence):,}) would take {rnd.code} past its budget line of "
                    f"£{to_pounds(rnd.budget_pence):,} (£{to_pounds(funded):,} funded, £{left:,} left)",
                )
            ]
        )


def decide(
    *,
    engine: Engine,
    actor: Actor,
    application_id: int,
    version: int,
    decision: str,
    reason: str,
    amount: str | Decimal | None = None,
) -> int | None:
    """Record the panel's decision at the `version` it saw; returns the new award's id when funded."""
    require(actor, Permission.REGISTER_WRITE)
    c = Checker()
    decision = c.choice({"decision": decision}, "decision", DECISIONS) or ""
    reason = c.text({"reason": reason}, "reason", max_length=2000)
    given = c.amount({"amount": amount}, "amount", required=False) if decision == "fund" else None
    if c.problems:
        raise Invalid(c.problems)
    with Session(engine) as session:
        seen = session.get(Application, application_id)
        if seen is None:
            raise NotFound(f"No application with id {application_id}")
        check_version(session, seen, version, entity_type="application", entity_id=str(application_id))
        rnd = session.get(FundingRound, seen.round_id)
        assert rnd is not None
        if rnd.status != "closed":
            raise Refused(f"{rnd.code} is {rnd.status}: the panel decides once the round has closed")
        if seen.decision == "fund":
            raise Refused(
                f"{seen.reference} is funded (award {seen.award_id}); withdraw the award in the register instead"
            )
        pounds = given if given is not None else to_pounds(seen.amount_pence)
        assert pounds is not None
        if decision == "fund" and to_pence(pounds) > seen.amount_pence:
            raise Invalid(
                [Problem(None, "amount", f"£{pounds:,} is more than the £{to_pounds(seen.amount_pence):,} requested")]
            )
        clean = None
        if decision == "fund":
            _check_budget(session, rnd, to_pence(pounds), seen.reference)
            clean, problems = clean_award(_award_data(seen, rnd, pounds), Reference.load(engine))
            if clean is None:
                raise Invalid(problems)
    return _record(engine, actor, application_id, version, decision, reason, pounds, clean, seen.is_example)


def _record(engine, actor, application_id, version, decision, reason, pounds, clean, is_example) -> int | None:
    """Under the round's lock: claim the application, re-check the money, add the award, record it all."""
    with session_scope(engine) as session:
        probe = session.get(Application, application_id)
        rnd = lock_row(session, FundingRound, probe.round_id) if probe is not None else None
        a = claim(session, Application, application_id, version, entity_type="application")
        assert rnd is not None
        before = {**application_dict(a), "version": version}
        if a.decision == "fund":
            raise Refused(f"{a.reference} was funded meanwhile (award {a.award_id})")
        award_id = None
        if decision == "fund":
            _check_budget(session, rnd, to_pence(pounds), a.reference)
            award_id = lifecycle.insert_award(session, actor=actor, clean=clean, is_example=is_example)
            a.funded_pence, a.award_id = to_pence(pounds), award_id
            evidence = {**a.need_evidence, "source": f"funding round {rnd.code}, application {a.reference}"}
            need_evidence.freeze(session, award_id=award_id, actor=actor, evidence=evidence)
        a.decision, a.decision_reason = decision, reason
        a.decided_by, a.decided_at = actor.username, utcnow()
        session.add(a)
        record(
            session,
            actor=actor,
            action="decide",
            entity_type="application",
            entity_id=application_id,
            before=before,
            after=application_dict(a),
            note=f"{DECISIONS[decision]}: {reason}"[:500],
        )
        return award_id


# ---- reads -------------------------------------------------------------------------------------------------


def award_ids(engine: Engine, round_ref: int | str) -> list[int]:
    """The ids of the awards a round's funded applications became, in order."""
    with Session(engine) as session:
        rnd = find_round(session, round_ref)
        query = select(Application.award_id).where(
            Application.round_id == rnd.id, col(Application.award_id).is_not(None)
        )
        return sorted(int(i) for i in session.exec(query).all() if i is not None)


def award_origin(engine: Engine, award_id: int) -> dict | None:
    """Where an award came from: its round, application, the panel's reason and its assessment (or None)."""
    from vru_core.rounds.paper import paper

    with Session(engine) as session:
        a = session.exec(select(Application).where(Application.award_id == award_id)).first()
        if a is None:
            return None
        rnd = session.get(FundingRound, a.round_id)
        assert rnd is not None
        assessors = sorted(assessors_of(session, award_id))
        code, reference = rnd.code, a.reference
        result = {
            "round": rnd.code,
            "round_title": rnd.title,
            "application": a.reference,
            "decision_reason": a.decision_reason,
            "decided_by": a.decided_by,
            "need_figure": a.need_figure,
            "need_points": a.need_points,
            "assessors": assessors,
        }
    _, table = paper(engine, code)
    row = table[table["reference"] == reference].iloc[0]
    result["weighted_score"] = row["weighted_score"]
    result["rank"], result["of"] = int(row["rank"]), len(table)
    result["points"] = {c.removeprefix("points_"): row[c] for c in table.columns if c.startswith("points_")}
    return result
