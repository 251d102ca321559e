"""The stress harness's two faces: `run`, the benchmark section `python -m bench` prints, and `main`,
the command line `python -m bench.stress [--writers 8] [--each 500] [--target ...] [--url URL]`."""

from __future__ import annotations

import argparse
import traceback
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine

from bench.stress.harness import concurrent_writes
from bench.stress.scenarios import paid_and_awarded, raced_award
from bench.stress.writers import TARGETS
from vru_core.platform.db import get_engine

DESCRIPTION = "Many writers at once: separate processes each writing through the real service functions."


@contextmanager
def _engine(url: str) -> Iterator[Engine]:
    """An engine for the parent's own setup or count, disposed before (or after) the writers use the store."""
    engine = get_engine(url)
    try:
        yield engine
    finally:
        engine.dispose()


def run(quick: bool = False) -> list[tuple[str, str]]:
    """8 writers x 500 awards (50 each with --quick), then 8 writers racing £10 payments against one £1,000
    award, on a throwaway SQLite store loaded with the bundled data."""
    import tempfile
    from pathlib import Path

    from vru_core.needs.load import load_bundled
    from vru_core.platform.db import upgrade

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'stress.sqlite3'}"
        with _engine(url) as engine:
            upgrade(engine)
            load_bundled(engine)
        result = concurrent_writes(url, target="awards", each=50 if quick else 500)
        with _engine(url) as engine:  # after the awards race, whose count would take it for one of theirs
            raced_award(engine, award_pounds=1_000)
        race = concurrent_writes(url, target="payments", each=20)
        with _engine(url) as engine:
            paid, awarded = paid_and_awarded(engine)
    return [
        ("Concurrent writers (SQLite, processes)", f"{result.writers}"),
        ("Records written", f"{result.present} of {result.expected}, lost {result.lost}, errors {result.error_count}"),
        ("Time for all writes", f"{result.seconds:.1f} s"),
        (
            "Payments raced (8 writers x 20 x £10 on a £1,000 award)",
            f"{race.created} paid, {race.refused} refused, paid £{paid / 100:,.0f} of £{awarded / 100:,.0f}, "
            f"over by £{max(0, paid - awarded) / 100:,.0f}, errors {race.error_count}",
        ),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.stress", description=DESCRIPTION)
    parser.add_argument("--writers", type=int, default=8)
    parser.add_argument("--each", type=int, default=500)
    parser.add_argument("--target", choices=sorted(TARGETS), default="awards")
    parser.add_argument("--url", help="store URL (default: the configured store; it must be migrated)")
    parser.add_argument("--award-pounds", type=int, default=1_000, help="--target payments: the award they race for")
    args = parser.parse_args(argv)
    from vru_core.platform.config import get_settings

    url = args.url or get_settings().database_url
    try:
        if args.target == "payments":
            with _engine(url) as engine:
                raced_award(engine, award_pounds=args.award_pounds)
        result = concurrent_writes(url, writers=args.writers, each=args.each, target=args.target)
        if args.target == "payments":
            with _engine(url) as engine:
                paid, awarded = paid_and_awarded(engine)
            print(f"paid £{paid / 100:,.2f} of £{awarded / 100:,.2f}; over by £{max(0, paid - awarded) / 100:,.2f}")
    except Exception:
        traceback.print_exc()
        return 1
    print(result.summary())
    for error in result.errors[:10]:
        print("  " + error)
    return 0 if result.lost == 0 and not result.error_count else 1
