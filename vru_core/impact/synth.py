"""Synthetic control for the wards an award served, with placebo-in-space inference.

The design, in order (each step is what the Impact tab and the README say):

1. **Funded series.** The funded wards taken together: offences per 1,000 residents each month.
2. **Months.** Pre-period: every month of the data before the award's planned start (at least
   ``MIN_PRE_MONTHS``). Post-period: from the start month to the planned end or the last month of data
   (at least ``MIN_POST_MONTHS``).
3. **Comparison wards (donors).** Wards no other award served during those months (and, by default,
   not touching a funded ward, so spill-over does not contaminate them). Of those, the
   ``POOL_SIZE`` whose pre-period series is closest to the funded series (root-mean-square distance)
   form the donor pool: matching on pre-period levels and trends, as Abadie (2021) advises to limit
   interpolation bias. Fewer than ``MIN_DONORS`` candidates: refused.
4. **Synthetic control.** ``pysyncon.Synth`` (Abadie, Diamond & Hainmueller 2010) finds non-negative
   donor weights adding up to 1 whose weighted series best matches every pre-period month (equal
   weight per month). The synthetic series after the start is the estimate of what would have happened
   without the award.
5. **Effect.** effect_pct = 100 x (funded - synthetic) / synthetic, summed over the post months.
6. **Pre-period fit.** fit ratio = pre-period root-mean-square gap / the month-to-month chance
   variation that Poisson counts of the funded wards' size would have on their own. A ratio above
   ``POOR_FIT_RATIO`` is a poor fit: refused rather than reported.
7. **Inference (placebo in space).** Each pool ward in turn is treated as if it had been funded and
   gets its own synthetic control from the rest of the pool. Its standardised post-period gap (mean
   post gap / its own pre-period root-mean-square gap) is what chance alone gives; rescaled to the
   funded series' pre-fit these are the *null errors*. p-value: equal-tailed, two-sided rank of the
   funded wards' standardised gap among the placebos' (Abadie et al. 2010, with the +1 of a
   permutation test). 90% interval: the constant effects the test does not reject at 10%
   (effect - 95th and 5th percentiles of the null errors; Firpo & Possebom 2018).
"""

from __future__ import annotations

import math
import warnings
import zlib
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from vru_core.impact.panel import OUTCOMES, Panel
from vru_core.platform.errors import Refused

MIN_PRE_MONTHS = 12
MIN_POST_MONTHS = 3
MIN_DONORS = 20  # with fewer than 19 placebos no result can reach p < 0.10
POOL_SIZE = 30
PLACEBOS = 40
POOR_FIT_RATIO = 2.0
MIN_MONTHLY_OFFENCES = 1.0
ALPHA = 0.10

METHOD = (
    "Synthetic control (pysyncon Synth: donor weights fitted to every pre-period month of offences per "
    "1,000 residents) with placebo-in-space inference over the donor pool"
)


CannotEstimate = Refused
"""The data cannot support an estimate: the errors kit's Refused, whose message says why in plain words."""


@dataclass(frozen=True)
class Design:
    """What is estimated: funded wards, the planned start and end month ("YYYY-MM"), wards never used as donors."""

    wards: tuple[str, ...]
    start: str
    end: str
    excluded: frozenset[str] = frozenset()


@dataclass
class Headline:
    """What every estimate reports (one award's or a group's): the figures of the command line contract."""

    outcome: str
    effect_pct: float
    ci_low_pct: float
    ci_high_pct: float
    p_value: float
    treated_wards: tuple[str, ...]
    donor_wards: tuple[str, ...]
    pre_months: int
    post_months: int

    def headline_json(self) -> dict:
        return {
            "outcome": self.outcome,
            "outcome_label": OUTCOMES[self.outcome],
            "effect_pct": round(self.effect_pct, 2),
            "ci_low_pct": round(self.ci_low_pct, 2),
            "ci_high_pct": round(self.ci_high_pct, 2),
            "ci_level": 1 - ALPHA,
            "p_value": round(self.p_value, 4),
            "treated_wards": len(self.treated_wards),
            "donor_wards": len(self.donor_wards),
            "pre_months": self.pre_months,
            "post_months": self.post_months,
        }


@dataclass
class Estimate(Headline):
    """One synthetic-control estimate. Percentages are of the synthetic (no-award) series."""

    start: str
    end: str
    pre_rmspe: float
    fit_ratio: float
    pre_gap_pct: float
    offences_post: float
    synthetic_offences_post: float
    weights: pd.Series  # donor ward -> weight (only weights > 0.001)
    series: pd.DataFrame  # month, funded, synthetic, band_low, band_high, period ("before"/"after")
    null_errors: np.ndarray = field(repr=False)
    notes: list[str] = field(default_factory=list)
    method: str = METHOD

    @property
    def significant(self) -> bool:
        return self.p_value < ALPHA

    def to_json(self) -> dict:
        return {
            **self.headline_json(),
            "treated_ward_codes": list(self.treated_wards),
            "donor_ward_codes": list(self.donor_wards),
            "start_month": self.start,
            "end_month": self.end,
            "pre_rmspe_per_1000": round(self.pre_rmspe, 5),
            "pre_fit_ratio": round(self.fit_ratio, 3),
            "pre_gap_pct": round(self.pre_gap_pct, 2),
            "offences_after_start": round(self.offences_post, 1),
            "synthetic_offences_after_start": round(self.synthetic_offences_post, 1),
            "method": self.method,
            "notes": list(self.notes),
        }


