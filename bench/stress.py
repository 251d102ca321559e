"""Many writers at once: separate processes each writing through the real service functions.

Proves that on SQLite (WAL + busy timeout) and PostgreSQL nothing is lost or duplicated, no
"database is locked" reaches a user, and payments raced against one award never add up to more than
it. Used by tests/bench/test_stress.py and tests/trust/, and as a benchmark:
`python -m bench.stress [--writers 8] [--each 500] [--target awards|users|payments] [--url URL]`.
"""

from __future__ import annotations

import argparse
import importlib
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
from sqlmodel import Session

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
    from vru_core.register.lifecycle import create_award

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


RACED_TITLE = f"{PREFIX}payments-award"
PAYMENT_PENCE = 1_000  # £10 a payment


def raced_award(engine: Engine, *, award_pounds: int) -> int:
    """An approved award for the payment race (created by the parent before the writers start)."""
    from vru_core.register.lifecycle import create_award, transition_award

    data = {**sample_award(engine, title=RACED_TITLE), "amount_awarded": str(award_pounds)}
    award_id = create_award(engine=engine, actor=Actor("stress-setup", Role.ADMIN), data=data)
    # Approved by someone else: whoever created an award cannot approve it (vru_core.register.controls).
    approver = Actor("stress-approver", Role.ADMIN)
    transition_award(engine=engine, actor=approver, award_id=award_id, version=1, to_status="approved")
    return award_id


_raced: dict[str, int] = {}


def _pay(engine: Engine, actor: Actor, writer: int, i: int) -> bool:
    """One £10 payment; False when refused because it would pass the award (the cap working)."""
    from vru_core.models.register import Award
    from vru_core.platform.errors import Invalid
    from vru_core.register.money import add_payment

    url = str(engine.url)
    if url not in _raced:
        with engine.connect() as conn:
            _raced[url] = conn.execute(select(Award.id).where(Award.title == RACED_TITLE)).scalar_one()
    data = {"paid_on": "2026-06-01", "amount": f"{PAYMENT_PENCE / 100:.2f}", "note": f"{PREFIX}w{writer}-{i}"}
    try:
        add_payment(engine=engine, actor=actor, award_id=_raced[url], data=data)
    except Invalid as exc:
        if "past the award" in str(exc):
            return False
        raise
    return True


def _shrink(engine: Engine, actor: Actor, writer: int, i: int) -> bool:
    """An editor lowering the raced (approved) award by £10 from the version it reads, as a variation that a
    second person approves at once; False when refused (stale, another variation open, or below what is paid
    by then): the cap must hold against variations as well as payments."""
    from vru_core.models.register import Award
    from vru_core.platform.errors import DomainError
    from vru_core.register.reads import award_detail
    from vru_core.register.variation import decide_variation, propose_variation

    url = str(engine.url)
    if url not in _raced:
        with engine.connect() as conn:
            _raced[url] = conn.execute(select(Award.id).where(Award.title == RACED_TITLE)).scalar_one()
    detail = award_detail(engine, _raced[url])
    data = {**detail.form_data(), "amount_awarded": f"{detail.amount_awarded - PAYMENT_PENCE // 100:.2f}"}
    try:
        kwargs = {"award_id": detail.id, "version": detail.version, "data": data, "reason": "shrink"}
        variation_id = propose_variation(engine=engine, actor=actor, **kwargs)
    except DomainError:
        return False
    approver = Actor(f"{actor.username}-approver", Role.ADMIN)
    try:
        decide_variation(engine=engine, actor=approver, variation_id=variation_id, version=1, approve=True)
    except DomainError:  # refused (stale, or below what is paid by now): close it so others may propose
        decide_variation(engine=engine, actor=approver, variation_id=variation_id, version=1, approve=False)
        return False
    return True


