"""Sample rounds and applications on real bundled data, shared by the rounds tests, pages and browser walk."""

from __future__ import annotations

from sqlalchemy import Engine, select

from vru_core.models import Ward
from vru_core.platform.auth import Actor, Role
from vru_core.rounds import applications, rounds

HACKNEY, NEWHAM = "E09000012", "E09000025"
STAFF = Actor("round-commissioner", Role.COMMISSIONER)
ASSESSOR_A = Actor("assessor-a", Role.ASSESSOR)
ASSESSOR_B = Actor("assessor-b", Role.ASSESSOR)


def wards_of(engine: Engine, borough: str, n: int = 3) -> list[str]:
    with engine.connect() as conn:
        query = select(Ward.code).where(Ward.borough_code == borough).order_by(Ward.code).limit(n)
        return list(conn.execute(query).scalars())


def round_data(**changes) -> dict:
    return {
        "code": "YLF-2026-R1",
        "title": "Young Londoners Fund: after-school round",
        "description": "After-school provision in high-crime areas.",
        "funding_stream": "young_londoners_fund",
        "financial_year": "2026/27",
        "budget": "100000",
        "opens_on": "2026-05-01",
        "closes_on": "2026-06-30",
        "decision_on": "2026-07-31",
        "eligible_boroughs": f"{HACKNEY};{NEWHAM}",
        "objectives": "3;5",
        "priority_areas": "after_school",
        "moderation_gap": "2",
        **changes,
    }


def application_data(engine: Engine, *, borough: str = HACKNEY, n: int = 3, **changes) -> dict:
    return {
        "applicant_org_id": "GB-CHC-1123456",
        "applicant_name": "Hackney Young Futures",
        "applicant_type": "voluntary_community",
        "charity_number": "1123456",
        "project_title": "After-school club 4-7pm",
        "description": "Sport and homework club on weekday evenings.",
        "amount_requested": "40000",
        "planned_start": "2026-09-01",
        "planned_end": "2027-07-31",
        "priority_area": "after_school",
        "objectives": "5",
        "geography_level": "ward",
        "areas": ";".join(wards_of(engine, borough, n)),
        **changes,
    }


def open_round(engine: Engine, **changes) -> int:
    round_id = rounds.create_round(engine=engine, actor=STAFF, data=round_data(**changes))
    rounds.open_round(engine=engine, actor=STAFF, round_id=round_id, version=1)
    return round_id


def apply(engine: Engine, round_id: int, **changes) -> int:
    return applications.add_application(
        engine=engine, actor=STAFF, round_ref=round_id, data=application_data(engine, **changes)
    )


def scores(community=3, partnership=3, evidence=3, value=3, comment="Seen in the application") -> dict:
    given = {"community": community, "partnership": partnership, "evidence": evidence, "value": value}
    return {code: {"score": str(s), "comment": comment} for code, s in given.items()}
