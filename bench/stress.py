"""Many writers at once: separate processes each creating records through the real service functions.

Proves that on SQLite (WAL + busy timeout) and PostgreSQL nothing is lost or duplicated and no
"database is locked" reaches a user. Used by tests/test_stress.py and as a benchmark:
`python -m bench.stress [--writers 8] [--each 500] [--target users]` against the configured store.
"""

from __future__ import annotations

import argparse
import multiprocessing
import queue
import sys
import time
import traceback
import types
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from sqlalchemy import Engine, func, select

from tests.factories import sample_award
from vru_core.models import AuditEntry, User
from vru_core.platform.auth import Actor, Role
from vru_core.platform.db import get_engine

PREFIX = "stress-"


@dataclass
class StressResult:
    target: str
    backend: str
    writers: int
    each: int
    created: int  # calls that returned
    present: int  # rows found afterwards
    distinct: int  # distinct identities among them
    audited: int  # audit entries written for them
    errors: list[str] = field(default_factory=list)  # a sample of the messages
    error_count: int = 0
    seconds: float = 0.0

    @property
    def expected(self) -> int:
        return self.writers * self.each

    @property
    def lost(self) -> int:
        return self.expected - self.distinct

    @property
    def duplicated(self) -> int:
        return self.present - self.distinct

    def summary(self) -> str:
        return (
            f"{self.backend}: {self.writers} writers x {self.each} {self.target} = {self.expected}; "
            f"present {self.present}, lost {self.lost}, duplicated {self.duplicated}, errors {self.error_count}, "
            f"{self.seconds:.1f} s ({self.expected / max(self.seconds, 1e-9):.0f} writes/s)"
        )


# ---- what the writers create --------------------------------------------------------------------


def _create_user(engine: Engine, actor: Actor, writer: int, i: int) -> None:
    from vru_core.platform.users import create_user

    create_user(engine=engine, actor=actor, username=f"{PREFIX}w{writer}-{i:05d}", role="viewer")


def _count_users(engine: Engine) -> tuple[int, int, int]:
    with engine.connect() as conn:
        present = conn.execute(select(func.count()).select_from(User).where(User.username.startswith(PREFIX))).scalar()
        distinct = conn.execute(
            select(func.count(func.distinct(User.username))).where(User.username.startswith(PREFIX))
        ).scalar()
        audited = conn.execute(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.entity_type == "user", AuditEntry.entity_id.startswith(PREFIX))
        ).scalar()
    return present, distinct, audited


_award_fields: dict[str, dict] = {}


def _create_award(engine: Engine, actor: Actor, writer: int, i: int) -> None:
    from vru_core.register.service import create_award

    url = str(engine.url)
    if url not in _award_fields:
        _award_fields[url] = sample_award(engine, title="")
    create_award(engine=engine, actor=actor, data={**_award_fields[url], "title": f"{PREFIX}w{writer}-{i:05d}"})


def _count_awards(engine: Engine) -> tuple[int, int, int]:
    from vru_core.models.register import Award

    with engine.connect() as conn:
        titles = [t for (t,) in conn.execute(select(Award.title).where(Award.title.startswith(PREFIX)))]
        identifiers = conn.execute(
            select(func.count(func.distinct(Award.identifier))).where(Award.title.startswith(PREFIX))
        ).scalar()
        audited = conn.execute(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.entity_type == "award", AuditEntry.action == "create")
        ).scalar()
    # Distinct means distinct on both: no title twice and no identifier handed out twice.
    return len(titles), min(len(set(titles)), identifiers), audited


TARGETS: dict[str, tuple[Callable, Callable, Actor]] = {
    "users": (_create_user, _count_users, Actor("stress-admin", Role.ADMIN)),
    "awards": (_create_award, _count_awards, Actor("stress-commissioner", Role.COMMISSIONER)),
}


# ---- the harness ------------------------------------------------------------------------------------


