"""Altair charts for the framework pages: an indicator's trend with its baseline and target as rules."""

from __future__ import annotations

import altair as alt
import pandas as pd

from vru_core.framework.indicators import Assessment

UNIT_TITLES = {"count": "Count", "percent": "Percent", "gbp": "GBP", "people": "People"}
_FORMAT = {"count": ",.0f", "percent": ".1f", "gbp": ",.0f", "people": ",.0f"}


def _month_label(period: str) -> str:
    try:
        return pd.Period(period, freq="M").strftime("%b %Y")
    except ValueError:
        return period


def trend_chart(a: Assessment, unit: str, title: str = "", height: int = 220, small: bool = False) -> alt.LayerChart:
    """London values over time (tooltip: period and value), baseline and target as labelled rules."""
    london = a.values[a.values["area_code"] == "london"].sort_values("period")
    data = pd.DataFrame(
        {
            "period": london["period"].astype("str"),
            "period_label": [_month_label(p) for p in london["period"]],
            "value": london["value"].astype("float64"),
        }
    )
    fmt = _FORMAT.get(unit, ",.2f")
    y_title = UNIT_TITLES.get(unit, unit)
    x = alt.X("period:O", title=None, axis=None if small else alt.Axis(labelAngle=-45))
    base = alt.Chart(data)
    line = base.mark_line(point=alt.OverlayMarkDef(size=20 if small else 40)).encode(
        x=x,
        y=alt.Y(
            "value:Q",
            title=None if small else y_title,
            scale=alt.Scale(zero=False),
            axis=None if small else alt.Axis(format=fmt),  # never "112.000000"
        ),
        tooltip=[
            alt.Tooltip("period_label:N", title="Period to"),
            alt.Tooltip("value:Q", title=y_title, format=fmt),
        ],
    )
    rules = pd.DataFrame(
        [
            {"line": "Baseline", "value": a.baseline, "label": f"Baseline ({_month_label(a.baseline_period or '')})"},
            {"line": "Target", "value": a.target, "label": f"Target ({_month_label(a.target_period or '')})"},
        ]
    ).dropna(subset=["value"])
    layers: list[alt.Chart] = [line]
    if len(rules):
        rule = (
            alt.Chart(rules)
            .mark_rule(strokeDash=[6, 4], strokeWidth=1.5)
            .encode(
                y="value:Q",
                color=alt.Color(
                    "line:N",
                    scale=alt.Scale(domain=["Baseline", "Target"], range=["#6b6b6b", "#1b7f3b"]),
                    legend=None if small else alt.Legend(title=None, orient="bottom"),
                ),
                tooltip=[alt.Tooltip("label:N", title="Line"), alt.Tooltip("value:Q", title=y_title, format=fmt)],
            )
        )
        layers.append(rule)
    chart = alt.layer(*layers).properties(height=height)
    if title:
        chart = chart.properties(title=title)
    return chart


def borough_chart(values: pd.DataFrame, boroughs: dict[str, str], unit: str) -> tuple[alt.Chart, pd.DataFrame]:
    """Latest value per borough with the change on a year earlier, as a sorted bar chart and its table."""
    by = values[values["area_code"] != "london"]
    if by.empty:
        return alt.Chart(pd.DataFrame({"x": []})).mark_bar(), pd.DataFrame()
    latest_period = by["period"].max()
    periods = sorted(by["period"].unique())
    year_before = str(pd.Period(latest_period, freq="M") - 12)
    latest = by[by["period"] == latest_period].set_index("area_code")["value"]
    earlier = by[by["period"] == year_before].set_index("area_code")["value"] if year_before in periods else None
    table = pd.DataFrame({"borough_code": latest.index, "borough": [boroughs.get(c, c) for c in latest.index]})
    table["latest"] = latest.to_numpy()
    if earlier is not None:
        table["year_before"] = earlier.reindex(latest.index).to_numpy()
        table["change_pct"] = (table["latest"] / table["year_before"] - 1.0) * 100.0
    table = table.sort_values("latest", ascending=False, ignore_index=True)
    table.attrs.update(latest_period=latest_period, year_before=year_before if earlier is not None else None)
    tooltip = [
        alt.Tooltip("borough:N", title="Borough"),
        alt.Tooltip("latest:Q", title=f"12 months to {_month_label(latest_period)}", format=_FORMAT.get(unit, ",.2f")),
    ]
    if earlier is not None:
        tooltip.append(alt.Tooltip("change_pct:Q", title="Change on a year earlier (%)", format="+.1f"))
    chart = (
        alt.Chart(table)
        .mark_bar()
        .encode(
            y=alt.Y("borough:N", sort="-x", title=None, axis=alt.Axis(labelLimit=0)),
            x=alt.X(
                "latest:Q",
                title=f"12 months to {_month_label(latest_period)}",
                axis=alt.Axis(format=_FORMAT.get(unit, ",.2f")),
            ),
            color=alt.Color(
                "change_pct:Q", scale=alt.Scale(scheme="redyellowgreen", reverse=True, domainMid=0), title="Change %"
            )
            if earlier is not None
            else alt.value("#4c78a8"),
            tooltip=tooltip,
        )
        .properties(height=max(300, 16 * len(table)))
    )
    return chart, table


def trend_table(a: Assessment, unit: str) -> pd.DataFrame:
    """The trend chart's figures: London's value for each period, then the baseline and target."""
    london = a.values[a.values["area_code"] == "london"].sort_values("period")
    title = UNIT_TITLES.get(unit, unit)
    rows = [
        {"Period to": _month_label(str(p)), title: float(v)}
        for p, v in zip(london["period"], london["value"], strict=True)
    ]
    for line, value, period in (("Baseline", a.baseline, a.baseline_period), ("Target", a.target, a.target_period)):
        if value is not None:
            rows.append({"Period to": f"{line} ({_month_label(period or '')})", title: float(value)})
    return pd.DataFrame(rows, columns=["Period to", title])


def trend_description(a: Assessment, unit: str, name: str) -> str:
    """A sentence saying what the trend chart shows, for screen readers and under the chart."""
    fmt = _FORMAT.get(unit, ",.2f")
    london = a.values[a.values["area_code"] == "london"]
    if london.empty:
        return f"Line chart of {name}: no values yet."
    parts = [f"Line chart of {name} in London, {len(london)} values"]
    if a.latest is not None:
        parts.append(f"latest {format(a.latest, fmt)} (to {_month_label(a.latest_period or '')})")
    if a.baseline is not None:
        parts.append(f"baseline {format(a.baseline, fmt)}")
    if a.target is not None:
        parts.append(f"target {format(a.target, fmt)}")
    return ", ".join(parts) + "."
