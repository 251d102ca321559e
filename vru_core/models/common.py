"""Pieces every table module shares: the UTC clock and the bookkeeping columns.

`Created` and `Edited` are column sets, not tables: a table lists its own columns and inherits these
(`class Award(Edited, table=True)`), so who wrote a row and which version it is are spelled once.
"""

from datetime import UTC, datetime

from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    """Timezone-aware UTC: SQLModel's datetime columns refuse naive values."""
    return datetime.now(UTC)


class Created(SQLModel):
    """Who added the row and when."""

    created_at: datetime = Field(default_factory=utcnow)
    created_by: str = ""


class Edited(Created):
    """A row people edit: the version every save names (vru_core.platform.locking) and who changed it last."""

    version: int = 1
    updated_at: datetime = Field(default_factory=utcnow)
    updated_by: str = ""
