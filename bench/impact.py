"""The impact method's own benchmark (`--only bench.impact`): bias, coverage and false positives on real data.

Made-up awards of three random wards, funded January 2025 to March 2026, on the bundled MPS violence
with injury series: (1) with a true effect injected (each offence from the start kept with probability
0.7, i.e. -30%), (2) with nothing injected (placebos: the share significant at 10% is the false-positive
rate), (3) with nothing injected on wards drawn from the fifth with the highest rate in the six months
before the start, as funding picks them (regression to the mean would show as a negative bias).
Also the time of one estimate against a bare baseline measured in the same run: the same number of
pysyncon fits (the award's and its placebos') called directly on the same donor pool, with nothing
else (no panel, neighbours, pool choice, intervals or series). Slow (a few seconds an award): `--quick`
runs a handful of each.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from bench.needs import timed
from vru_core.impact.panel import Panel, load_panel
from vru_core.impact.synth import PLACEBOS, POOL_SIZE, Design, estimate
from vru_core.impact.validation import Trial, monte_carlo, summarise

TARGET_ESTIMATE_RATIO = 1.5


def bare_fits(panel: Panel, design: Design) -> None:
    """1 + PLACEBOS pysyncon Synth fits on the POOL_SIZE wards closest before the start: an estimate's core."""
    from pysyncon import Synth
    from threadpoolctl import threadpool_limits

    pre = np.array(panel.months) < design.start
    y, _, _ = panel.group_series(design.wards)
    rest = np.delete(panel.rates, panel.rows(design.wards), axis=0)
    pool = rest[np.argsort(np.sqrt(((rest[:, pre] - y[pre]) ** 2).mean(axis=1)))[:POOL_SIZE]][:, pre]
    months = pd.RangeIndex(int(pre.sum()))
    rng = np.random.default_rng(0)
    targets = [y[pre]] + [
        pool[rng.choice(POOL_SIZE, len(design.wards), replace=False)].mean(axis=0) for _ in range(PLACEBOS)
    ]
    with threadpool_limits(limits=1), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        for target in targets:
            x0 = pd.DataFrame(pool.T, index=months, columns=pd.RangeIndex(POOL_SIZE))
            x1 = pd.Series(target, index=months, name="target")
            Synth().fit(X0=x0, X1=x1, Z0=x0, Z1=x1, custom_V=np.ones(months.size))


def _estimate_rows(panel: Panel, repeat: int) -> list[tuple[str, str]]:
    design = Design(tuple(panel.codes[[10, 200, 400]]), "2025-01", "2026-03")
    cold = timed(lambda: estimate(panel, design), repeat=1, warmup=0)  # imports pysyncon, reads the boundaries
    ours = timed(lambda: estimate(panel, design), repeat=repeat, warmup=0)
    bare = timed(lambda: bare_fits(panel, design), repeat=repeat, warmup=1)
    ratio = ours / bare
    verdict = "ok" if ratio <= TARGET_ESTIMATE_RATIO else "OVER TARGET"
    return [
        ("first estimate in a fresh process (imports pysyncon, reads the ward boundaries)", f"{cold:.2f} s"),
        (f"one award estimate (3 wards, {POOL_SIZE}-ward pool, {PLACEBOS} placebos): estimate()", f"{ours:.2f} s"),
        (f"bare: {1 + PLACEBOS} pysyncon Synth fits on the same pool, nothing else", f"{bare:.2f} s"),
        (f"one award estimate: ratio (target <= {TARGET_ESTIMATE_RATIO}x)", f"{ratio:.2f}x {verdict}"),
    ]


def _rows(label: str, summary: dict) -> list[tuple[str, str]]:
    return [
        (
            f"{label}: estimated / refused",
            f"{summary['estimated']} / {summary['refused']}",
        ),
        (f"{label}: bias (percentage points)", f"{summary['bias_pct_points']:+.1f}"),
        (f"{label}: root-mean-square error", f"{summary['rmse_pct_points']:.1f}"),
        (f"{label}: 90% interval covers the truth", f"{summary['coverage']:.0%}"),
        (f"{label}: significant at 10%", f"{summary['share_significant']:.0%}"),
        (f"{label}: mean interval width", f"{summary['mean_ci_width']:.1f}"),
    ]


def run(quick: bool = False) -> list[tuple[str, str]]:
    panel = load_panel("vwi")
    reps = (4, 4, 3) if quick else (60, 100, 40)
    rows: list[tuple[str, str]] = []
    rows += _estimate_rows(panel, repeat=1 if quick else 3)
    injected = monte_carlo(panel, Trial(factor=0.7), reps[0], seed=2)
    rows += _rows(f"x0.7 injected ({reps[0]} awards)", summarise(injected, -30.0))
    placebo = monte_carlo(panel, Trial(), reps[1], seed=1)
    rows += _rows(f"placebo ({reps[1]} awards)", summarise(placebo, 0.0))
    spike = monte_carlo(panel, Trial(), reps[2], seed=3, selected_on="recent_high")
    rows += _rows(f"placebo on recently high wards ({reps[2]})", summarise(spike, 0.0))
    return rows