def p_value(stat: float, null: np.ndarray) -> float:
    """Equal-tailed two-sided permutation p-value of ``stat`` among ``null`` (the observed counts once)."""
    n = len(null)
    low = (1 + int(np.sum(null <= stat))) / (n + 1)
    high = (1 + int(np.sum(null >= stat))) / (n + 1)
    return min(1.0, 2 * min(low, high))


def interval(effect: float, null_errors: np.ndarray, alpha: float = ALPHA) -> tuple[float, float]:
    """The constant effects δ that :func:`p_value` does not reject at ``alpha`` (test inversion).

    Under "the effect is δ" the statistic is effect - δ; it is accepted between the most extreme null
    errors whose p-value is still above alpha, so "0 is outside the interval" means exactly "p < alpha"
    (up to ties).
    """
    s = np.sort(np.asarray(null_errors, dtype=np.float64))
    n = s.size
    low = (1 + np.searchsorted(s, s, side="right")) / (n + 1)
    high = (1 + n - np.searchsorted(s, s, side="left")) / (n + 1)
    accepted = s[2 * np.minimum(low, high) > alpha]
    if accepted.size == 0:  # too few placebos for a test at this level: the whole range
        accepted = s
    return float(effect - accepted[-1]), float(effect - accepted[0])


def _seed(design: Design) -> int:
    """A seed fixed by the design, so an award gets the same placebos every time (in every process)."""
    return zlib.crc32(f"{','.join(design.wards)}|{design.start}|{design.end}".encode())


