"""The register page at 100,000 awards (target <= 500 ms): the first view after a write and a filter change,
against a bare baseline in the same run (`SELECT count(*)` plus a 50-row page of the award table).

SQLite always; PostgreSQL too when VRU_BENCH_POSTGRES_URL or VRU_TEST_POSTGRES_URL names a server (a
throwaway database is created there and dropped). The awards are seeded with SQLAlchemy Core batch inserts.
`python -m bench --only bench.register_view`.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import statistics
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import Engine, func, insert, select, text, update

from vru_core.models import (
    Award,
    AwardArea,
    AwardObjective,
    FundingStream,
    Objective,
    Organisation,
    Payment,
    PriorityArea,
    Ward,
)
from vru_core.needs.load import load_bundled
from vru_core.platform.db import get_engine, upgrade
from vru_core.register.query import RegisterFilter, filter_register, load_register
from vru_core.register.register_view import register_view

STATUSES = ["proposed", "approved", "active", "completed", "withdrawn"]


def seed(engine: Engine, n: int, batch: int = 10_000) -> None:
    rng = random.Random(13)
    with engine.connect() as conn:
        streams = list(conn.execute(select(FundingStream.code)).scalars())
        priorities = list(conn.execute(select(PriorityArea.code)).scalars())
        objectives = list(conn.execute(select(Objective.number)).scalars())
        wards = list(conn.execute(select(Ward.code)).scalars())
    now = dt.datetime.now(dt.UTC)
    with engine.begin() as conn:
        conn.execute(
            insert(Organisation),
            [{"org_id": f"360G-BENCH-{k:04d}", "name": f"Bench organisation {k}", "org_type": "voluntary_community",
              "is_example": False, "created_at": now, "created_by": "bench"} for k in range(1, 501)],
        )
        first_org = conn.execute(select(func.min(Organisation.id))).scalar_one()
    for start in range(0, n, batch):
        awards, areas, objs, payments = [], [], [], []
        for i in range(start + 1, min(n, start + batch) + 1):
            day = dt.date(2023, 4, 1) + dt.timedelta(days=rng.randrange(1200))
            status = rng.choice(STATUSES)
            awards.append({
                "id": i, "identifier": f"360G-BENCH-{i:07d}", "title": f"Bench award {i} youth work {rng.random():.6f}",
                "description": "", "organisation_id": first_org + rng.randrange(500),
                "amount_pence": rng.randrange(100_000, 25_000_000), "award_date": day,
                "planned_start": day, "planned_end": day + dt.timedelta(days=365),
                "funding_stream_code": rng.choice(streams), "priority_area_code": rng.choice(priorities),
                "geography_level": "ward", "status": status, "version": 1, "is_example": False,
                "created_at": now, "created_by": "bench", "updated_at": now, "updated_by": "bench",
            })
            for w in rng.sample(wards, rng.randint(1, 3)):
                areas.append({"award_id": i, "area_code": w, "area_type": "ward", "amount_pence": None})
            for o in rng.sample(objectives, rng.randint(1, 2)):
                objs.append({"award_id": i, "objective_number": o})
            if status in ("active", "completed"):
                payments.append({"award_id": i, "paid_on": day, "amount_pence": 50_000, "note": "", "version": 1,
                                 "created_at": now, "created_by": "bench"})
        with engine.begin() as conn:
            conn.execute(insert(Award), awards)
            conn.execute(insert(AwardArea), areas)
            conn.execute(insert(AwardObjective), objs)
            conn.execute(insert(Payment), payments)
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("SELECT setval(pg_get_serial_sequence('award', 'id'), (SELECT max(id) FROM award))"))
    # What autovacuum does on a live server (statistics, and the visibility map index-only scans need).
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE" if engine.dialect.name == "postgresql" else "ANALYZE"))


def _median_ms(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def _page_view(engine: Engine, flt: RegisterFilter) -> None:
    """What the register page reads on a rerun: the register's size and date range, then the page itself."""
    register_view(engine, filters=RegisterFilter(), page=1, page_size=1)
    register_view(engine, filters=flt, sort="award_date", descending=True, page=1, page_size=50)


def measure(engine: Engine, n: int, repeats: int, old_way: bool) -> list[tuple[str, str]]:
    store = engine.dialect.name
    seed(engine, n)

    def baseline() -> None:
        with engine.connect() as conn:
            conn.execute(text("SELECT count(*) FROM award")).scalar_one()
            conn.execute(text("SELECT * FROM award ORDER BY id DESC LIMIT 50")).all()

    base = _median_ms(baseline, repeats)
    tick = iter(range(10**6))

    def write() -> None:  # a write changes what the old page's cache was keyed on
        with engine.begin() as conn:
            conn.execute(update(Award).where(Award.id == 1 + next(tick)).values(updated_at=func.now(), version=2))

    def after_write() -> float:
        write()
        start = time.perf_counter()
        _page_view(engine, RegisterFilter())
        return time.perf_counter() - start

    boroughs = ("E09000012", "E09000022", "E09000028")
    filters = [
        RegisterFilter(funding_streams=("young_londoners_fund",), statuses=("active",)),
        RegisterFilter(objectives=(3, 5), boroughs=boroughs, date_from=dt.date(2025, 6, 1)),
        RegisterFilter(text="award 4242"),
        RegisterFilter(statuses=("proposed", "approved"), priority_areas=("after_school",)),
    ]
    it = iter(range(10**6))
    first = statistics.median(after_write() for _ in range(repeats)) * 1000
    change = _median_ms(lambda: _page_view(engine, filters[next(it) % len(filters)]), repeats * 2)
    rows = [
        (f"register view {store}: bare baseline (count(*) + 50-row page of {n:,} awards)", f"{base:.1f} ms"),
        (f"register view {store}: first view after a write, {n:,} awards (target <= 500 ms)",
         f"{first:.0f} ms ({first / base:.0f}x baseline)"),
        (f"register view {store}: filter change, {n:,} awards (4 filter sets; target <= 500 ms)",
         f"{change:.0f} ms ({change / base:.0f}x baseline)"),
    ]
    if old_way:
        start = time.perf_counter()
        filter_register(load_register(engine), RegisterFilter())
        rows.append((f"register view {store}: the old first view (load every award, filter in memory)",
                     f"{(time.perf_counter() - start) * 1000:.0f} ms (once)"))
    return rows


def run(quick: bool = False, n: int = 100_000) -> list[tuple[str, str]]:
    if quick:
        n = 10_000
    repeats = 3 if quick else 7
    results: list[tuple[str, str]] = []
    with tempfile.TemporaryDirectory() as tmp:
        engine = get_engine(f"sqlite:///{Path(tmp) / 'view.sqlite3'}")
        upgrade(engine)
        load_bundled(engine)
        results += measure(engine, n, repeats, old_way=not quick)
        engine.dispose()
    url = os.environ.get("VRU_BENCH_POSTGRES_URL") or os.environ.get("VRU_TEST_POSTGRES_URL")
    if url:
        admin = get_engine(url).execution_options(isolation_level="AUTOCOMMIT")
        name = f"vru_bench_{uuid.uuid4().hex[:8]}"
        with admin.connect() as conn:
            conn.execute(text(f"CREATE DATABASE {name}"))
        engine = get_engine(url.rsplit("/", 1)[0] + "/" + name)
        try:
            upgrade(engine)
            load_bundled(engine)
            results += measure(engine, n, repeats, old_way=not quick)
        finally:
            engine.dispose()
            with admin.connect() as conn:
                conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            admin.dispose()
    return results


if __name__ == "__main__":
    for label, figure in run():
        print(f"{label:<90} {figure}")
