"""Many writers at once: separate processes each writing through the real service functions.

Proves that on SQLite (WAL + busy timeout) and PostgreSQL nothing is lost or duplicated, no
"database is locked" reaches a user, and payments raced against one award never add up to more than
it. Used by tests/bench/test_stress.py and tests/trust/, and as a benchmark:
`python -m bench.stress [--writers 8] [--each 500] [--target awards|users|payments] [--url URL]`.

- `scenarios`: the names the writers share and the records set up before a race (the raced award,
  the budget line, the import file), and what is measured on them afterwards;
- `writers`: one write each writer repeats, per target, and `TARGETS`;
- `counts`: what a target's count finds afterwards (present, distinct, audited);
- `harness`: the writer processes, the start line and `StressResult`;
- `report`: the benchmark section (`python -m bench --only bench.stress`) and the command line.
"""

from __future__ import annotations

from bench.stress.harness import StressResult, concurrent_writes
from bench.stress.report import main, run
from bench.stress.scenarios import (
    IMPORT_RACE,
    PAYMENT_PENCE,
    PREFIX,
    RACED_TITLE,
    budget_race,
    committed_and_allocated,
    import_race_csv,
    paid_and_awarded,
    raced_award,
)
from bench.stress.writers import TARGETS

__all__ = [
    "IMPORT_RACE",
    "PAYMENT_PENCE",
    "PREFIX",
    "RACED_TITLE",
    "TARGETS",
    "StressResult",
    "budget_race",
    "committed_and_allocated",
    "concurrent_writes",
    "import_race_csv",
    "main",
    "paid_and_awarded",
    "raced_award",
    "run",
]
