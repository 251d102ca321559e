"""Funding rounds: the round (criteria frozen at opening), its applications, assessors, scores and conflicts.

Money is whole pence, as in the register. An application that is funded becomes a proposed award; the
link lives here (`application.award_id`), so the register's own tables are not changed.
"""

from datetime import date, datetime

from sqlalchemy import JSON, BigInteger, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from vru_core.models.common import Created, Edited, utcnow


class FundingRound(Edited, table=True):
    __tablename__ = "funding_round"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(unique=True, max_length=40)  # e.g. YLF-2026-R1: in URLs and on the command line
    title: str
    description: str = ""
    funding_stream_code: str = Field(foreign_key="funding_stream.code", index=True, max_length=40)
    financial_year: int  # the April it starts: 2026 is 2026/27
    budget_pence: int = Field(sa_column=Column(BigInteger, nullable=False))
    opens_on: date
    closes_on: date
    decision_on: date
    eligible_boroughs: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))  # [] = London
    objectives: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    priority_areas: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    criteria: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))  # code, label, weight
    profile_name: str = ""  # the saved scoring profile chosen ("" = the default profile)
    profile_settings: dict | None = Field(default=None, sa_column=Column(JSON, nullable=True))  # frozen at opening
    moderation_gap: int = 2  # scores further apart than this are listed for moderation
    status: str = Field(default="draft", max_length=20)  # draft | open | closed
    opened_at: datetime | None = None
    opened_by: str = ""
    is_example: bool = Field(default=False, index=True)


class RoundAssessor(SQLModel, table=True):
    """A commissioner assigned to assess one round (people with the assessor role may assess any round)."""

    __tablename__ = "round_assessor"

    round_id: int = Field(foreign_key="funding_round.id", primary_key=True, ondelete="CASCADE")
    username: str = Field(primary_key=True, max_length=200)
    assigned_by: str = ""
    assigned_at: datetime = Field(default_factory=utcnow)


class Application(Created, table=True):
    __table_args__ = (UniqueConstraint("round_id", "reference", name="uq_application_round_reference"),)

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="funding_round.id", index=True, ondelete="CASCADE")
    reference: str = Field(max_length=60)
    applicant_org_id: str = Field(index=True, max_length=120)
    applicant: dict = Field(sa_column=Column(JSON, nullable=False))  # name, type, numbers, postcode
    project_title: str
    description: str = ""
    amount_pence: int = Field(sa_column=Column(BigInteger, nullable=False))  # amount requested
    planned_start: date
    planned_end: date
    priority_area_code: str | None = Field(default=None, max_length=40)
    objectives: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    geography_level: str = "ward"
    areas: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    need_figure: float = 0.0  # mean need score of the wards served, under the round's frozen profile
    need_points: float = 0.0  # the need criterion's points on the 0-5 scale
    need_evidence: dict = Field(sa_column=Column(JSON, nullable=False))
    funded_pence: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))  # when funded
    decision: str = Field(default="", max_length=10)  # "" | fund | reserve | decline
    decision_reason: str = ""
    decided_by: str = ""
    decided_at: datetime | None = None
    award_id: int | None = Field(default=None, foreign_key="award.id", index=True, ondelete="SET NULL")
    is_example: bool = Field(default=False, index=True)
    version: int = 1


class Assessment(SQLModel, table=True):
    """One assessor's scores for one application: {criterion: {"score": 0-5, "comment": text}}."""

    application_id: int = Field(foreign_key="application.id", primary_key=True, ondelete="CASCADE")
    assessor: str = Field(primary_key=True, max_length=200)
    scores: dict = Field(sa_column=Column(JSON, nullable=False))
    version: int = 1
    updated_at: datetime = Field(default_factory=utcnow)


class ConflictOfInterest(SQLModel, table=True):
    """An assessor's declared conflict with an applicant organisation, for one round."""

    __tablename__ = "conflict_of_interest"

    round_id: int = Field(foreign_key="funding_round.id", primary_key=True, ondelete="CASCADE")
    assessor: str = Field(primary_key=True, max_length=200)
    org_id: str = Field(primary_key=True, max_length=120)
    note: str = ""
    declared_at: datetime = Field(default_factory=utcnow)
