"""Small numbers: each rate's count and population, and empirically smoothed rates.

A ward with few residents or few offences gets an extreme rate by chance. For measures that are
counts per 1,000 residents (the MPS crime rates), the count is recovered exactly from the rate and
the ward's Census 2021 population (count = rate x population / 1,000, a whole number), and two
smoothed versions are offered, chosen per measure in the scoring profile:

* ``eb``: Poisson-gamma empirical Bayes towards the London rate (Marshall 1991, the global estimator
  of PySAL's ``esda.smoothing.Empirical_Bayes``). Each ward's rate r_i = y_i / n_i is pulled towards
  the London rate m = sum(y) / sum(n) by w_i = s2 / (s2 + m / n_i), where
  s2 = sum(n_i (r_i - m)^2) / sum(n) - m / mean(n) is the between-ward variance beyond chance
  (a negative s2 is taken as 0: every ward gets the London rate). Small wards move most.
* ``spatial_eb``: the same towards the rate of the ward and its neighbours (queen contiguity from the
  ward boundaries, vru_core.needs.spatial; ``esda.smoothing.Spatial_Empirical_Bayes``).

Both are vectorised here (numpy and a sparse neighbour matrix) so they can smooth hundreds of Monte
Carlo draws at once for the rank bands; the tests check them against esda and a hand-computed case.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from vru_core.needs.measures import MeasureFrame

RAW = "raw"
METHODS: dict[str, str] = {
    RAW: "As published (count / population)",
    "eb": "Smoothed: empirical Bayes towards London",
    "spatial_eb": "Smoothed: empirical Bayes towards neighbouring wards",
}
COUNT_UNIT = "per 1,000 residents"
PER = 1000.0


def check_method(method: str, what: str = "smoothing") -> str:
    if method not in METHODS:
        raise ValueError(f"{what}: {method!r} is not one of {', '.join(METHODS)}")
    return method


@dataclass(frozen=True)
class Counts:
    """For the count-based measures: counts (wards x measures, NaN where the rate is missing) and population."""

    counts: pd.DataFrame
    population: pd.Series

    @property
    def codes(self) -> list[str]:
        return list(self.counts.columns)


_COUNTS: dict[int, tuple[MeasureFrame, Counts]] = {}


def counts_for(frame: MeasureFrame) -> Counts:
    """The measures of ``frame`` that are counts per 1,000 residents, with their counts (cached per frame).

    A measure qualifies when it is a ward measure in that unit and every value x population / 1,000 is
    a whole number (so an uploaded rate that was not made that way is never treated as one).
    """
    cached = _COUNTS.get(id(frame))
    if cached is not None and cached[0] is frame:
        return cached[1]
    m = frame.measures
    pop = frame.wards["population"].astype("float64")
    chosen = {}
    for code in m.index[(m["unit"] == COUNT_UNIT) & (m["geography"] == "ward")]:
        values = frame.values[code].astype("float64")
        raw = values * pop / PER
        ok = raw.notna()
        if not ok.any():
            continue
        rounded = raw[ok].round()
        if np.allclose(raw[ok], rounded, atol=1e-6, rtol=0):
            chosen[code] = rounded.reindex(values.index)
    counts = pd.DataFrame(chosen, index=frame.values.index, dtype="float64")
    result = Counts(counts=counts, population=pop)
    if len(_COUNTS) > 8:
        _COUNTS.clear()
    _COUNTS[id(frame)] = (frame, result)
    return result


def eb_rates(counts: np.ndarray, population: np.ndarray) -> np.ndarray:
    """Global Poisson-gamma empirical Bayes rates (per person). counts may be (n,) or (n, draws)."""
    e = np.asarray(counts, dtype=np.float64)
    b = np.asarray(population, dtype=np.float64).reshape(-1, *([1] * (e.ndim - 1)))
    m = e.sum(axis=0) / b.sum()
    rate = e / b
    s2 = (b * (rate - m) ** 2).sum(axis=0) / b.sum() - m / b.mean()
    s2 = np.maximum(s2, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        w = np.where(s2 > 0, s2 / (s2 + m / b), 0.0)
    return w * rate + (1.0 - w) * m


def neighbour_matrix(codes: list[str], data_dir=None):
    """Sparse (n x n) 0/1 matrix: each ward, itself included, and its queen neighbours among ``codes``."""
    return _neighbour_matrix(tuple(codes), None if data_dir is None else str(data_dir))


@functools.lru_cache(maxsize=16)
def _neighbour_matrix(codes: tuple[str, ...], data_dir: str | None):
    from scipy import sparse

    from vru_core.needs.spatial import queen_neighbours

    table = queen_neighbours(None if data_dir is None else Path(data_dir))
    at = {c: i for i, c in enumerate(codes)}
    rows, cols = list(range(len(codes))), list(range(len(codes)))
    for c, i in at.items():
        for n in table.get(c, ()):
            j = at.get(n)
            if j is not None:
                rows.append(i)
                cols.append(j)
    return sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(codes), len(codes)))


def spatial_eb_rates(counts: np.ndarray, population: np.ndarray, neighbours) -> np.ndarray:
    """Spatial empirical Bayes rates (per person), as esda's Spatial_Empirical_Bayes, vectorised."""
    e = np.asarray(counts, dtype=np.float64)
    two_d = e.ndim == 2
    e2 = e if two_d else e[:, None]
    b = np.asarray(population, dtype=np.float64)[:, None]
    rate = e2 / b
    sum_b = neighbours @ b
    r_mean = (neighbours @ e2) / sum_b
    size = np.asarray(neighbours.sum(axis=1)).reshape(-1, 1)
    v = neighbours @ (b * rate**2) - 2 * r_mean * (neighbours @ (b * rate)) + r_mean**2 * sum_b
    r_var = np.maximum(v / sum_b - r_mean / (sum_b / size), 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        shrink = np.where(r_var > 0, r_var / (r_var + r_mean / b), 0.0)
    out = r_mean + (rate - r_mean) * shrink
    return out if two_d else out[:, 0]


class Smoother:
    """Smooths one measure's counts (or a matrix of drawn counts) for the wards that have a value."""

    def __init__(self, counts: Counts, code: str, method: str, data_dir=None):
        self.method = check_method(method)
        column = counts.counts[code]
        self.valid = (column.notna() & (counts.population > 0)).to_numpy()
        self.counts = column.to_numpy(dtype=np.float64)[self.valid]
        self.population = counts.population.to_numpy(dtype=np.float64)[self.valid]
        self.neighbours = None
        if method == "spatial_eb":
            self.neighbours = neighbour_matrix(list(column.index[self.valid]), data_dir)

    def rates(self, counts: np.ndarray | None = None) -> np.ndarray:
        """Rates per 1,000 residents for the valid wards ((n,) or (n, draws))."""
        e = self.counts if counts is None else counts
        if self.method == "eb":
            return eb_rates(e, self.population) * PER
        if self.method == "spatial_eb":
            return spatial_eb_rates(e, self.population, self.neighbours) * PER
        pop = self.population if np.ndim(e) == 1 else self.population[:, None]
        return e / pop * PER


_SMOOTHED: dict[tuple, tuple[MeasureFrame, MeasureFrame]] = {}


def smoothed_frame(frame: MeasureFrame, smoothing: Mapping[str, str], data_dir=None) -> MeasureFrame:
    """``frame`` with the chosen measures' values replaced by smoothed rates and their labels saying so.

    Measures that are not counts per 1,000 residents are left as they are (the choice is ignored, as an
    unknown weight is). Cached per frame and choice, so scoring prepares it once.
    """
    counts = counts_for(frame)
    chosen = {c: m for c, m in smoothing.items() if m != RAW and c in counts.counts.columns}
    if not chosen:
        return frame
    key = (id(frame), tuple(sorted(chosen.items())))
    cached = _SMOOTHED.get(key)
    if cached is not None and cached[0] is frame:
        return cached[1]
    values = frame.values.copy()
    measures = frame.measures.copy()
    for code, method in chosen.items():
        smoother = Smoother(counts, code, method, data_dir)
        column = np.full(len(values), np.nan)
        column[smoother.valid] = smoother.rates()
        values[code] = column
        measures.loc[code, "label"] = f"{measures.at[code, 'label']} (smoothed)"
        measures.loc[code, "notes"] = f"{METHODS[method]}. {measures.at[code, 'notes']}"
    result = MeasureFrame(wards=frame.wards, measures=measures, values=values)
    if len(_SMOOTHED) > 16:
        _SMOOTHED.clear()
    _SMOOTHED[key] = (frame, result)
    return result
