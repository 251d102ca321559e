"""MPS ward-level recorded crime: six offence rates per 1,000 residents and the change in violence with injury.

The two bundled MPS releases are combined month by month in :mod:`vru_core.needs.crime` (which
also names the offence categories); the windows are the latest 12 months of the combined series
and the 12 before them, read from the data.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from vru_core.needs import crime
from vru_core.needs.measures import HIGH_IS_WORSE
from vru_core.needs.sources.base import OGL, DataFile, Derivation, Derived, Inputs, MeasureDef

ORDER = 10
FILES = tuple(DataFile(name, "WardCode") for _, name in crime.RELEASES)
COLUMNS = ("WardCode", "MajorText", "MinorText")  # and one YYYYMM column of counts a month
RATE_CATEGORIES: tuple[str, ...] = ("vwi", "robbery_personal", "weapons", "sexual", "drug_trafficking", "public_order")
PROACTIVE_CATEGORIES = ("weapons", "drug_trafficking")

COMMON_NOTES = (
    "Recorded crime by ward of offence. Rates use Census 2021 usual residents, a best-fit "
    "aggregation of LSOAs to 2022 wards, so denominators are approximate (more so for wards with "
    "few LSOAs); residents are not the only people present (town centres, stations and the West "
    "End have high rates partly for that reason). City of London wards are policed by the City of "
    "London Police and so have no MPS figures: they are missing, never flagged. Heathrow Villages "
    "includes Aviation Security (SO18) crime at Heathrow Airport, which inflates its rate. Wards "
    "with no population figure get a missing rate."
)
PROACTIVE_NOTE = (
    " Recorded possession and trafficking offences also reflect police activity (stop and search, "
    "operations), not only prevalence."
)


def _rate(count: pd.Series, population: pd.Series) -> pd.Series:
    population = pd.to_numeric(population, errors="coerce").astype("float64")
    return count.astype("float64") / population.where(population > 0) * 1000.0


def _window_rates(inputs: Inputs, category: str) -> tuple[pd.Series, pd.Series, dict[str, str]]:
    """(rate in the latest 12 months, rate in the 12 before, the windows' labels) for every ward.

    Wards are the loaded wards, then any ward of the MPS data missing from them; a ward absent
    from the MPS data (the City of London) is missing, never 0, and so is a ward with no population.
    """
    series = crime.load_monthly(inputs.data_dir)
    previous, latest = crime.comparison_windows(series)
    population = inputs.population
    population.index = population.index.astype("str")
    index = population.index.append(series.ward_codes.difference(population.index))
    index.name = "ward_code"
    population = population.reindex(index)
    in_mps = index.isin(series.ward_codes)

    def rate(window: crime.Window) -> pd.Series:
        counts = series.window_counts(category, window.months).reindex(index).astype("float64")
        return _rate(counts.where(in_mps), population)

    fields = {
        "latest_period": latest.period,
        "latest_span": latest.span,
        "previous_period": previous.period,
        "previous_span": previous.span,
    }
    return rate(latest), rate(previous), fields


def rate(category: str) -> Derivation:
    """Offences of the category in the latest 12 months per 1,000 residents."""

    def derive(inputs: Inputs) -> Derived:
        latest, _, fields = _window_rates(inputs, category)
        return Derived(latest, fields)

    return derive


def rate_change(category: str) -> Derivation:
    """The latest 12 months' rate minus the rate in the 12 months before (a difference, not a percentage)."""

    def derive(inputs: Inputs) -> Derived:
        latest, previous, fields = _window_rates(inputs, category)
        return Derived(latest - previous, fields)

    return derive


_COMMON: dict[str, Any] = {  # what every measure of this source shares
    "family": "crime",
    "geography": "ward",
    "direction": HIGH_IS_WORSE,
    "source": crime.SOURCE,
    "publisher": crime.PUBLISHER,
    "licence": OGL,
    "files": FILES,
    "columns": COLUMNS,
}


def _rate_measure(category: crime.Category) -> MeasureDef:
    return MeasureDef(
        code=f"crime_{category.code}_rate",
        label=f"{category.label} rate",
        unit="per 1,000 residents",
        period="{latest_period}",
        notes=(
            f"{category.label} offences recorded in the {{latest_period}} per 1,000 residents. "
            + COMMON_NOTES
            + (PROACTIVE_NOTE if category.code in PROACTIVE_CATEGORIES else "")
            + (f" {category.notes}" if category.notes else "")
        ),
        derivation=rate(category.code),
        **_COMMON,
    )


MEASURES = (
    *(_rate_measure(crime.CATEGORIES[code]) for code in RATE_CATEGORIES),
    MeasureDef(
        code="crime_vwi_change",
        label="Change in violence with injury rate",
        unit="change in offences per 1,000 residents",
        period="{latest_span} vs {previous_span}",
        notes=(
            "Violence with injury per 1,000 residents in the {latest_period} minus the same rate in the "
            "{previous_period}. A rate difference, not a percentage change, so tiny wards with small counts "
            "do not dominate; positive = rising. " + COMMON_NOTES
        ),
        derivation=rate_change("vwi"),
        **_COMMON,
    ),
)
