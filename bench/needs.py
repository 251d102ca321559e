"""Need-score benchmarks: scoring vs a bare numpy kernel, the page vs a bare page (`--only bench.needs`)."""

from __future__ import annotations

import statistics
import tempfile
import textwrap
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from vru_core.needs.measures import MeasureFrame
from vru_core.needs.scoring import Profile, score
from vru_core.platform.config import REPO_ROOT

TARGET_SCORING_RATIO = 2.0
TARGET_PAGE_RATIO = 1.5
TARGET_BANDS_RATIO = 2.0


def timed(fn: Callable[[], object], repeat: int = 7, warmup: int = 1) -> float:
    """Median wall time in seconds over `repeat` runs, after `warmup` untimed runs."""
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def bare_kernel(badness: np.ndarray, pct: float, weights: np.ndarray) -> np.ndarray:
    """The plainest numpy way to count measures past a percentile threshold: what scoring must not lose to."""
    threshold = np.nanpercentile(badness, 100.0 - pct, axis=0)
    return (badness >= threshold) @ weights


def synthetic_frame(n_areas: int, n_measures: int, seed: int = 0) -> MeasureFrame:
    """Random areas x measures with missing values, ties and both directions, shaped like the real frame."""
    rng = np.random.default_rng(seed)
    values = rng.gamma(2.0, 3.0, size=(n_areas, n_measures)).round(1)  # rounding makes ties
    values[rng.random(values.shape) < 0.03] = np.nan
    codes = [f"m{j:02d}" for j in range(n_measures)]
    area_codes = [f"A{i:06d}" for i in range(n_areas)]
    wards = pd.DataFrame(
        {
            "ward_name": area_codes,
            "borough_code": [f"B{i % 300:03d}" for i in range(n_areas)],
            "borough_name": [f"Borough {i % 300}" for i in range(n_areas)],
            "population": 5000.0,
            "in_mps_data": True,
        },
        index=pd.Index(area_codes, name="ward_code"),
    )
    measures = pd.DataFrame(
        {
            "label": codes,
            "family": "crime",
            "unit": "rate",
            "geography": "ward",
            "source": "synthetic",
            "publisher": "synthetic",
            "period": "synthetic",
            "licence": "n/a",
            "notes": "",
            "default_weight": 1.0,
            "direction": ["high_is_worse" if j % 4 else "low_is_worse" for j in range(n_measures)],
        },
        index=pd.Index(codes, name="code"),
    )
    return MeasureFrame(wards=wards, measures=measures, values=pd.DataFrame(values, index=wards.index, columns=codes))


def _scoring_rows(label: str, frame: MeasureFrame, repeat: int) -> list[tuple[str, str]]:
    profile = Profile(threshold_pct=10.0)
    sign = np.where(frame.measures["direction"].to_numpy() == "high_is_worse", 1.0, -1.0)
    badness = frame.values.to_numpy(dtype=np.float64) * sign
    weights = frame.measures["default_weight"].to_numpy(dtype=np.float64)
    ours = timed(lambda: score(frame, profile), repeat=repeat)
    bare = timed(lambda: bare_kernel(badness, 10.0, weights), repeat=repeat)
    tracemalloc.start()
    score(frame, profile)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    shape = f"{frame.values.shape[0]:,} x {frame.values.shape[1]}"
    ratio = ours / bare
    verdict = "ok" if ratio <= TARGET_SCORING_RATIO else "OVER TARGET"
    return [
        (f"scoring {label} ({shape}): score()", f"{ours * 1000:.1f} ms"),
        (f"scoring {label}: bare numpy kernel (nanpercentile + compare + weights)", f"{bare * 1000:.1f} ms"),
        (f"scoring {label}: ratio (target <= {TARGET_SCORING_RATIO}x)", f"{ratio:.2f}x {verdict}"),
        (
            f"scoring {label}: peak memory of one score() (input matrix {badness.nbytes / 1e6:.1f} MB)",
            f"{peak / 1e6:.1f} MB",
        ),
    ]


def bare_bands(frame: MeasureFrame, draws: int, seed: int = 0) -> np.ndarray:
    """The plainest numpy rank bands: Poisson-redraw the crime counts, bare kernel, rank, percentiles."""
    from vru_core.needs.smoothing import counts_for

    counts = counts_for(frame)
    codes = list(frame.measures.index)
    sign = np.where(frame.measures["direction"].to_numpy() == "high_is_worse", 1.0, -1.0)
    badness = frame.values.to_numpy(dtype=np.float64) * sign
    weights = frame.measures["default_weight"].to_numpy(dtype=np.float64)
    pop = counts.population.to_numpy(dtype=np.float64)
    columns = [(codes.index(c), counts.counts[c].to_numpy(dtype=np.float64)) for c in counts.codes]
    rng = np.random.default_rng(seed)
    ranks = np.empty((draws, badness.shape[0]))
    for d in range(draws):
        for j, observed in columns:
            ok = ~np.isnan(observed)
            badness[ok, j] = rng.poisson(observed[ok]) / pop[ok] * 1000.0 * sign[j]
        scores = bare_kernel(badness, 10.0, weights)
        ranks[d] = scores.size - np.searchsorted(np.sort(scores), scores, side="right") + 1
    return np.quantile(ranks, [0.05, 0.5, 0.95], axis=0)


