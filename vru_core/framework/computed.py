"""Indicators computed from the bundled MPS monthly series: rolling 12-month counts and concentration.

Every value is labelled by the month its 12-month window ends ("2026-03" = April 2025 to March
2026); the first value is the first full window in the series. Borough figures use the store's
ward -> borough map (the ONS/GeoJSON borough), not the MPS LookUp_BoroughName, so Heathrow
Villages counts in Hillingdon.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import Engine, select

from vru_core.models import Ward
from vru_core.needs.concentration import lorenz_from_counts, share_in_top_wards
from vru_core.needs.crime import MonthlySeries, load_monthly
from vru_core.platform.config import get_settings

WINDOW = 12
LONDON = "london"
COLUMNS = ["period", "area_code", "value"]


def rolling_counts(series: MonthlySeries, category: str, ward_to_borough: Mapping[str, str]) -> pd.DataFrame:
    """London and per-borough 12-month sums, long: period, area_code ("london" or borough code), value."""
    mat = series.matrix(category)
    months = list(series.months)
    if len(months) < WINDOW:
        return pd.DataFrame(columns=COLUMNS)
    boroughs = mat.index.map(lambda w: ward_to_borough.get(w))
    keep = np.asarray(pd.notna(boroughs))
    by_borough = mat.loc[keep].groupby(np.asarray(boroughs[keep], dtype=object)).sum()
    by_borough.loc[LONDON] = mat.sum(axis=0)  # every MPS ward, mapped or not
    rolled = by_borough.T.rolling(WINDOW).sum().iloc[WINDOW - 1 :]
    rolled.index.name = "period"
    out = rolled.reset_index().melt(id_vars="period", var_name="area_code", value_name="value")
    out["value"] = out["value"].astype("float64")
    return out.sort_values(["area_code", "period"], ignore_index=True)[COLUMNS]


def rolling_concentration(series: MonthlySeries, category: str, top_pct: float) -> pd.DataFrame:
    """Share (percent) of the category in the top ``top_pct``% of wards, per rolling 12-month window."""
    mat = series.matrix(category)
    months = list(series.months)
    rows = []
    for end in range(WINDOW - 1, len(months)):
        counts = mat.iloc[:, end - WINDOW + 1 : end + 1].sum(axis=1)
        if counts.sum() <= 0:
            continue
        share = share_in_top_wards(lorenz_from_counts(counts), top_pct / 100.0)
        rows.append({"period": months[end], "area_code": LONDON, "value": share * 100.0})
    return pd.DataFrame(rows, columns=COLUMNS)


def ward_to_borough(engine: Engine) -> dict[str, str]:
    with engine.connect() as conn:
        return dict(conn.execute(select(Ward.code, Ward.borough_code)).all())


@functools.lru_cache(maxsize=16)
def _computed(data_dir: str, method: str, mapping: tuple[tuple[str, str], ...]) -> pd.DataFrame:
    series = load_monthly(Path(data_dir))
    name, _, arg = method.partition(":")
    if name == "crime_rolling12":
        return rolling_counts(series, arg, dict(mapping))
    if name == "concentration":
        category, _, pct = arg.partition(":")
        return rolling_concentration(series, category, float(pct or 10))
    raise KeyError(f"unknown computed method {method!r}")


def computed_values(engine: Engine, method: str, data_dir: Path | None = None) -> pd.DataFrame:
    """Values of a computed indicator (cached per data directory, method and ward map)."""
    data_dir = data_dir or get_settings().bundled_data_dir
    mapping = tuple(sorted(ward_to_borough(engine).items()))
    return _computed(str(Path(data_dir).resolve()), method, mapping).copy()
