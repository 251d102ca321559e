"""Pieces every table module shares."""

from datetime import UTC, datetime


def utcnow() -> datetime:
    """Timezone-aware UTC: SQLModel's datetime columns refuse naive values."""
    return datetime.now(UTC)
