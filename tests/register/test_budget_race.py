"""The budget cap under concurrency: approvals raced from separate processes never over-commit a line.

Separate writer processes (spawned, as the stress harness does) each approve their own proposed awards
against one budget line at the same moment; on PostgreSQL they connect as the app's role. SQLite
ignores SELECT ... FOR UPDATE, so this is what proves the line's lock (the store's writer lock there).
"""

from __future__ import annotations

import pytest

from bench.stress import budget_race, committed_and_allocated, concurrent_writes
from tests.conftest import as_app_role

pytestmark = [pytest.mark.store, pytest.mark.stress]


@pytest.mark.parametrize(
    ("writers", "each", "award_pounds", "allocated_pounds"),
    [(4, 5, 1_000, 10_500), (3, 4, 999, 3_000)],
    ids=["4-writers-20-approvals-for-10", "3-writers-12-approvals-for-3"],
)
def test_approvals_raced_from_separate_processes_never_pass_the_line(
    engine, writers, each, award_pounds, allocated_pounds, capsys
):
    budget_race(engine, writers=writers, each=each, award_pounds=award_pounds, allocated_pounds=allocated_pounds)
    url = engine.url.render_as_string(hide_password=False)
    if engine.dialect.name == "postgresql":
        url = as_app_role(url)
    engine.dispose()
    result = concurrent_writes(url, writers=writers, each=each, target="approvals")
    committed, allocated = committed_and_allocated(engine)
    with capsys.disabled():
        print(
            f"\n[budget] {engine.dialect.name}: {result.created} approved, {result.refused} refused, committed "
            f"£{committed / 100:,.0f} of £{allocated / 100:,.0f}, errors {result.error_count}, {result.seconds:.1f} s"
        )
    assert result.error_count == 0, result.errors[:5]
    assert committed <= allocated  # the rule
    fit = allocated // (award_pounds * 100)
    assert result.present == result.created == fit  # as many as fit: none lost to the race either
    assert result.refused == writers * each - fit
    assert committed == fit * award_pounds * 100 and result.audited == fit
