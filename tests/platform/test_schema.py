"""The models and the migrations are one schema: what Alembic's autogenerate would write from here is nothing.

A model edit without its migration (or a migration that spells a type differently from its model, as
0012 and 0013 did with plain DateTime until 0014) shows up here as the differences Alembic reports.
"""

from datetime import UTC, datetime

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text
from sqlmodel import Session, SQLModel, select

from vru_core.models import BudgetOverride, FundingRound
from vru_core.models.common import Created, Edited


@pytest.mark.store
def test_models_match_the_migrations(engine):
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        differences = compare_metadata(context, SQLModel.metadata)
    assert differences == []


def test_bookkeeping_columns_are_spelled_once():
    """Budgets, rounds and the register take who-and-when from vru_core.models.common, not their own copies."""
    assert issubclass(FundingRound, Edited) and issubclass(BudgetOverride, Created)
    for column in ("version", "created_at", "created_by", "updated_at", "updated_by"):
        assert column in FundingRound.__table__.columns
    assert "updated_at" not in BudgetOverride.__table__.columns


@pytest.mark.store
@pytest.mark.parametrize("zone", ["UTC", "America/New_York", "Asia/Kolkata"])
def test_a_saved_time_reads_back_the_same_instant_whatever_the_servers_zone(engine, zone):
    """On PostgreSQL a `timestamp without time zone` column shifted a time by the server's offset (0014)."""
    if engine.dialect.name != "postgresql" and zone != "UTC":
        pytest.skip("SQLite has no server time zone")
    when = datetime(2026, 7, 1, 12, 30, tzinfo=UTC)
    setting = f"SET LOCAL TIME ZONE '{zone}'" if engine.dialect.name == "postgresql" else "SELECT 1"
    with Session(engine) as session:
        session.exec(text(setting))  # type: ignore[call-overload]
        session.add(BudgetOverride(funding_stream_code="x", year=2026, over_by_pence=1, reason="r", created_at=when))
        session.commit()
    with Session(engine) as session:
        session.exec(text(setting))  # type: ignore[call-overload]
        read = session.exec(select(BudgetOverride).where(BudgetOverride.reason == "r")).one().created_at
    assert read == when
