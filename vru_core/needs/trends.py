"""Monthly trends and rising/falling wards, on top of :mod:`vru_core.needs.crime`.

The VRU delivery model invests where violence is rising and learns from where it is falling;
:func:`rising_falling` lists wards by the change between the previous and the latest 12 months.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from vru_core.needs.crime import CATEGORIES, MonthlySeries, comparison_windows


def _check_category(series: MonthlySeries, category: str) -> None:
    if category not in series.categories:
        raise KeyError(f"category {category!r} not loaded; have {list(series.categories)}")


def ward_monthly(series: MonthlySeries, ward_code: str, categories: Sequence[str] = ("vwi",)) -> pd.DataFrame:
    """One ward's monthly counts, long: month ("YYYY-MM"), category (code), category_label, count.

    Ready for an Altair line chart (x=month, y=count, color=category_label).
    """
    if ward_code not in series.ward_codes:
        raise KeyError(f"ward {ward_code!r} is not in the MPS crime data")
    if isinstance(categories, str):
        categories = (categories,)
    frames = []
    for cat in categories:
        _check_category(series, cat)
        row = series.matrix(cat).loc[ward_code]
        frames.append(
            pd.DataFrame(
                {
                    "month": list(series.months),
                    "category": cat,
                    "category_label": CATEGORIES[cat].label,
                    "count": row.to_numpy(dtype="int64"),
                }
            )
        )
    if not frames:
        return pd.DataFrame({"month": [], "category": [], "category_label": [], "count": []}).astype({"count": "int64"})
    return pd.concat(frames, ignore_index=True)


def london_monthly(series: MonthlySeries, category: str) -> pd.DataFrame:
    """London (MPS area) monthly totals: month, count."""
    _check_category(series, category)
    totals = series.matrix(category).sum(axis=0)
    return pd.DataFrame({"month": list(series.months), "count": totals.to_numpy(dtype="int64")})


def borough_monthly(series: MonthlySeries, category: str, ward_to_borough: Mapping[str, str]) -> pd.DataFrame:
    """Monthly totals by borough, long: borough, month, count.

    ward_to_borough maps ward_code -> borough (name or code, whatever the caller wants shown); use
    the ONS ward file so Heathrow Villages counts in Hillingdon rather than the MPS's "Aviation
    Security (SO18)". Wards missing from the mapping are left out.
    """
    _check_category(series, category)
    mat = series.matrix(category)
    borough = pd.Series(mat.index.map(lambda w: ward_to_borough.get(w)), index=mat.index, dtype="object")
    keep = borough.notna().to_numpy()
    grouped = mat.loc[keep].groupby(borough[keep].astype("str").to_numpy()).sum()
    grouped.index.name = "borough"
    out = grouped.reset_index().melt(id_vars="borough", var_name="month", value_name="count")
    out["count"] = out["count"].astype("int64")
    return out.sort_values(["borough", "month"], ignore_index=True)


def rising_falling(
    series: MonthlySeries,
    category: str = "vwi",
    min_count: int = 20,
    wards: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Change per ward between the previous 12 months and the latest 12 months.

    Minimum-count rule: a ward is *eligible* for the rising/falling lists only if
    ``previous_12 + latest_12 >= 2 * min_count``, i.e. it averages at least ``min_count`` offences
    a year over the two years (default 20). Below that, percentage changes are mostly noise and
    tiny wards would dominate the lists. Ineligible wards stay in the table, flagged.

    Columns: ward_code, latest_12, previous_12, change (latest - previous, count), pct_change
    (change / previous_12 * 100; NaN when previous_12 is 0), z (change / sqrt(latest + previous),
    an approximate Poisson test: |z| >= 2 suggests more than ordinary year-to-year variation;
    NaN when both are 0), eligible (bool); plus the columns of ``wards`` (e.g. ward_name,
    borough_name) when given, joined on its index or its ward_code column.
    Sorted: eligible wards first, then by pct_change descending (biggest rises first), then by
    change descending.
    """
    _check_category(series, category)
    if min_count < 0:
        raise ValueError("min_count must be >= 0")
    prev_w, latest_w = comparison_windows(series)
    latest = series.window_counts(category, latest_w.months).to_numpy(dtype="int64")
    prev = series.window_counts(category, prev_w.months).to_numpy(dtype="int64")
    change = latest - prev
    with np.errstate(divide="ignore", invalid="ignore"):
        pct = np.where(prev > 0, change / np.where(prev > 0, prev, 1) * 100.0, np.nan)
        both = latest + prev
        z = np.where(both > 0, change / np.sqrt(np.where(both > 0, both, 1)), np.nan)
    df = pd.DataFrame(
        {
            "ward_code": series.ward_codes.to_numpy(dtype="object"),
            "latest_12": latest,
            "previous_12": prev,
            "change": change,
            "pct_change": pct.astype("float64"),
            "z": z.astype("float64"),
            "eligible": (latest + prev) >= 2 * min_count,
        }
    ).astype({"ward_code": "str"})
    if wards is not None:
        w = wards.set_index("ward_code") if "ward_code" in wards.columns else wards
        w = w[[c for c in w.columns if c not in df.columns]]
        df = df.join(w, on="ward_code")
    df = df.sort_values(
        ["eligible", "pct_change", "change", "ward_code"],
        ascending=[False, False, False, True],
        na_position="last",
        ignore_index=True,
    )
    df.attrs.update(
        category=category,
        min_count=min_count,
        latest_period=latest_w.period,
        previous_period=prev_w.period,
        rule=f"eligible if previous 12 + latest 12 months >= {2 * min_count} offences",
    )
    return df


