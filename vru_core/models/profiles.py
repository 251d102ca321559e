"""Named scoring profiles analysts save and reload."""

from datetime import datetime

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from vru_core.models.common import utcnow


class ScoringProfile(SQLModel, table=True):
    __tablename__ = "scoring_profile"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True, max_length=120)
    description: str = ""
    settings: dict = Field(sa_column=Column(JSON, nullable=False))  # Profile.to_dict()
    created_by: str
    updated_by: str
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    version: int = 1
