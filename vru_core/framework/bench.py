"""Framework benchmarks: building the director's overview, cold and warm, and the need share of money.

Run `python -m vru_core.framework.bench` (or through `python -m vru_core.bench`). Uses the configured
store (VRU_DATABASE_URL / VRU_DATA_DIR), loading the bundled data first if needed.
"""

from __future__ import annotations

import statistics
import time

import numpy as np
import pandas as pd

from vru_core.framework.computed import _computed
from vru_core.framework.indicators import build_overview
from vru_core.framework.register_indicators import RegisterData, need_share, period_month


def _median(fn, repeat: int) -> float:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def synthetic_register(n_awards: int, wards: list[str], seed: int = 0) -> RegisterData:
    """A register of n awards over 3 years, 1-4 wards each, with quarterly returns."""
    rng = np.random.default_rng(seed)
    ids = np.arange(1, n_awards + 1)
    awards = pd.DataFrame(
        {
            "id": ids,
            "amount": rng.integers(5_000, 150_000, n_awards).astype("float64"),
            "award_date": pd.to_datetime("2023-04-01") + pd.to_timedelta(rng.integers(0, 1095, n_awards), unit="D"),
            "status": rng.choice(["approved", "active", "completed", "proposed"], n_awards),
            "priority_area_code": "after_school",
            "funding_stream_code": "vru_core_budget",
            "title": [f"Award {i}" for i in ids],
        }
    )
    areas = [(i, w, "ward", np.nan) for i in ids for w in rng.choice(wards, rng.integers(1, 5), replace=False)]
    returns = [(i, f"{2024 + q // 4}-Q{q % 4 + 1}", "green", 50, 40) for i in ids for q in range(4)]
    ret = pd.DataFrame(returns, columns=["award_id", "period", "rag", "people_reached", "under_25_reached"])
    ret["month"] = ret["period"].map(period_month)
    return RegisterData(
        awards=awards,
        objectives=pd.DataFrame({"award_id": ids, "objective_number": rng.integers(1, 9, n_awards)}),
        areas=pd.DataFrame(areas, columns=["award_id", "area_code", "area_type", "amount"]),
        returns=ret,
    )


def run(quick: bool = False) -> list[tuple[str, str]]:
    from vru_core.db import get_engine
    from vru_core.load import ensure_loaded
    from vru_core.models import Ward

    engine = get_engine()
    ensure_loaded(engine)
    repeat = 3 if quick else 9
    _computed.cache_clear()
    start = time.perf_counter()
    build_overview(engine)
    cold = time.perf_counter() - start
    warm = _median(lambda: build_overview(engine), repeat)
    with engine.connect() as conn:
        wards = [w for (w,) in conn.execute(Ward.__table__.select().with_only_columns(Ward.code)).all()]
    top = set(wards[:70])
    reg = synthetic_register(300, wards)
    share = _median(lambda: need_share(reg, top), repeat)
    return [
        ("overview: first build (computed series from the MPS data)", f"{cold * 1000:.0f} ms"),
        ("overview: rebuild with the computed series cached", f"{warm * 1000:.0f} ms"),
        ("need share of money, 300 awards (~750 award-ward rows)", f"{share * 1000:.1f} ms"),
    ]


if __name__ == "__main__":
    for label, figure in run():
        print(f"{label:<60}  {figure}")
