"""The impact chart (Altair), its description in words and the same figures as a table."""

from __future__ import annotations

import altair as alt
import pandas as pd

from vru_core.impact.panel import OUTCOMES

FUNDED = "Funded wards"
SYNTHETIC = "Synthetic comparison"
BAND = "90% range with no effect"
Y_TITLE = "Offences a month per 1,000 residents"


def chart_table(series: pd.DataFrame) -> pd.DataFrame:
    """The chart's figures as a readable table: one row per month (or month since the start)."""
    if "month" in series.columns:
        first = pd.to_datetime(series["month"]).dt.strftime("%b %Y").rename("Month")
    else:
        first = series["months_since_start"].rename("Months since start")
    return pd.DataFrame(
        {
            first.name: first,
            FUNDED: series["funded"].round(3),
            SYNTHETIC: series["synthetic"].round(3),
            "Range low": series["band_low"].round(3),
            "Range high": series["band_high"].round(3),
        }
    )


def impact_chart(series: pd.DataFrame, outcome: str, *, height: int = 320) -> alt.LayerChart:
    """Funded wards against their synthetic comparison, the start marked, the no-effect range shaded."""
    by_month = "month" in series.columns
    if by_month:
        x_field, x_type, x_title, start_value = "month", "temporal", None, None
        data = series.assign(month=pd.to_datetime(series["month"]))
        start_value = data.loc[data["period"] == "after", "month"].min()
    else:
        x_field, x_type, x_title = "months_since_start", "quantitative", "Months since each award's start"
        data = series.copy()
        start_value = 0
    axis = alt.Axis(format="%b %Y") if by_month else alt.Axis(tickMinStep=1)
    x = alt.X(f"{x_field}:{x_type[0].upper()}", title=x_title, axis=axis)
    long = data.melt(id_vars=[x_field], value_vars=["funded", "synthetic"], var_name="series", value_name="rate")
    long["series"] = long["series"].map({"funded": FUNDED, "synthetic": SYNTHETIC})
    colour = alt.Color(
        "series:N",
        title=None,
        scale=alt.Scale(domain=[FUNDED, SYNTHETIC], range=["#b2182b", "#2c5f8a"]),
        legend=alt.Legend(orient="bottom"),
    )
    tip_x = alt.Tooltip(f"{x_field}:{x_type[0].upper()}", title="Month" if by_month else "Months since start")
    if by_month:
        tip_x = alt.Tooltip("month:T", title="Month", format="%b %Y")
    lines = (
        alt.Chart(long)
        .mark_line(point=alt.OverlayMarkDef(size=18))
        .encode(
            x=x,
            y=alt.Y("rate:Q", title=Y_TITLE, scale=alt.Scale(zero=False)),
            color=colour,
            strokeDash=alt.StrokeDash(
                "series:N", scale=alt.Scale(domain=[FUNDED, SYNTHETIC], range=[[1, 0], [6, 3]]), legend=None
            ),
            tooltip=[tip_x, alt.Tooltip("series:N", title="Series"), alt.Tooltip("rate:Q", title="Rate", format=".3f")],
        )
    )
    band = (
        alt.Chart(data.dropna(subset=["band_low"]).assign(band=BAND))
        .mark_area(opacity=0.18, color="#2c5f8a")
        .encode(
            x=x,
            y="band_low:Q",
            y2="band_high:Q",
            tooltip=[
                tip_x,
                alt.Tooltip("band_low:Q", title="Range low", format=".3f"),
                alt.Tooltip("band_high:Q", title="Range high", format=".3f"),
            ],
        )
    )
    start = pd.DataFrame({x_field: [start_value], "label": ["Start"]})
    rule = alt.Chart(start).mark_rule(strokeDash=[4, 4], color="#444").encode(x=x)
    text = (
        alt.Chart(start).mark_text(align="left", dx=4, dy=-6, color="#444").encode(x=x, y=alt.value(8), text="label:N")
    )
    return (
        alt.layer(band, lines, rule, text)
        .properties(
            height=height,
            title=alt.TitleParams(f"{OUTCOMES[outcome]}: funded wards and their synthetic comparison", anchor="start"),
            padding={"left": 5, "top": 24, "right": 5, "bottom": 5},  # room for the title above the plot
        )
        .configure_legend(labelLimit=260)
    )


def describe(result, outcome: str) -> str:
    """The chart in words, for screen readers and for anyone reading the page without the chart."""
    series = result.series
    after = series[series["band_low"].notna()]
    if "period" in series.columns:
        before = series[series["period"] == "before"]
    else:
        before = series[series["months_since_start"] < 0]
    funded_after, synth_after = after["funded"].mean(), after["synthetic"].mean()
    direction = "below" if result.effect_pct < 0 else "above"
    return (
        f"{OUTCOMES[outcome]} per 1,000 residents a month in the funded wards, against a synthetic comparison "
        f"built from {len(result.donor_wards)} unfunded wards. Before the start the two lines average "
        f"{before['funded'].mean():.3f} and {before['synthetic'].mean():.3f}; after it, {funded_after:.3f} and "
        f"{synth_after:.3f}: the funded wards are {abs(result.effect_pct):.1f}% {direction} the comparison "
        f"(90% interval {result.ci_low_pct:+.1f}% to {result.ci_high_pct:+.1f}%, p = {result.p_value:.2f}). The shaded "
        "range is where the funded wards' line would be expected to lie 90% of the time if the funding had no effect."
    )