def _edit_from_version_1(engine: Engine, actor: Actor, writer: int, i: int) -> bool:
    """Every writer saves the raced award from the version all of them opened (1): only one may win."""
    from vru_core.models.register import Award
    from vru_core.platform.errors import Stale
    from vru_core.register.lifecycle import update_award

    with engine.connect() as conn:
        award_id = conn.execute(select(Award.id).where(Award.title == RACED_TITLE)).scalar_one()
    from vru_core.register.reads import award_detail

    # The raced award's own fields (it is approved: its amount is not the sample's), a new description.
    data = {**award_detail(engine, award_id).form_data(), "description": f"{PREFIX}w{writer}-{i}"}
    try:
        update_award(engine=engine, actor=actor, award_id=award_id, version=1, data=data)
    except Stale:
        return False
    return True


IMPORT_RACE = [f"360G-LondonVRU-RACE-{i:04d}" for i in range(1, 21)]


def import_race_csv(engine: Engine) -> str:
    """The one file every importing writer sends: the same 20 new identifiers."""
    import csv
    import io

    from vru_core.register.columns import TEMPLATE_COLUMNS

    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(TEMPLATE_COLUMNS), extrasaction="ignore")
    writer.writeheader()
    for identifier in IMPORT_RACE:
        writer.writerow({**sample_award(engine, title=f"{PREFIX}{identifier}"), "identifier": identifier})
    return out.getvalue()


def _import_same_file(engine: Engine, actor: Actor, writer: int, i: int) -> bool:
    from vru_core.platform.errors import Stale
    from vru_core.register.importer import import_csv

    try:  # seen={}: each of them checked the file while these identifiers were all new
        import_csv(engine=engine, actor=actor, content=import_race_csv(engine), seen={})
    except Stale as exc:
        if not all("was added to the register" in p.message for p in exc.problems):
            raise
        return False
    return True


APPROVE_TITLE = f"{PREFIX}approve-"
RACED_STREAM, RACED_YEAR = "young_londoners_fund", 2026  # sample_award's stream, and its award date's year


def budget_race(engine: Engine, *, writers: int, each: int, award_pounds: int, allocated_pounds: int) -> None:
    """The approval race: a budget line, and one proposed award per writer and item drawing on it."""
    from vru_core.register.budget import set_budget
    from vru_core.register.lifecycle import create_award

    admin = Actor("stress-admin", Role.ADMIN)
    line = {"funding_stream": RACED_STREAM, "year": str(RACED_YEAR), "allocated": str(allocated_pounds)}
    set_budget(engine=engine, actor=admin, data=line)
    base = {**sample_award(engine, title=""), "amount_awarded": str(award_pounds), "area_amounts": ""}
    for w in range(writers):
        for i in range(each):
            create_award(engine=engine, actor=admin, data={**base, "title": f"{APPROVE_TITLE}w{w}-{i:05d}"})


def _approve(engine: Engine, actor: Actor, writer: int, i: int) -> bool:
    """Approve this writer's next award; False when the budget cap refuses it."""
    from vru_core.models.register import Award
    from vru_core.platform.errors import Invalid
    from vru_core.register.lifecycle import transition_award

    with engine.connect() as conn:
        award_id = conn.execute(select(Award.id).where(Award.title == f"{APPROVE_TITLE}w{writer}-{i:05d}")).scalar_one()
    try:
        transition_award(engine=engine, actor=actor, award_id=award_id, version=1, to_status="approved")
    except Invalid as exc:
        if "over by" in str(exc):
            return False
        raise
    return True


def _count_approvals(engine: Engine) -> tuple[int, int, int]:
    from vru_core.models.register import Award

    with engine.connect() as conn:
        approved = [
            i
            for (i,) in conn.execute(
                select(Award.id).where(Award.title.startswith(APPROVE_TITLE), Award.status == "approved")
            )
        ]
        audited = conn.execute(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.entity_type == "award", AuditEntry.note == "proposed -> approved")
        ).scalar()
    return len(approved), len(set(approved)), audited


def committed_and_allocated(engine: Engine) -> tuple[int, int]:
    """(pence committed, pence allocated) on the raced budget line."""
    from vru_core.models import BudgetLine
    from vru_core.register.budget import committed_pence

    with Session(engine) as session:
        allocated = session.exec(
            select(BudgetLine.allocated_pence).where(
                BudgetLine.funding_stream_code == RACED_STREAM, BudgetLine.year == RACED_YEAR
            )
        ).scalar_one()
        return committed_pence(session, RACED_STREAM, RACED_YEAR), int(allocated)


