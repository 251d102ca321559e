"""The flag rule as array arithmetic: worst-ranks, flags and thresholds for every measure at once.

The rule itself is stated in :mod:`vru_core.needs.scoring`; this module is the numpy kernel that
applies it (and the rank used for scores), kept apart because it is tuned for speed.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from vru_core.needs.measures import DIRECTIONS, HIGH_IS_WORSE


def _ranks_from_starts(starts: np.ndarray, ranks1: np.ndarray) -> np.ndarray:
    """Worst-ranks along a sorted column: each element gets the position where its tie group ends
    (how many elements are at least as bad as it)."""
    group = np.flatnonzero(starts)
    if group.size == starts.size:
        return ranks1[: starts.size]
    ends = np.append(group[1:], starts.size).astype(np.float64)
    return np.repeat(ends, np.diff(group, append=starts.size))


def _exact_column(worse_first: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The slow, always-exact path for a column the packed sort cannot handle (infinities, near-ties)."""
    n_valid = int(np.count_nonzero(~np.isnan(worse_first)))
    order = np.argsort(worse_first, kind="stable")[:n_valid]
    ordered = worse_first[order]
    starts = np.empty(n_valid, dtype=bool)
    starts[:1] = True
    np.not_equal(ordered[1:], ordered[:-1], out=starts[1:])
    return order, _ranks_from_starts(starts, np.arange(1, n_valid + 1, dtype=np.float64))


def flag_matrix(badness: np.ndarray, pct: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Apply the flag rule to every column at once (see the module docstring).

    badness: (n_areas, m) floats, higher = worse, NaN = missing. pct: (m,) threshold percentages.
    Returns flags (n, m) bool; worst_rank (n, m) float, NaN where missing; n_valid (m,) int;
    threshold_badness (m,) float, the least bad flagged badness (NaN if the column flags nothing).

    Why it is built this way: it must stay within 2x of a bare "sort and compare" kernel at 35,000
    areas x 50 measures, and worst-ranks need an argsort, which numpy does several times slower than
    a sort. So each column is sorted once as floats with the area's row number packed into the low
    mantissa bits of its (negated) value: the sorted bits then give the order (argsort) for the price
    of a sort. Packing can only merge values that differ in those low bits; tie groups are checked
    against the real bits and a column falls back to an exact argsort if that ever happens (or if it
    holds infinities, which packing would turn into NaN).
    """
    data = np.asarray(badness, dtype=np.float64)
    if data.ndim != 2:
        raise ValueError(f"badness must be 2-D (areas x measures), got shape {data.shape}")
    n, m = data.shape
    pct = np.broadcast_to(np.asarray(pct, dtype=np.float64), (m,))
    if not np.all(np.isfinite(pct)):
        raise ValueError("threshold percentages must be finite")

    # One row per measure, negated so an ascending sort puts the worst first; 0 - x also turns -0.0 into +0.0.
    work = np.ascontiguousarray(data.T)
    if np.shares_memory(work, data):
        work = work.copy()
    np.subtract(0.0, work, out=work)
    bits = max(1, (n - 1).bit_length())
    low = np.int64((1 << bits) - 1)
    high = np.int64(~((1 << bits) - 1))
    row_ids = np.arange(n, dtype=np.int64)
    ranks1 = np.arange(1, n + 1, dtype=np.float64)
    starts_buf = np.empty(n, dtype=bool)

    n_valid = np.zeros(m, dtype=np.int64)
    threshold = np.full(m, np.nan)
    for j in range(m):
        col, col_bits = work[j], work[j].view(np.int64)
        exact = bool(np.isinf(col).any())
        if not exact:
            low_bits = col_bits & low
            lossy = bool(low_bits.any())
            col_bits &= high
            col_bits |= row_ids
            col.sort()  # NaN (whatever its payload) sorts last
            nv = int(np.searchsorted(col, np.nan))
            starts = starts_buf[:nv]
            starts[:1] = True
            high_part = col_bits[:nv] >> bits
            np.not_equal(high_part[1:], high_part[:-1], out=starts[1:])
            order = col_bits[:nv] & low
            if lossy and not starts.all():
                sorted_low = low_bits[order]
                exact = bool(np.any((sorted_low[1:] != sorted_low[:-1]) & ~starts[1:]))
            if not exact:
                ranks = _ranks_from_starts(starts, ranks1)
        if exact:
            order, ranks = _exact_column(0.0 - data[:, j])
            nv = order.size
        # The row is no longer needed as a sort buffer: it becomes this measure's worst-ranks.
        col.fill(np.nan)
        col[order] = ranks
        n_valid[j] = nv
        k = min(math.floor(round(nv * pct[j] / 100.0, 9)), nv)
        last_flagged = int(np.searchsorted(ranks, k, side="right"))  # ranks ascend along the sorted column
        if last_flagged >= 1:
            threshold[j] = data[order[last_flagged - 1], j] + 0.0
    flags = data >= threshold  # NaN on either side compares False
    return flags, work.T, n_valid, threshold


def flag_columns(badness: np.ndarray, pct: np.ndarray) -> np.ndarray:
    """Only the flags of `flag_matrix` (the same rule, the same result), for many columns at once.

    `flag_matrix` sorts column by column to get worst-ranks too; when only flags are wanted (the rank
    bands' hundreds of redrawn columns) one sort of the whole matrix does: in column j, with k the
    number the threshold allows, the k-th worst value t is flagged unless its tie group runs past k,
    in which case only the values strictly worse than t are.
    """
    data = np.asarray(badness, dtype=np.float64)
    m = data.shape[1]
    pct = np.broadcast_to(np.asarray(pct, dtype=np.float64), (m,))
    worse_first = np.sort(0.0 - data, axis=0)  # NaN last
    n_valid = np.count_nonzero(~np.isnan(worse_first), axis=0)
    k = np.minimum(np.floor(np.round(n_valid * pct / 100.0, 9)).astype(np.int64), n_valid)
    cols = np.arange(m)
    t = worse_first[np.maximum(k - 1, 0), cols]
    at_most = np.count_nonzero(worse_first <= t, axis=0)
    last = np.where(at_most == k, k, np.count_nonzero(worse_first < t, axis=0))
    threshold = np.where((k >= 1) & (last >= 1), worse_first[np.maximum(last - 1, 0), cols], np.nan)
    return (0.0 - data) <= threshold  # NaN on either side compares False


def _signs(measures: pd.DataFrame) -> np.ndarray:
    """+1 / -1 per measure so that "higher is worse" holds for every column; a typo must not flip a measure."""
    direction = measures["direction"]
    bad = sorted({str(d) for d in direction if d not in DIRECTIONS})
    if bad:
        raise ValueError(f"unknown measure direction(s) {bad}; expected one of {DIRECTIONS}")
    return np.where(direction.to_numpy() == HIGH_IS_WORSE, 1.0, -1.0)


def rank_min(scores: np.ndarray) -> np.ndarray:
    """Rank highest first, ties sharing the best rank (pandas' method="min"): 1 + number strictly higher."""
    scores = np.asarray(scores, dtype=np.float64)
    ascending = np.sort(scores)
    return (scores.size - np.searchsorted(ascending, scores, side="right") + 1).astype(np.int64)


def weighted_scores(flags: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Sum of the weights of the flagging measures, rounded so that equal sums reached in different
    ways (0.1 + 0.2 vs 0.3) tie, as a reader expects."""
    counted = weights > 0
    return np.round(flags[:, counted].astype(np.float64) @ weights[counted], 9) + 0.0