def _ranked(df: pd.DataFrame, n: int, by: str, rising: bool) -> pd.DataFrame:
    if by not in ("pct_change", "change", "z"):
        raise ValueError("by must be 'pct_change', 'change' or 'z'")
    sel = df[df["eligible"] & ((df["change"] > 0) if rising else (df["change"] < 0))]
    sel = sel.sort_values([by, "change", "ward_code"], ascending=[not rising, not rising, True], na_position="last")
    return sel.head(n).reset_index(drop=True)


def top_rising(df: pd.DataFrame, n: int = 10, by: str = "pct_change") -> pd.DataFrame:
    """The ``n`` eligible wards with the largest rises (change > 0), ranked by ``by``."""
    return _ranked(df, n, by, rising=True)


def top_falling(df: pd.DataFrame, n: int = 10, by: str = "pct_change") -> pd.DataFrame:
    """The ``n`` eligible wards with the largest falls (change < 0), most negative ``by`` first."""
    return _ranked(df, n, by, rising=False)


def monthly_table(monthly: pd.DataFrame) -> pd.DataFrame:
    """The monthly chart's figures as a table: one row a month, one column an offence."""
    if not len(monthly):
        return pd.DataFrame({"Month": []})
    wide = monthly.pivot_table(index="month", columns="category_label", values="count", aggfunc="sum", sort=False)
    wide = wide.sort_index().reset_index()
    wide["month"] = pd.to_datetime(wide["month"]).dt.strftime("%b %Y")
    return wide.rename(columns={"month": "Month"}).rename_axis(columns=None)


# One colour per offence on every chart and page (each at least 3:1 against white).
CATEGORY_COLOURS = {
    "vwi": "#9e1b32",
    "robbery_personal": "#0b5394",
    "weapons": "#c45100",
    "sexual": "#7b3294",
    "drug_trafficking": "#1b7f3b",
    "public_order": "#8a6d00",
    "homicide": "#0b0c0c",
    "vap": "#3d6fa8",
    "burglary": "#6b6b6b",
}


def monthly_chart(monthly: pd.DataFrame, *, height: int, title: str | None = None):
    """The monthly offences line chart (Altair) for rows from :func:`ward_monthly`: one look everywhere,
    each offence in its own colour whatever else is drawn beside it."""
    import altair as alt

    shown = list(dict.fromkeys(monthly["category"])) if len(monthly) else []
    scale = alt.Scale(
        domain=[CATEGORIES[c].label for c in shown], range=[CATEGORY_COLOURS.get(c, "#6b6b6b") for c in shown]
    )
    chart = (
        alt.Chart(monthly)
        .mark_line(point=True)
        .encode(
            x=alt.X("month:T", title=None, axis=alt.Axis(format="%b %Y")),
            y=alt.Y("count:Q", title="Offences a month"),
            color=alt.Color(
                "category_label:N", title=None, scale=scale, legend=alt.Legend(orient="bottom", labelLimit=0)
            ),
            tooltip=[
                alt.Tooltip("category_label", title="Offence"),
                alt.Tooltip("month:T", title="Month", format="%b %Y"),
                alt.Tooltip("count:Q", title="Offences", format=",d"),
            ],
        )
        .properties(height=height)
    )
    return chart.properties(title=title) if title else chart
