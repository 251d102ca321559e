"""Measure definitions and their values per ward or borough."""

from datetime import datetime

from sqlmodel import Field, SQLModel

from vru_core.models.common import utcnow


class MeasureDefinition(SQLModel, table=True):
    __tablename__ = "measure"

    code: str = Field(primary_key=True, max_length=64)
    label: str
    family: str = Field(index=True)  # crime / perceptions / health / deprivation / population / other
    unit: str
    direction: str  # high_is_worse | low_is_worse
    geography: str  # ward | borough
    source: str
    publisher: str
    period: str
    licence: str
    notes: str = ""
    default_weight: float = 1.0
    position: int = 0  # display order
    origin: str = "bundled"  # bundled (loader) | uploaded (an analyst)
    created_at: datetime = Field(default_factory=utcnow)
    created_by: str = "loader"


class MeasureValue(SQLModel, table=True):
    __tablename__ = "measure_value"

    measure_code: str = Field(foreign_key="measure.code", primary_key=True, max_length=64)
    area_code: str = Field(primary_key=True, max_length=9)  # ward or borough code, by measure geography
    value: float
