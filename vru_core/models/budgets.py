"""Budgets and the register's controls: budget lines and their overrides, variations, payment schedules.

Money is integer pence, like the rest of the register. A budget line is one funding stream in one
financial year (April to March), named by the year it starts in (2026 = 2026/27).
"""

from datetime import date, datetime

from sqlalchemy import JSON, BigInteger, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from vru_core.models.common import Created, Edited, utcnow


class BudgetLine(Edited, table=True):
    __tablename__ = "budget_line"
    __table_args__ = (UniqueConstraint("funding_stream_code", "year", name="uq_budget_line_stream_year"),)

    id: int | None = Field(default=None, primary_key=True)
    funding_stream_code: str = Field(foreign_key="funding_stream.code", index=True, max_length=40)
    year: int = Field(index=True)  # the financial year's first calendar year: 2026 = April 2026 to March 2027
    allocated_pence: int = Field(sa_column=Column(BigInteger, nullable=False))
    note: str = ""
    is_example: bool = Field(default=False, index=True)


class BudgetOverride(Created, table=True):
    """An administrator's recorded decision to commit past a budget line's allocation, with the reason."""

    __tablename__ = "budget_override"

    id: int | None = Field(default=None, primary_key=True)
    funding_stream_code: str = Field(max_length=40, index=True)
    year: int = Field(index=True)
    award_id: int | None = Field(default=None, foreign_key="award.id", index=True, ondelete="CASCADE")
    over_by_pence: int = Field(sa_column=Column(BigInteger, nullable=False))
    reason: str


class AwardVariation(SQLModel, table=True):
    """A change to an approved award's amount, dates or areas: proposed, then approved by someone else."""

    __tablename__ = "award_variation"

    id: int | None = Field(default=None, primary_key=True)
    award_id: int = Field(foreign_key="award.id", index=True, ondelete="CASCADE")
    status: str = Field(default="proposed", max_length=20, index=True)  # proposed | approved | rejected
    from_version: int  # the award's version the proposal was made against
    changes: dict = Field(sa_column=Column(JSON, nullable=False))  # field -> [before, after]
    data: dict = Field(sa_column=Column(JSON, nullable=False))  # the award's fields as they would become
    reason: str = ""
    proposed_by: str = ""
    proposed_at: datetime = Field(default_factory=utcnow)
    decided_by: str = ""
    decided_at: datetime | None = None
    decision_note: str = ""
    version: int = 1


class PaymentSchedule(SQLModel, table=True):
    """That an award has a payment schedule, and its version (its instalments are replaced together)."""

    __tablename__ = "payment_schedule"

    award_id: int = Field(foreign_key="award.id", primary_key=True, ondelete="CASCADE")
    version: int = 1
    updated_at: datetime = Field(default_factory=utcnow)
    updated_by: str = ""


class Instalment(SQLModel, table=True):
    __tablename__ = "instalment"

    id: int | None = Field(default=None, primary_key=True)
    award_id: int = Field(foreign_key="award.id", index=True, ondelete="CASCADE")
    position: int  # 1, 2, … in due order
    due_on: date = Field(index=True)
    amount_pence: int = Field(sa_column=Column(BigInteger, nullable=False))
    return_period: str | None = Field(default=None, max_length=20)  # paid only once this return is received
