"""How concentrated offences are across wards (the "52% of homicides in 12% of wards" question).

The curve is a concentration (Lorenz-type) curve with wards sorted from most to least offences, so
it lies on or above the diagonal. All MPS wards count, zero-offence wards included (679 with the
bundled data); City of London wards are not in the MPS data and are not part of the curve.

Small numbers: about 100 homicides a year fall across 679 wards, so in a single year at most about
15% of wards can have any homicide at all and the curve is mechanically steep. The strategy's
figure used three years; pass ``months="all"`` to use the whole series (33 months here).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from vru_core.needs.crime import MonthlySeries, Window, window_months


def lorenz_from_counts(counts: pd.Series | Sequence[float]) -> pd.DataFrame:
    """Concentration curve from per-ward counts (index = ward codes when a Series).

    Columns: n_wards (0..N), ward_code (missing on the first row), count, ward_share, offence_share.
    The first row is (0, 0); the last is (1, 1). Raises ValueError when there are no offences.
    """
    s = pd.Series(counts, dtype="float64") if not isinstance(counts, pd.Series) else counts.astype("float64")
    if len(s) == 0:
        raise ValueError("no wards")
    if s.isna().any() or (s < 0).any():
        raise ValueError("counts must be non-negative and not missing")
    total = float(s.sum())
    if total <= 0:
        raise ValueError("no offences in the window: the curve is undefined")
    order = np.lexsort((s.index.astype("str").to_numpy(), -s.to_numpy()))  # most first, ties by code
    vals = s.to_numpy()[order]
    codes = s.index.astype("str").to_numpy()[order]
    n = len(vals)
    return pd.DataFrame(
        {
            "n_wards": np.arange(n + 1, dtype="int64"),
            "ward_code": np.concatenate([[None], codes.astype(object)]),
            "count": np.concatenate([[0.0], vals]),
            "ward_share": np.arange(n + 1, dtype="float64") / n,
            "offence_share": np.concatenate([[0.0], np.cumsum(vals) / total]),
        }
    )


def lorenz(
    series: MonthlySeries,
    category: str = "homicide",
    months: Window | Sequence[str] | str | None = None,
) -> pd.DataFrame:
    """Concentration curve of ``category`` over ``months`` (None = latest 12, "all" = whole series).

    Wards sorted from most to least offences; cumulative share of wards vs cumulative share of
    offences, starting at (0, 0). See :func:`lorenz_from_counts` for the columns. The window used
    is in ``curve.attrs["months"]``.
    """
    mths = window_months(series, months)
    counts = series.window_counts(category, mths)
    curve = lorenz_from_counts(counts)
    curve.attrs.update(category=category, months=mths, total=int(counts.sum()), n_wards=len(counts))
    return curve


def share_in_top_wards(curve: pd.DataFrame, ward_share: float) -> float:
    """Share of offences in the top ``ward_share`` of wards (0..1), e.g. 0.12 -> share in top 12%.

    Linear interpolation between wards, so a fractional ward counts pro rata.
    """
    if not 0.0 <= ward_share <= 1.0:
        raise ValueError("ward_share must be between 0 and 1")
    return float(np.interp(ward_share, curve["ward_share"].to_numpy(), curve["offence_share"].to_numpy()))


def ward_share_for_offence_share(curve: pd.DataFrame, offence_share: float) -> float:
    """Smallest share of wards (0..1) that together hold ``offence_share`` of offences.

    The inverse of :func:`share_in_top_wards` (same linear interpolation), e.g. 0.52 -> the share
    of wards holding 52% of homicides.
    """
    if not 0.0 <= offence_share <= 1.0:
        raise ValueError("offence_share must be between 0 and 1")
    ws = curve["ward_share"].to_numpy()
    os_ = curve["offence_share"].to_numpy()
    if offence_share <= 0.0:
        return 0.0
    i = int(np.searchsorted(os_, offence_share - 1e-12, side="left"))
    i = min(max(i, 1), len(os_) - 1)
    lo_o, hi_o = os_[i - 1], os_[i]
    if hi_o <= lo_o:
        return float(ws[i])
    frac = (offence_share - lo_o) / (hi_o - lo_o)
    return float(ws[i - 1] + min(max(frac, 0.0), 1.0) * (ws[i] - ws[i - 1]))


def wards_for_offence_share(curve: pd.DataFrame, offence_share: float) -> int:
    """Whole number of wards (the busiest first) needed to reach ``offence_share`` of offences."""
    if not 0.0 <= offence_share <= 1.0:
        raise ValueError("offence_share must be between 0 and 1")
    os_ = curve["offence_share"].to_numpy()
    return int(curve["n_wards"].to_numpy()[int(np.searchsorted(os_, offence_share - 1e-12, side="left"))])


def gini(curve: pd.DataFrame) -> float:
    """Gini coefficient of the per-ward counts: 0 = spread evenly, (N-1)/N = all in one ward.

    Computed as 2 * (area under the curve) - 1 with the trapezium rule (the curve lies above the
    diagonal because wards are sorted from most to least).
    """
    x = curve["ward_share"].to_numpy()
    y = curve["offence_share"].to_numpy()
    area = float(np.sum((x[1:] - x[:-1]) * (y[1:] + y[:-1]) / 2.0))
    return 2.0 * area - 1.0
