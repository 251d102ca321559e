"""The harness: `writers` spawned processes held at a start line, released at once, each making its
writes one transaction at a time; then what they reported and what the store holds, as a StressResult."""

from __future__ import annotations

import importlib
import multiprocessing
import queue
import sys
import time
import types
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from bench.stress.writers import TARGETS
from vru_core.platform.db import get_engine


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
    refused: int = 0  # writes the service refused as it should (payments past the award)

    @property
    def expected(self) -> int:
        return self.writers * self.each - self.refused

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


def _writer(url: str, target: str, writer: int, each: int, start, results, ready=None) -> None:
    """One process: wait for the start signal, then create `each` records one transaction at a time."""
    errors: list[str] = []
    done = refused = 0
    try:
        create, _count, actor = TARGETS[target]
        engine = get_engine(url)
        for module in ("vru_core.register.lifecycle", "vru_core.register.money", "vru_core.register.reads"):
            importlib.import_module(module)  # before the clock starts: the race is of writes, not imports
        if ready is not None:
            ready.put(writer)
        start.wait()
        for i in range(each):
            try:
                if create(engine, actor, writer, i) is False:
                    refused += 1
                else:
                    done += 1
            except Exception as exc:  # every failure is reported, none retried or hidden
                errors.append(f"writer {writer} item {i}: {type(exc).__name__}: {exc}"[:300])
        engine.dispose()
    except BaseException as exc:  # the writer itself broke: report it rather than vanish
        errors.append(f"writer {writer} failed: {type(exc).__name__}: {exc}"[:300])
    finally:
        results.put((writer, done, refused, len(errors), errors[:20]))  # a sample of messages, and how many


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


def concurrent_writes(
    url: str, *, writers: int = 8, each: int = 500, target: str = "users", mixed_with: str | None = None
) -> StressResult:
    """`writers` processes, each making `each` writes of `target` at the same moment (with `mixed_with`,
    every other writer does that target instead, e.g. editors shrinking an award while others pay)."""
    context = multiprocessing.get_context("spawn")
    start = context.Event()
    results = context.Queue()
    ready = context.Queue()
    chosen = [mixed_with if mixed_with and w % 2 else target for w in range(writers)]
    processes = [
        context.Process(target=_writer, args=(url, chosen[w], w, each, start, results, ready), daemon=True)
        for w in range(writers)
    ]
    with _plain_main():
        for p in processes:
            p.start()
    waiting_until = time.monotonic() + 300
    arrived = 0
    while arrived < len(processes) and time.monotonic() < waiting_until:  # every writer at the start line
        try:
            ready.get(timeout=1)
            arrived += 1
        except queue.Empty:
            if not any(p.is_alive() for p in processes):
                break
    began = time.perf_counter()
    start.set()
    created, refused, errors, reported, error_count = 0, 0, [], 0, 0
    deadline = time.monotonic() + 600
    while reported < len(processes) and time.monotonic() < deadline:
        try:
            _writer_id, done, said_no, failed, problems = results.get(timeout=1)
        except queue.Empty:
            if not any(p.is_alive() for p in processes) and results.empty():
                break  # a writer died without reporting: say so below instead of waiting
            continue
        reported += 1
        created += done
        refused += said_no
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
        target, backend, writers, each, created, present, distinct, audited, errors, error_count, seconds, refused
    )
