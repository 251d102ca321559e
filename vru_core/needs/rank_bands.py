"""Rank intervals: how sure is a ward's rank? Median rank and a 5th-95th percentile band per ward.

For the current profile, the counts behind every count-based measure in use (the crime rates) are
redrawn ``draws`` times from a Poisson distribution with the observed count as its mean, turned back
into rates (smoothed the same way if the profile smooths that measure), and the wards are scored and
ranked again with the same rule. Other measures (deprivation, population shares, borough figures) are
kept as they are: they are not counts of events. With ``vary_profile`` each draw also moves the
threshold (uniformly between half and one and a half times the chosen one) and every weight in use
(times a uniform 0.5-1.5), as COINr-style sensitivity analysis does.

Seeded: the same frame and profile give the same bands every time. A ward's band "crosses the top-N
line" when it could be in the top N or out of it: rank_p05 <= N < rank_p95.
"""

from __future__ import annotations

import weakref
from collections import OrderedDict

import numpy as np
import pandas as pd

from vru_core.needs.kernel import flag_columns
from vru_core.needs.measures import MeasureFrame
from vru_core.needs.scoring import (
    Profile,
    _prepare,
    flag_matrix,
    profile_arrays,
    rank_min,
    scoring_frame,
    weighted_scores,
)
from vru_core.needs.smoothing import RAW, Smoother, counts_for

DEFAULT_DRAWS = 200
SEED = 20260101
BAND_COLUMNS = ["rank_p05", "rank_median", "rank_p95"]


def rank_draws(
    frame: MeasureFrame, profile: Profile, *, draws: int = DEFAULT_DRAWS, seed: int = SEED, vary_profile: bool = False
) -> np.ndarray:
    """(draws, wards) ranks under redrawn counts (wards in the frame's order)."""
    prepared = _prepare(scoring_frame(frame, profile))
    weights, pct = profile_arrays(prepared, profile)
    if not vary_profile:
        redrawn = _cached_redraws(frame, prepared, weights, profile, draws, seed)
        return _ranks_fixed_profile(prepared.badness, weights, pct, redrawn, draws)
    rng = np.random.default_rng(seed)  # the same generator draws the counts, then each draw's profile
    redrawn = _redraw(frame, prepared, weights, profile, draws, rng)
    ranks = np.empty((draws, len(prepared.badness)), dtype=np.int64)
    badness = prepared.badness.copy()
    for d in range(draws):
        for j, valid, rates in redrawn:
            badness[valid, j] = rates[:, d]
        w = weights * rng.uniform(0.5, 1.5, size=weights.size)
        p = np.clip(pct * rng.uniform(0.5, 1.5), 0.5, 100.0)
        flags, *_ = flag_matrix(badness, p)
        ranks[d] = rank_min(weighted_scores(flags, w))
    return ranks


def _redraw(frame: MeasureFrame, prepared, weights: np.ndarray, profile: Profile, draws: int, rng) -> list:
    """(column, valid rows, rates (n_valid, draws)) for every count-based measure in use, redrawn."""
    counts = counts_for(frame)
    redrawn = []
    for j, code in enumerate(prepared.codes):
        if code not in counts.codes or weights[j] <= 0:
            continue
        smoother = Smoother(counts, code, profile.smoothing.get(code, RAW))
        drawn = rng.poisson(smoother.counts[:, None], size=(smoother.counts.size, draws)).astype(np.float64)
        redrawn.append((j, smoother.valid, smoother.rates(drawn) * prepared.sign[j]))
    return redrawn


_REDRAWS: OrderedDict[tuple, tuple[weakref.ref, list]] = OrderedDict()
_REDRAWS_KEPT = 8


def _cached_redraws(
    frame: MeasureFrame, prepared, weights: np.ndarray, profile: Profile, draws: int, seed: int
) -> list:
    """`_redraw` from a fresh generator, kept for the same frame, measures in use, smoothing, draws and seed.

    The draws do not depend on the threshold or on the size of the weights in use, so a threshold step
    (what an analyst does most) reuses them; the result is the same as drawing again (same seed, same order).
    """
    in_use = tuple((j, c, profile.smoothing.get(c, RAW)) for j, c in enumerate(prepared.codes) if weights[j] > 0)
    key = (id(frame), in_use, draws, seed)
    hit = _REDRAWS.get(key)
    if hit is not None and hit[0]() is frame:
        _REDRAWS.move_to_end(key)
        return hit[1]
    redrawn = _redraw(frame, prepared, weights, profile, draws, np.random.default_rng(seed))
    _REDRAWS[key] = (weakref.ref(frame), redrawn)
    while len(_REDRAWS) > _REDRAWS_KEPT:
        _REDRAWS.popitem(last=False)
    return redrawn