def _placebo_z(panel: Panel, pool_rows: np.ndarray, n_treated: int, pre: np.ndarray, post: np.ndarray, seed: int):
    """Standardised post-period gaps of placebo "awards" made from the donor pool.

    Each placebo is a group of pool wards the size of the funded group (at most a third of the pool),
    taken together exactly as the funded wards are, and fitted on the rest of the pool: so chance in a
    placebo looks like chance in the funded series. Single-ward awards use each pool ward once.
    """
    size = max(1, min(n_treated, len(pool_rows) // 3))
    rng = np.random.default_rng(seed)
    if size == 1:
        groups = [np.array([i]) for i in range(len(pool_rows))]
    else:
        groups = [rng.choice(len(pool_rows), size, replace=False) for _ in range(PLACEBOS)]
    out = []
    for group in groups:
        y, _, _ = panel.group_series(panel.codes[pool_rows[group]])
        rest = np.delete(panel.rates[pool_rows], group, axis=0)
        gap = y - _fit(y[pre], rest[:, pre]) @ rest
        rmspe = float(np.sqrt(np.mean(gap[pre] ** 2)))
        if rmspe > 0:
            out.append(float(gap[post].mean() / rmspe))
    return np.asarray(out)


def _fit(target: np.ndarray, donors: np.ndarray) -> np.ndarray:
    """pysyncon's Synth weights for one target series (pre months) on donor series (donors x pre months)."""
    from pysyncon import Synth

    months = pd.RangeIndex(target.size)
    cols = pd.RangeIndex(donors.shape[0])
    x0 = pd.DataFrame(donors.T, index=months, columns=cols)
    x1 = pd.Series(target, index=months, name="target")
    synth = Synth()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # SLSQP's harmless overflow chatter on flat series
        synth.fit(X0=x0, X1=x1, Z0=x0, Z1=x1, custom_V=np.ones(target.size))
    w = np.clip(np.asarray(synth.W, dtype=np.float64), 0.0, None)
    return w / w.sum()


def _months(panel: Panel, design: Design) -> tuple[np.ndarray, np.ndarray]:
    months = np.array(panel.months)
    pre = months < design.start
    post = (months >= design.start) & (months <= design.end)
    first, last = panel.months[0], panel.months[-1]
    n_pre, n_post = int(pre.sum()), int(post.sum())
    if n_pre < MIN_PRE_MONTHS:
        raise CannotEstimate(
            f"Only {n_pre} months of data before the start ({design.start}); the data begin in {first} and at "
            f"least {MIN_PRE_MONTHS} months before the start are needed to build a comparison."
        )
    if n_post < MIN_POST_MONTHS:
        raise CannotEstimate(
            f"Only {n_post} months of data after the start ({design.start}); the data end in {last} and at "
            f"least {MIN_POST_MONTHS} months after the start are needed."
        )
    return pre, post


def estimate(panel: Panel, design: Design, *, exclude_neighbours: bool = True, data_dir=None) -> Estimate:
    """Estimate the change in ``panel.outcome`` in ``design.wards`` after ``design.start`` (raises CannotEstimate).

    The many small optimisations run with one BLAS thread: on a busy machine a multi-threaded BLAS makes
    each of them several times slower, not faster.
    """
    import pysyncon  # noqa: F401  (loaded first: threadpoolctl only limits the BLAS libraries already loaded)
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1):
        return _estimate(panel, design, exclude_neighbours=exclude_neighbours, data_dir=data_dir)


def _estimate(panel: Panel, design: Design, *, exclude_neighbours: bool, data_dir) -> Estimate:
    notes: list[str] = []
    known = set(panel.codes)
    treated = tuple(sorted(w for w in set(design.wards) if w in known))
    missing = sorted(set(design.wards) - known)
    if not treated:
        raise CannotEstimate(
            "None of the award's wards has MPS crime figures and a population (City of London wards are "
            "policed by the City of London Police)."
        )
    if missing:
        notes.append(f"{len(missing)} of the award's wards have no MPS figures or population and are left out.")
    pre, post = _months(panel, design)

    y, offences, pop = panel.group_series(treated)
    if offences[pre].mean() < MIN_MONTHLY_OFFENCES:
        raise CannotEstimate(
            f"Too few offences to measure a change: {offences[pre].mean():.1f} a month in the funded wards "
            f"before the start (at least {MIN_MONTHLY_OFFENCES:g} needed)."
        )

    blocked = set(treated) | set(design.excluded)
    if exclude_neighbours:
        from vru_core.needs.spatial import neighbours

        touching = neighbours(treated, data_dir)
        blocked |= touching
    candidates = np.array([c not in blocked for c in panel.codes])
    if candidates.sum() < MIN_DONORS:
        raise CannotEstimate(
            f"Too few comparison wards: {int(candidates.sum())} wards were served by no award in these months "
            f"{'and do not touch a funded ward ' if exclude_neighbours else ''}(at least {MIN_DONORS} needed)."
        )
    rates = panel.rates
    cand_rows = np.flatnonzero(candidates)
    distance = np.sqrt(((rates[cand_rows][:, pre] - y[pre]) ** 2).mean(axis=1))
    pool_rows = cand_rows[np.argsort(distance, kind="stable")[:POOL_SIZE]]
    pool = rates[pool_rows]

    w = _fit(y[pre], pool[:, pre])
    synthetic = w @ pool
    gap = y - synthetic
    pre_rmspe = float(np.sqrt(np.mean(gap[pre] ** 2)))
    noise = math.sqrt(max(offences[pre].mean(), 1e-9)) / pop * 1000.0
    fit_ratio = pre_rmspe / noise
    pre_gap_pct = float(100.0 * gap[pre].sum() / synthetic[pre].sum())
    if fit_ratio > POOR_FIT_RATIO:
        raise CannotEstimate(
            f"Poor pre-period fit: the comparison misses the funded wards by {pre_rmspe:.3f} offences per 1,000 "
            f"residents a month before the start, {fit_ratio:.1f} times the chance variation expected from counts "
            f"of this size (at most {POOR_FIT_RATIO:g} allowed). Usually the funded wards' rate is outside the "
            "range of the comparison wards."
        )

    effect = float(100.0 * gap[post].sum() / synthetic[post].sum())
    z_stat = float(gap[post].mean() / pre_rmspe) if pre_rmspe > 0 else 0.0
    z_null = _placebo_z(panel, pool_rows, len(treated), pre, post, seed=_seed(design))
    scale = 100.0 * pre_rmspe / float(synthetic[post].mean())
    null_errors = z_null * scale
    low, high = interval(effect, null_errors)
    p = p_value(z_stat, z_null)

    band_lo, band_hi = (effect - high) / 100.0, (effect - low) / 100.0
    months = list(panel.months)
    series = pd.DataFrame(
        {
            "month": months,
            "funded": y,
            "synthetic": synthetic,
            "band_low": np.where(post, synthetic * (1 + band_lo), np.nan),
            "band_high": np.where(post, synthetic * (1 + band_hi), np.nan),
            "period": np.where(pre, "before", np.where(post, "after", "after end")),
        }
    )
    codes = panel.codes[pool_rows]
    weights = pd.Series(w, index=codes).loc[lambda s: s > 0.001].sort_values(ascending=False)
    return Estimate(
        outcome=panel.outcome,
        effect_pct=effect,
        ci_low_pct=low,
        ci_high_pct=high,
        p_value=p,
        treated_wards=treated,
        donor_wards=tuple(codes),
        pre_months=int(pre.sum()),
        post_months=int(post.sum()),
        start=design.start,
        end=min(design.end, panel.months[-1]),
        pre_rmspe=pre_rmspe,
        fit_ratio=fit_ratio,
        pre_gap_pct=pre_gap_pct,
        offences_post=float(offences[post].sum()),
        synthetic_offences_post=float(synthetic[post].sum() * pop / 1000.0),
        weights=weights,
        series=series,
        null_errors=null_errors,
        notes=notes,
    )