def _count_payments(engine: Engine) -> tuple[int, int, int]:
    from vru_core.models.register import Payment

    with engine.connect() as conn:
        present = conn.execute(
            select(func.count()).select_from(Payment).where(Payment.note.startswith(PREFIX))
        ).scalar()
        distinct = conn.execute(
            select(func.count(func.distinct(Payment.note))).where(Payment.note.startswith(PREFIX))
        ).scalar()
        audited = conn.execute(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.entity_type == "payment", AuditEntry.action == "create")
        ).scalar()
    return present, distinct, audited


def paid_and_awarded(engine: Engine) -> tuple[int, int]:
    """(pence paid, pence awarded) on the raced award."""
    from vru_core.models.register import Award, Payment

    with engine.connect() as conn:
        award_id, awarded = conn.execute(select(Award.id, Award.amount_pence).where(Award.title == RACED_TITLE)).one()
        paid = conn.execute(
            select(func.coalesce(func.sum(Payment.amount_pence), 0)).where(Payment.award_id == award_id)
        )
        return int(paid.scalar()), int(awarded)


TARGETS: dict[str, tuple[Callable, Callable, Actor]] = {
    "users": (_create_user, _count_users, Actor("stress-admin", Role.ADMIN)),
    "awards": (_create_award, _count_awards, Actor("stress-commissioner", Role.COMMISSIONER)),
    "payments": (_pay, _count_payments, Actor("stress-commissioner", Role.COMMISSIONER)),
    "shrink": (_shrink, _count_payments, Actor("stress-editor", Role.COMMISSIONER)),
    "approvals": (_approve, _count_approvals, Actor("stress-approver", Role.COMMISSIONER)),
    "edit_v1": (_edit_from_version_1, _count_awards, Actor("stress-editor", Role.COMMISSIONER)),
    "import_same": (_import_same_file, _count_awards, Actor("stress-importer", Role.COMMISSIONER)),
}


# ---- the harness ------------------------------------------------------------------------------------


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


def run(quick: bool = False) -> list[tuple[str, str]]:
    """8 writers x 500 awards (50 each with --quick), then 8 writers racing £10 payments against one £1,000
    award, on a throwaway SQLite store loaded with the bundled data."""
    import tempfile
    from pathlib import Path

    from vru_core.needs.load import load_bundled
    from vru_core.platform.db import upgrade

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'stress.sqlite3'}"
        engine = get_engine(url)
        upgrade(engine)
        load_bundled(engine)
        raced_award(engine, award_pounds=1_000)
        engine.dispose()
        result = concurrent_writes(url, target="awards", each=50 if quick else 500)
        race = concurrent_writes(url, target="payments", each=20)
        engine = get_engine(url)
        paid, awarded = paid_and_awarded(engine)
        engine.dispose()
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
    parser = argparse.ArgumentParser(prog="python -m bench.stress", description=__doc__.splitlines()[0])
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
            engine = get_engine(url)
            raced_award(engine, award_pounds=args.award_pounds)
            engine.dispose()
        result = concurrent_writes(url, writers=args.writers, each=args.each, target=args.target)
        if args.target == "payments":
            engine = get_engine(url)
            paid, awarded = paid_and_awarded(engine)
            engine.dispose()
            print(f"paid £{paid / 100:,.2f} of £{awarded / 100:,.2f}; over by £{max(0, paid - awarded) / 100:,.2f}")
    except Exception:
        traceback.print_exc()
        return 1
    print(result.summary())
    for error in result.errors[:10]:
        print("  " + error)
    return 0 if result.lost == 0 and not result.error_count else 1


if __name__ == "__main__":
    # Run the importable module, not this __main__ copy: spawned writers find `_writer` by its module name
    # (bench.stress), which is what `python -m bench.stress` failed on (PicklingError) before.
    from bench import stress

    sys.exit(stress.main())
