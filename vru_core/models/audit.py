"""The append-only change log (written in the same transaction as the change it records)."""

from datetime import datetime

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from vru_core.models.common import utcnow


class AuditEntry(SQLModel, table=True):
    __tablename__ = "audit_log"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    actor: str = Field(index=True)
    action: str  # create / update / delete / transition / import / ...
    entity_type: str = Field(index=True)
    entity_id: str = Field(index=True)
    before: dict | None = Field(default=None, sa_column=Column(JSON))
    after: dict | None = Field(default=None, sa_column=Column(JSON))
    note: str = ""


class AppMeta(SQLModel, table=True):
    """Key/value facts about the store, e.g. the fingerprint of the bundled data last loaded."""

    __tablename__ = "app_meta"

    key: str = Field(primary_key=True, max_length=64)
    value: str
