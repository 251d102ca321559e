"""The method's own benchmark: inject a known effect into the real series and see what the estimate says.

* ``inject``: a copy of a panel where each offence in the chosen wards from the start month on is kept
  with probability ``factor`` (binomial thinning, seeded): x0.7 is a true effect of -30%.
* ``monte_carlo``: many made-up awards on randomly chosen real wards (never the same ward twice in one
  award), with or without an injected effect; one row per award with the estimate or the refusal.
* ``summarise``: bias, root-mean-square error, coverage of the 90% interval, share significant at 10%.

With no injected effect the share significant is the false-positive rate (it should be near 10%).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from vru_core.impact.panel import Panel
from vru_core.impact.synth import ALPHA, CannotEstimate, Design, estimate


def inject(panel: Panel, wards: tuple[str, ...], start: str, factor: float, seed: int = 0) -> Panel:
    """The panel with offences in ``wards`` from ``start`` thinned to ``factor`` of their number."""
    rng = np.random.default_rng(seed)
    counts = panel.counts.copy()
    cols = [m for m in panel.months if m >= start]
    block = counts.loc[list(wards), cols].to_numpy()
    counts.loc[list(wards), cols] = rng.binomial(block, factor)
    return panel.with_counts(counts, f"x{factor:g} in {','.join(wards)} from {start} (seed {seed})")


@dataclass(frozen=True)
class Trial:
    """One made-up award: n_wards random wards, funded from start to end."""

    n_wards: int = 3
    start: str = "2025-01"
    end: str = "2026-03"
    factor: float | None = None  # None: no effect injected (placebo)


def monte_carlo(
    panel: Panel, trial: Trial, reps: int, seed: int = 0, *, selected_on: str | None = None
) -> pd.DataFrame:
    """One row per made-up award: effect_pct, ci_low_pct, ci_high_pct, p_value, fit_ratio, refused.

    selected_on="recent_high": wards are drawn from the fifth with the highest rate in the six months
    before the start (how funding picks wards), to see whether regression to the mean biases the estimate.
    """
    rng = np.random.default_rng(seed)
    months = np.array(panel.months)
    codes = np.asarray(panel.codes)
    if selected_on == "recent_high":
        recent = (months < trial.start) & (months >= months[months < trial.start][-6])
        rate = panel.rates[:, recent].mean(axis=1)
        codes = codes[rate >= np.quantile(rate, 0.8)]
    rows = []
    for rep in range(reps):
        wards = tuple(sorted(rng.choice(codes, trial.n_wards, replace=False)))
        data = panel if trial.factor is None else inject(panel, wards, trial.start, trial.factor, seed=seed + rep)
        row: dict = {"rep": rep, "wards": ",".join(wards)}
        try:
            est = estimate(data, Design(wards, trial.start, trial.end))
        except CannotEstimate as exc:
            row["refused"] = str(exc)
        else:
            row.update(
                effect_pct=est.effect_pct,
                ci_low_pct=est.ci_low_pct,
                ci_high_pct=est.ci_high_pct,
                p_value=est.p_value,
                fit_ratio=est.fit_ratio,
                refused=None,
            )
        rows.append(row)
    return pd.DataFrame(
        rows, columns=["rep", "wards", "effect_pct", "ci_low_pct", "ci_high_pct", "p_value", "fit_ratio", "refused"]
    )


def summarise(results: pd.DataFrame, true_effect_pct: float = 0.0) -> dict:
    """bias, rmse (percentage points), coverage of the 90% interval, share significant at 10%, refusals."""
    done = results[results["refused"].isna()]
    err = done["effect_pct"] - true_effect_pct
    covered = (done["ci_low_pct"] <= true_effect_pct) & (true_effect_pct <= done["ci_high_pct"])
    return {
        "estimated": len(done),
        "refused": int(results["refused"].notna().sum()),
        "bias_pct_points": float(err.mean()),
        "rmse_pct_points": float(np.sqrt((err**2).mean())),
        "coverage": float(covered.mean()),
        "share_significant": float((done["p_value"] < ALPHA).mean()),
        "mean_ci_width": float((done["ci_high_pct"] - done["ci_low_pct"]).mean()),
    }
