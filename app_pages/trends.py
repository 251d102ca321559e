"""Trends and concentration: where violence is rising or falling, and how concentrated it is."""

import altair as alt
import streamlit as st

from ui.cached import crime_series, measure_frame
from ui.charts import chart
from vru_core.needs import concentration, crime, trends

series = crime_series()
wards = measure_frame().wards
labels = {code: c.label for code, c in crime.CATEGORIES.items()}
previous, latest = crime.comparison_windows(series)

st.title("Trends and concentration")
st.caption(
    "MPS recorded crime by ward, "
    f"{crime.last_12_months(series, length=len(series.months)).span} (two MPS releases combined; see Measures "
    "and sources). The delivery model invests where violence is rising and learns from where it is falling."
)
tab_ward, tab_moves, tab_conc = st.tabs(["Ward trend", "Rising and falling wards", "Concentration"])

with tab_ward:
    policed = wards[wards["in_mps_data"]]
    names = (policed["ward_name"] + " (" + policed["borough_name"] + ")").sort_values().to_dict()
    ward = st.selectbox("Ward", list(names), format_func=names.get, key="trend_ward")
    chosen = st.multiselect(
        "Offences", list(labels), default=["vwi", "robbery_personal"], format_func=labels.get, key="trend_categories"
    )
    monthly = trends.ward_monthly(series, ward, categories=chosen)
    chart(
        trends.monthly_chart(monthly, height=320),
        description=f"Line chart of offences a month in {names[ward]}: "
        + (", ".join(labels[c] for c in chosen) or "no offence chosen")
        + ".",
        table=trends.monthly_table(monthly),
        key="trend_chart",
    )

with tab_moves:
    c1, c2 = st.columns(2)
    category = c1.selectbox("Offence", list(labels), format_func=labels.get, key="moves_category")
    min_count = c2.number_input(
        "Minimum offences a year (average of the two years)", min_value=1, value=20, step=5, key="moves_min_count"
    )
    moves = trends.rising_falling(
        series, category, min_count=int(min_count), wards=wards[["ward_name", "borough_name"]]
    )
    st.caption(f"{latest.span} against {previous.span}. {moves.attrs.get('rule', '')}")
    config = {
        "ward_name": "Ward",
        "borough_name": "Borough",
        "previous_12": st.column_config.NumberColumn(f"{previous.span}", format="%d"),
        "latest_12": st.column_config.NumberColumn(f"{latest.span}", format="%d"),
        "change": st.column_config.NumberColumn("Change", format="%+d"),
        "pct_change": st.column_config.NumberColumn("Change %", format="%+.0f%%"),
        "z": st.column_config.NumberColumn(
            "z", format="%.1f", help="change ÷ √(sum of both years): |z| ≥ 2 suggests more than year-to-year noise"
        ),
    }
    columns = ["ward_name", "borough_name", "previous_12", "latest_12", "change", "pct_change", "z"]
    left, right = st.columns(2)
    left.markdown("**Rising most**")
    left.dataframe(trends.top_rising(moves, 15)[columns], hide_index=True, column_config=config, width="stretch")
    right.markdown("**Falling most**")
    right.dataframe(trends.top_falling(moves, 15)[columns], hide_index=True, column_config=config, width="stretch")

with tab_conc:
    c1, c2 = st.columns(2)
    conc_category = c1.selectbox(
        "Offence", list(labels), index=list(labels).index("homicide"), format_func=labels.get, key="conc_category"
    )
    window = c2.radio(
        "Period",
        ["all", "latest"],
        key="conc_window",
        horizontal=True,
        format_func={
            "all": f"Whole series ({len(series.months)} months)",
            "latest": f"Latest 12 months ({latest.span})",
        }.get,
    )
    curve = concentration.lorenz(series, conc_category, months="all" if window == "all" else None)
    in_top_12 = concentration.share_in_top_wards(curve, 0.12)
    for_half = concentration.ward_share_for_offence_share(curve, 0.52)
    m1, m2, m3 = st.columns(3)
    m1.metric("Offences in the top 12% of wards", f"{in_top_12:.0%}")
    m2.metric("Share of wards holding 52% of offences", f"{for_half:.1%}")
    m3.metric("Gini coefficient", f"{concentration.gini(curve):.2f}", help="0 = spread evenly, 1 = all in one ward")
    st.caption(
        f"{curve.attrs['total']:,} offences across {curve.attrs['n_wards']} MPS wards. The strategy cites "
        "52% of homicides in 12% of wards (three years to 2019). Small counts (homicide) concentrate "
        "mechanically: few wards can have any in one year, so prefer the whole series."
    )
    equality = alt.Chart(curve).mark_line(strokeDash=[4, 4], color="grey").encode(x="ward_share:Q", y="ward_share:Q")
    lorenz_line = (
        alt.Chart(curve)
        .mark_line(color="#9e1b32")
        .encode(
            x=alt.X("ward_share:Q", title="Share of wards (most affected first)", axis=alt.Axis(format="%")),
            y=alt.Y("offence_share:Q", title="Share of offences", axis=alt.Axis(format="%")),
            tooltip=[
                alt.Tooltip("ward_share:Q", title="Share of wards", format=".1%"),
                alt.Tooltip("offence_share:Q", title="Share of offences", format=".1%"),
                alt.Tooltip("n_wards:Q", title="Wards"),
            ],
        )
    )
    chart(
        (equality + lorenz_line).properties(height=380),
        description=f"Concentration curve: the top 12% of wards hold {in_top_12:.0%} of offences; the dashed "
        "line is an even spread.",
        table=curve[["ward_share", "offence_share", "n_wards"]].rename(
            columns={"ward_share": "Share of wards", "offence_share": "Share of offences", "n_wards": "Wards"}
        ),
        column_config={
            "Share of wards": st.column_config.NumberColumn(format="percent"),
            "Share of offences": st.column_config.NumberColumn(format="percent"),
        },
        key="lorenz_chart",
    )
