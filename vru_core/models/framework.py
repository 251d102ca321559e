"""The strategy's structure: aims, objectives (with commitments), priority areas and funding streams."""

from sqlmodel import Field, SQLModel


class Aim(SQLModel, table=True):
    code: str = Field(primary_key=True, max_length=40)
    number: int
    title: str
    description: str = ""


class Objective(SQLModel, table=True):
    number: int = Field(primary_key=True)  # 1..8 as in the strategy
    title: str
    tagline: str = ""
    version: int = 1  # wording, commitments and aims are edited together


class ObjectiveAim(SQLModel, table=True):
    """Which aims an objective serves (many to many)."""

    __tablename__ = "objective_aim"

    objective_number: int = Field(foreign_key="objective.number", primary_key=True)
    aim_code: str = Field(foreign_key="aim.code", primary_key=True, max_length=40)


class Commitment(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    objective_number: int = Field(foreign_key="objective.number", index=True)
    position: int = 0
    text: str


class PriorityArea(SQLModel, table=True):
    __tablename__ = "priority_area"

    code: str = Field(primary_key=True, max_length=40)
    title: str
    objective_number: int | None = Field(default=None, foreign_key="objective.number")
    version: int = 1


class FundingStream(SQLModel, table=True):
    __tablename__ = "funding_stream"

    code: str = Field(primary_key=True, max_length=40)
    name: str
    notes: str = ""
    active: bool = True
    version: int = 1