def _ranks_fixed_profile(
    badness: np.ndarray, weights: np.ndarray, pct: np.ndarray, redrawn: list, draws: int
) -> np.ndarray:
    """The same ranks as scoring each draw in turn, in one pass: the kernel flags each column on its own,
    so the measures not redrawn are flagged once, and every draw of every redrawn measure is one more
    column of a single kernel call (about six times faster for London's wards: a slider step waits on it)."""
    n = len(badness)
    if not redrawn:
        flags, *_ = flag_matrix(badness, pct)
        return np.broadcast_to(rank_min(weighted_scores(flags, weights)), (draws, n)).copy()
    columns = []
    for j, valid, rates in redrawn:
        column = np.repeat(badness[:, j : j + 1], draws, axis=1)
        column[valid, :] = rates
        columns.append(column)
    flags = flag_columns(np.concatenate(columns, axis=1), np.repeat([pct[j] for j, *_ in redrawn], draws))
    kept = np.ones(len(weights), dtype=bool)
    kept[[j for j, *_ in redrawn]] = False
    kept &= weights > 0
    base_flags, *_ = flag_matrix(badness[:, kept], pct[kept])
    totals = np.repeat((base_flags.astype(np.float64) @ weights[kept])[:, None], draws, axis=1)
    for k, (j, *_) in enumerate(redrawn):
        totals += flags[:, k * draws : (k + 1) * draws] * weights[j]
    totals = np.round(totals, 9) + 0.0  # as weighted_scores rounds, so equal sums tie
    return np.stack([rank_min(totals[:, d]) for d in range(draws)])


def rank_bands(
    frame: MeasureFrame, profile: Profile, *, draws: int = DEFAULT_DRAWS, seed: int = SEED, vary_profile: bool = False
) -> pd.DataFrame:
    """Per ward (index ward_code, the frame's order): rank_p05, rank_median, rank_p95 (whole ranks)."""
    ranks = rank_draws(frame, profile, draws=draws, seed=seed, vary_profile=vary_profile)
    p05, med, p95 = np.quantile(ranks, [0.05, 0.5, 0.95], axis=0, method="inverted_cdf")
    return pd.DataFrame(
        {"rank_p05": p05.astype(np.int64), "rank_median": med.astype(np.int64), "rank_p95": p95.astype(np.int64)},
        index=frame.wards.index,
    )


def crosses(bands: pd.DataFrame, top_n: int) -> pd.Series:
    """True where the ward's band straddles the top-N line (it could be in the top N or out of it)."""
    return (bands["rank_p05"] <= top_n) & (bands["rank_p95"] > top_n)


def band_text(bands: pd.DataFrame) -> pd.Series:
    """'12 (5–30)': the median rank and the 5th–95th percentile band, for tables and tooltips."""
    return (
        bands["rank_median"].astype(str)
        + " ("
        + bands["rank_p05"].astype(str)
        + "–"
        + bands["rank_p95"].astype(str)
        + ")"
    )


def counts_table(frame: MeasureFrame) -> pd.DataFrame:
    """population and count_<code> for each count-based measure (index ward_code), for the CSV and the page."""
    counts = counts_for(frame)
    out = counts.counts.add_prefix("count_").astype("Int64")
    out.insert(0, "population", counts.population.round().astype("Int64"))
    return out


def csv_extra(frame: MeasureFrame, profile: Profile, *, draws: int = DEFAULT_DRAWS, seed: int = SEED) -> pd.DataFrame:
    """The columns `python -m vru_core.scoring` adds by default: the bands, the population and the counts."""
    return rank_bands(frame, profile, draws=draws, seed=seed).join(counts_table(frame))


def csv_note(draws: int = DEFAULT_DRAWS, seed: int = SEED) -> str:
    return (
        f"rank_p05/rank_median/rank_p95: 5th percentile, median and 95th percentile of the ward's rank over {draws} "
        f"Poisson redraws of the crime counts (seed {seed}); count_<code> and population are what each rate is made of."
    )
