"""The monthly ward series an impact estimate works on: offences per 1,000 residents, ward by month.

Counts come from the combined MPS releases (vru_core.needs.crime, 2023-07 onward), populations from
the Census 2021 best-fit file. Wards without MPS figures (City of London) or without a population are
left out: they can be neither funded wards in an estimate nor comparison wards.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from vru_core.needs import crime
from vru_core.needs.sources import population as population_source
from vru_core.platform.config import get_settings

POPULATION_FILE = population_source.FILE.name

#: The offences an estimate can be asked about: code -> label (codes as in vru_core.needs.crime).
OUTCOMES: dict[str, str] = {code: crime.CATEGORIES[code].label for code in ("vwi", "robbery_personal", "weapons")}
DEFAULT_OUTCOME = "vwi"


@dataclass(frozen=True)
class Panel:
    """counts: wards x months (int64); population: ward -> usual residents (float, > 0); months ascending.

    Treat as read-only: panels are cached and shared.
    """

    outcome: str
    counts: pd.DataFrame
    population: pd.Series
    months: tuple[str, ...]
    key: tuple  # identifies the data behind the panel (for caches)

    @functools.cached_property
    def rates(self) -> np.ndarray:
        """Offences per 1,000 residents, wards x months (rows in `codes` order)."""
        return self.counts.to_numpy(dtype=np.float64) / self.population.to_numpy()[:, None] * 1000.0

    @functools.cached_property
    def codes(self) -> pd.Index:
        return self.counts.index

    def rows(self, wards: Iterable[str]) -> np.ndarray:
        return self.codes.get_indexer(list(wards))

    def group_series(self, wards: Iterable[str]) -> tuple[np.ndarray, np.ndarray, float]:
        """(rate per 1,000 residents, offences) by month for wards taken together, and their population."""
        rows = self.rows(wards)
        counts = self.counts.to_numpy(dtype=np.float64)[rows].sum(axis=0)
        pop = float(self.population.to_numpy()[rows].sum())
        return counts / pop * 1000.0, counts, pop

    def with_counts(self, counts: pd.DataFrame, note: str) -> Panel:
        """The same panel with other counts (used to inject known effects when validating the method)."""
        return Panel(self.outcome, counts, self.population, self.months, (*self.key, note))


def check_outcome(outcome: str) -> str:
    if outcome not in OUTCOMES:
        raise ValueError(f"outcome: {outcome!r} is not one of {', '.join(OUTCOMES)}")
    return outcome


def _population(path: Path) -> pd.Series:
    """Census 2021 usual residents by ward_code (NaN = blank), from the population source's file."""
    table = pd.read_csv(path, usecols=[population_source.FILE.code_column, "usual_residents"])
    return table.set_index(population_source.FILE.code_column)["usual_residents"].astype("float64")


@functools.lru_cache(maxsize=8)
def _panel(outcome: str, data_dir: str, stamp: tuple) -> Panel:
    series = crime.load_monthly(Path(data_dir), categories=(outcome,))
    population = _population(Path(data_dir) / POPULATION_FILE)
    counts = series.matrix(outcome)
    population = population.reindex(counts.index)
    keep = (population > 0).to_numpy()
    counts, population = counts.loc[keep], population.loc[keep].astype("float64")
    return Panel(outcome, counts, population, series.months, (outcome, data_dir, stamp))


def load_panel(outcome: str = DEFAULT_OUTCOME, data_dir: Path | None = None) -> Panel:
    """The panel for one offence from the bundled data (or a copy of it), cached per file version."""
    check_outcome(outcome)
    root = Path(data_dir or get_settings().bundled_data_dir).resolve()
    files = [root / name for _, name in crime.RELEASES] + [root / POPULATION_FILE]
    stamp = tuple((f.name, f.stat().st_mtime_ns, f.stat().st_size) for f in files)
    return _panel(outcome, str(root), stamp)
