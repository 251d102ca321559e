"""The commissioning register: organisations, awards and what hangs off an award.

Money is stored as integer pence (BigInteger): exact on SQLite and PostgreSQL alike, cheap to sum,
and never a binary float. Services take and give pounds as `Decimal`.
"""

from datetime import date, datetime

from sqlalchemy import JSON, BigInteger, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from vru_core.models.common import Created, Edited, utcnow


class Organisation(Created, table=True):
    id: int | None = Field(default=None, primary_key=True)
    org_id: str = Field(unique=True, max_length=120)  # 360Giving org-id: GB-CHC-…, GB-COH-…, or a local prefix
    name: str = Field(index=True)
    org_type: str = "voluntary_community"  # see validation.ORG_TYPES
    charity_number: str | None = None
    company_number: str | None = None
    postal_code: str | None = Field(default=None, max_length=10)  # where it is based: postcode ...
    location_code: str | None = Field(default=None, max_length=9)  # ... and/or its ward or borough GSS code
    is_example: bool = Field(default=False, index=True)


class Award(Edited, table=True):
    # The register page's default order (newest first, id breaks ties) read in index order: migration 0015.
    __table_args__ = (Index("ix_award_award_date_id", "award_date", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    identifier: str = Field(unique=True, max_length=160)  # 360Giving grant id: prefix + number
    title: str
    description: str = ""
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    amount_pence: int = Field(sa_column=Column(BigInteger, nullable=False, index=True))
    award_date: date = Field(index=True)
    planned_start: date
    planned_end: date
    funding_stream_code: str = Field(foreign_key="funding_stream.code", index=True, max_length=40)
    priority_area_code: str | None = Field(default=None, foreign_key="priority_area.code", index=True, max_length=40)
    geography_level: str = "ward"  # ward | borough | london
    regrant_type: str | None = Field(default=None, max_length=10)  # 360Giving regrantType code (onward grants)
    status: str = Field(default="proposed", index=True, max_length=20)
    is_example: bool = Field(default=False, index=True)


class AwardObjective(SQLModel, table=True):
    __tablename__ = "award_objective"

    award_id: int = Field(foreign_key="award.id", primary_key=True, ondelete="CASCADE")
    objective_number: int = Field(foreign_key="objective.number", primary_key=True, index=True)


class AwardArea(SQLModel, table=True):
    """A ward or borough an award serves; `amount_pence` is the optional split of the award's total."""

    __tablename__ = "award_area"

    award_id: int = Field(foreign_key="award.id", primary_key=True, ondelete="CASCADE")
    area_code: str = Field(primary_key=True, max_length=9, index=True)
    area_type: str = Field(max_length=10)  # ward | borough
    amount_pence: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))


class Payment(Created, table=True):
    __table_args__ = (Index("ix_payment_award_id_amount_pence", "award_id", "amount_pence"),)

    id: int | None = Field(default=None, primary_key=True)
    award_id: int = Field(foreign_key="award.id", index=True, ondelete="CASCADE")
    paid_on: date
    amount_pence: int = Field(sa_column=Column(BigInteger, nullable=False))
    note: str = ""
    version: int = 1  # a deletion names the version the commissioner saw


class MonitoringReturn(Created, table=True):
    __tablename__ = "monitoring_return"
    __table_args__ = (UniqueConstraint("award_id", "period", name="uq_monitoring_return_award_period"),)

    id: int | None = Field(default=None, primary_key=True)
    award_id: int = Field(foreign_key="award.id", index=True, ondelete="CASCADE")
    period: str = Field(max_length=20)  # e.g. 2026-Q3
    rag: str = Field(max_length=5)  # red | amber | green
    people_reached: int = 0
    under_25_reached: int = 0
    outputs: str = ""
    narrative: str = ""
    version: int = 1


class AwardNeedEvidence(SQLModel, table=True):
    """The need behind an award as it stood at approval; written once, never recomputed."""

    __tablename__ = "award_need_evidence"

    award_id: int = Field(foreign_key="award.id", primary_key=True, ondelete="CASCADE")
    frozen_at: datetime = Field(default_factory=utcnow)
    frozen_by: str = ""
    profile_name: str = ""
    evidence: dict = Field(sa_column=Column(JSON, nullable=False))