def _band_rows(frame: MeasureFrame, repeat: int) -> list[tuple[str, str]]:
    """Rank bands (200 Poisson redraws, the page's default) against the bare numpy loop doing the same."""
    from vru_core.needs.rank_bands import DEFAULT_DRAWS, rank_bands

    ours = timed(lambda: rank_bands(frame, Profile(threshold_pct=10.0)), repeat=repeat)
    bare = timed(lambda: bare_bands(frame, DEFAULT_DRAWS), repeat=repeat)
    ratio = ours / bare
    verdict = "ok" if ratio <= TARGET_BANDS_RATIO else "OVER TARGET"
    shape = f"{frame.values.shape[0]} x {frame.values.shape[1]}"
    return [
        (f"rank bands, London wards ({shape}), {DEFAULT_DRAWS} draws: rank_bands()", f"{ours * 1000:.0f} ms"),
        (f"rank bands: bare numpy loop ({DEFAULT_DRAWS} x redraw + kernel + rank)", f"{bare * 1000:.0f} ms"),
        (f"rank bands: ratio (target <= {TARGET_BANDS_RATIO}x)", f"{ratio:.2f}x {verdict}"),
    ]


BARE_PAGE = """
import pandas as pd
import streamlit as st
table = pd.read_pickle({path!r})
st.slider("Threshold", 1.0, 50.0, 10.0, key="threshold")
st.dataframe(table, hide_index=True)
"""


def _page_rows(repeat: int) -> list[tuple[str, str]]:
    """Rerun after a slider change: the real scoring page vs a bare page showing the same table (AppTest)."""
    from streamlit.testing.v1 import AppTest

    from vru_core.needs.load import ensure_loaded
    from vru_core.needs.measures import load_measure_frame
    from vru_core.platform.db import get_engine

    engine = get_engine()
    ensure_loaded(engine)
    table = score(load_measure_frame(engine), Profile()).table.reset_index()
    with tempfile.TemporaryDirectory() as tmp:
        pickle_path = Path(tmp) / "table.pkl"
        table.to_pickle(pickle_path)
        bare_script = Path(tmp) / "bare_page.py"
        bare_script.write_text(textwrap.dedent(BARE_PAGE.format(path=str(pickle_path))))

        def rerun_times(at: AppTest) -> float:
            at.run()
            values = iter([12.0, 14.0] * repeat)
            samples = []
            for _ in range(repeat * 2):
                at.slider(key="threshold").set_value(next(values))
                start = time.perf_counter()
                at.run()
                samples.append(time.perf_counter() - start)
                assert not at.exception, at.exception
            return statistics.median(samples)

        app = rerun_times(AppTest.from_file(str(REPO_ROOT / "streamlit_app.py"), default_timeout=120))
        bare = rerun_times(AppTest.from_file(str(bare_script), default_timeout=120))
    ratio = app / bare
    verdict = "ok" if ratio <= TARGET_PAGE_RATIO else "OVER TARGET"
    return [
        ("need scores page: rerun after a slider change (table, map, ward detail)", f"{app * 1000:.0f} ms"),
        ("bare Streamlit page showing the same 704-row table", f"{bare * 1000:.0f} ms"),
        (f"page rerun ratio (target <= {TARGET_PAGE_RATIO}x)", f"{ratio:.2f}x {verdict}"),
    ]


def run(quick: bool = False) -> list[tuple[str, str]]:
    """Need-score benchmarks (this module's own section)."""
    from vru_core.needs.load import ensure_loaded
    from vru_core.needs.measures import load_measure_frame
    from vru_core.platform.db import get_engine

    engine = get_engine()
    ensure_loaded(engine)
    frame = load_measure_frame(engine)
    rows = _scoring_rows("London wards", frame, repeat=5 if quick else 25)
    rows += _band_rows(frame, repeat=2 if quick else 7)
    rows += _scoring_rows("synthetic", synthetic_frame(35_000, 50), repeat=3 if quick else 9)
    rows += _page_rows(repeat=2 if quick else 6)
    return rows
