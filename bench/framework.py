"""Framework benchmarks: building the director's overview, cold and warm, and the need share of money.

Run `python -m bench.framework` (or through `python -m bench.needs`). Uses the configured
store (VRU_DATABASE_URL / VRU_DATA_DIR), loading the bundled data first if needed.
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd

from bench.needs import timed
from vru_core.framework.computed import _computed
from vru_core.framework.indicators import build_overview
from vru_core.framework.register_indicators import default_need_inputs, need_share, top_need_count
from vru_core.register.query import RegisterData


def synthetic_register(n_awards: int, wards: pd.DataFrame, seed: int = 0) -> RegisterData:
    """A register of n ward-level awards over 3 years, 1-4 wards each (the register's frame layout)."""
    rng = np.random.default_rng(seed)
    ids = np.arange(1, n_awards + 1)
    awards = pd.DataFrame(
        {
            "amount": rng.integers(5_000, 150_000, n_awards).astype("float64"),
            "award_date": pd.to_datetime("2023-04-01") + pd.to_timedelta(rng.integers(0, 1095, n_awards), unit="D"),
            "status": rng.choice(["approved", "active", "completed", "proposed"], n_awards),
            "priority_area": "after_school",
            "geography_level": "ward",
            "is_example": False,
        },
        index=pd.Index(ids, name="id"),
    )
    codes = wards.index.to_numpy()
    areas = [
        (i, w, "ward", wards.loc[w, "borough_code"], np.nan)
        for i in ids
        for w in rng.choice(codes, rng.integers(1, 5), replace=False)
    ]
    return RegisterData(
        awards=awards,
        objectives=pd.DataFrame({"award_id": ids, "objective_number": rng.integers(1, 9, n_awards)}),
        areas=pd.DataFrame(areas, columns=["award_id", "area_code", "area_type", "borough_code", "amount"]),
    )


def run(quick: bool = False) -> list[tuple[str, str]]:
    from vru_core.needs.load import ensure_loaded
    from vru_core.platform.db import get_engine

    engine = get_engine()
    ensure_loaded(engine)
    repeat = 3 if quick else 9
    _computed.cache_clear()
    start = time.perf_counter()
    build_overview(engine)
    cold = time.perf_counter() - start
    warm = timed(lambda: build_overview(engine), repeat, warmup=0)
    scores, wards = default_need_inputs(engine)
    reg = synthetic_register(300, wards)
    share = timed(lambda: need_share(reg, scores, wards, top_need_count(scores)), repeat, warmup=0)
    return [
        ("overview: build with the computed series recomputed", f"{cold * 1000:.0f} ms"),
        ("overview: rebuild with the computed series cached", f"{warm * 1000:.0f} ms"),
        ("need share of committed money, 300 synthetic awards (~750 award-ward rows)", f"{share * 1000:.1f} ms"),
    ]


if __name__ == "__main__":
    for label, figure in run():
        print(f"{label:<60}  {figure}")
