"""The impact method's own benchmark (`--only bench.impact`): bias, coverage and false positives on real data.

Made-up awards of three random wards, funded January 2025 to March 2026, on the bundled MPS violence
with injury series: (1) with a true effect injected (each offence from the start kept with probability
0.7, i.e. -30%), (2) with nothing injected (placebos: the share significant at 10% is the false-positive
rate), (3) with nothing injected on wards drawn from the fifth with the highest rate in the six months
before the start, as funding picks them (regression to the mean would show as a negative bias).
Also the time of one estimate. Slow (a few seconds an award): `--quick` runs a handful of each.
"""

from __future__ import annotations

import time

from vru_core.impact.panel import load_panel
from vru_core.impact.synth import Design, estimate
from vru_core.impact.validation import Trial, monte_carlo, summarise


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
    design = Design(tuple(panel.codes[[10, 200, 400]]), "2025-01", "2026-03")
    start = time.perf_counter()
    estimate(panel, design)
    rows.append(("one award estimate (3 wards, 30-ward pool, 40 placebos)", f"{time.perf_counter() - start:.2f} s"))
    injected = monte_carlo(panel, Trial(factor=0.7), reps[0], seed=2)
    rows += _rows(f"x0.7 injected ({reps[0]} awards)", summarise(injected, -30.0))
    placebo = monte_carlo(panel, Trial(), reps[1], seed=1)
    rows += _rows(f"placebo ({reps[1]} awards)", summarise(placebo, 0.0))
    spike = monte_carlo(panel, Trial(), reps[2], seed=3, selected_on="recent_high")
    rows += _rows(f"placebo on recently high wards ({reps[2]})", summarise(spike, 0.0))
    return rows