def _writer(url: str, target: str, writer: int, each: int, start, results) -> None:
    """One process: wait for the start signal, then create `each` records one transaction at a time."""
    errors: list[str] = []
    done = 0
    try:
        create, _count, actor = TARGETS[target]
        engine = get_engine(url)
        start.wait()
        for i in range(each):
            try:
                create(engine, actor, writer, i)
                done += 1
            except Exception as exc:  # every failure is reported, none retried or hidden
                errors.append(f"writer {writer} item {i}: {type(exc).__name__}: {exc}"[:300])
        engine.dispose()
    except BaseException as exc:  # the writer itself broke: report it rather than vanish
        errors.append(f"writer {writer} failed: {type(exc).__name__}: {exc}"[:300])
    finally:
        results.put((writer, done, len(errors), errors[:20]))  # a sample of messages, and how many


@contextmanager
def _plain_main() -> Iterator[None]:
    """Spawned writers re-import the parent's __main__; under a test runner that has driven the app,
    that is the Streamlit entry script, which would start migrating and loading in every writer.
    Give the children a blank __main__ instead: they only need vru_core."""
    saved = sys.modules["__main__"]
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        yield
    finally:
        sys.modules["__main__"] = saved


def concurrent_writes(url: str, *, writers: int = 8, each: int = 500, target: str = "users") -> StressResult:
    context = multiprocessing.get_context("spawn")
    start = context.Event()
    results = context.Queue()
    processes = [
        context.Process(target=_writer, args=(url, target, w, each, start, results), daemon=True)
        for w in range(writers)
    ]
    with _plain_main():
        for p in processes:
            p.start()
    time.sleep(0.5)  # let every interpreter get to the start line before the clock starts
    began = time.perf_counter()
    start.set()
    created, errors, reported, error_count = 0, [], 0, 0
    deadline = time.monotonic() + 600
    while reported < len(processes) and time.monotonic() < deadline:
        try:
            _writer_id, done, failed, problems = results.get(timeout=1)
        except queue.Empty:
            if not any(p.is_alive() for p in processes) and results.empty():
                break  # a writer died without reporting: say so below instead of waiting
            continue
        reported += 1
        created += done
        error_count += failed
        errors += problems
    if reported < len(processes):
        errors.append(f"{len(processes) - reported} writer(s) never reported")
        error_count += 1
    seconds = time.perf_counter() - began
    for p in processes:
        p.join(timeout=30)
        if p.exitcode not in (0, None):
            errors.append(f"writer process exited with {p.exitcode}")
            error_count += 1
    engine = get_engine(url)
    present, distinct, audited = TARGETS[target][1](engine)
    backend = engine.dialect.name
    engine.dispose()
    return StressResult(
        target, backend, writers, each, created, present, distinct, audited, errors, error_count, seconds
    )


def run(quick: bool = False) -> list[tuple[str, str]]:
    """8 writers x 500 awards (50 each with --quick) on a throwaway SQLite store loaded with the bundled data."""
    import tempfile
    from pathlib import Path

    from vru_core.needs.load import load_bundled
    from vru_core.platform.db import upgrade

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'stress.sqlite3'}"
        engine = get_engine(url)
        upgrade(engine)
        load_bundled(engine)
        engine.dispose()
        result = concurrent_writes(url, target="awards", each=50 if quick else 500)
    return [
        ("Concurrent writers (SQLite, processes)", f"{result.writers}"),
        ("Records written", f"{result.present} of {result.expected}, lost {result.lost}, errors {result.error_count}"),
        ("Time for all writes", f"{result.seconds:.1f} s"),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.stress", description=__doc__.splitlines()[0])
    parser.add_argument("--writers", type=int, default=8)
    parser.add_argument("--each", type=int, default=500)
    parser.add_argument("--target", choices=sorted(TARGETS), default="awards")
    parser.add_argument("--url", help="store URL (default: the configured store; it must be migrated)")
    args = parser.parse_args(argv)
    from vru_core.platform.config import get_settings

    try:
        result = concurrent_writes(
            args.url or get_settings().database_url, writers=args.writers, each=args.each, target=args.target
        )
    except Exception:
        traceback.print_exc()
        return 1
    print(result.summary())
    for error in result.errors[:10]:
        print("  " + error)
    return 0 if result.lost == 0 and not result.error_count else 1


if __name__ == "__main__":
    sys.exit(main())
