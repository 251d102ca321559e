"""The small pieces every service shares: a created row's entry, a save's create-or-update entry, a row's
named columns, and a locked read that refuses a missing row. One place each, so each is tested here."""

import pytest
from sqlmodel import select

from vru_core.models import AuditEntry, BudgetOverride, Payment
from vru_core.platform.audit import record_created, record_save, snapshot
from vru_core.platform.auth import Actor, Role
from vru_core.platform.db import session_scope
from vru_core.platform.errors import NotFound
from vru_core.platform.locking import lock_existing

ADMIN = Actor("helper-admin", Role.ADMIN)


def _entries(engine, entity_type: str) -> list[AuditEntry]:
    with session_scope(engine) as session:
        return list(session.exec(select(AuditEntry).where(AuditEntry.entity_type == entity_type)).all())


@pytest.mark.store
def test_a_created_rows_entry_names_the_id_the_store_gave_it(engine):
    row = BudgetOverride(funding_stream_code="x", year=2026, over_by_pence=5, reason="<b>why</b>'; DROP TABLE x")
    seen = []
    with session_scope(engine) as session:
        new_id = record_created(
            session, row, actor=ADMIN, entity_type="test_override", after=lambda r: seen.append(r.id) or {"id": r.id}
        )
    (entry,) = _entries(engine, "test_override")
    assert (entry.action, entry.entity_id, entry.after) == ("create", str(new_id), {"id": new_id})
    assert seen == [new_id] and new_id is not None  # after() ran on the flushed row, not before the insert


@pytest.mark.store
def test_a_failed_create_leaves_neither_the_row_nor_its_entry(engine):
    with pytest.raises(ZeroDivisionError), session_scope(engine) as session:
        row = BudgetOverride(funding_stream_code="x", year=2026, over_by_pence=5, reason="r")
        record_created(session, row, actor=ADMIN, entity_type="test_override", after=lambda r: {"x": 1 / 0})
    assert _entries(engine, "test_override") == []
    with session_scope(engine) as session:
        assert session.exec(select(BudgetOverride)).all() == []


def test_a_save_is_a_create_without_a_before_and_an_update_with_one(engine):
    with session_scope(engine) as session:
        record_save(session, actor=ADMIN, entity_type="test_thing", entity_id="k", before=None, after={"v": 1})
        record_save(session, actor=ADMIN, entity_type="test_thing", entity_id="k", before={"v": 1}, after={"v": 2})
    assert [(e.action, e.before, e.after) for e in _entries(engine, "test_thing")] == [
        ("create", None, {"v": 1}),
        ("update", {"v": 1}, {"v": 2}),
    ]


def test_snapshot_keeps_the_named_columns_in_order():
    payment = Payment(award_id=3, paid_on="2026-01-01", amount_pence=100, note="n")
    assert list(snapshot(payment, "note", "award_id", "version").items()) == [
        ("note", "n"),
        ("award_id", 3),
        ("version", 1),
    ]


@pytest.mark.store
def test_lock_existing_refuses_a_missing_row_by_name(engine):
    with pytest.raises(NotFound, match="No payment with id 987654"), session_scope(engine) as session:
        lock_existing(session, Payment, 987654, what="payment")
