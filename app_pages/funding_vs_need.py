"""Funding against need: how much of the committed money reaches the highest-need wards, and where it does not."""

import altair as alt
import pandas as pd
import streamlit as st

from ui.cached import labels, map_features, measure_frame, register_data
from ui.charts import chart as chart_with_table
from ui.charts import half_width, map_legend
from ui.session import engine
from ui.widgets import examples_banner
from vru_core.needs.maps import choropleth_deck
from vru_core.needs.profiles import get_profile, list_profiles
from vru_core.register import funding_need

st.title("Funding vs need")
n_examples = examples_banner()
store, names = engine(), labels()
c1, c2, c3 = st.columns([2, 1, 1])
profile_name = c1.selectbox(
    "Need scores under profile",
    ["", *list_profiles(store)["name"]],
    format_func=lambda p: p or "Default profile",
    key="fvn_profile",
)
top_n = c2.slider("Top N need wards", 10, 200, 50, step=10, key="fvn_top")
include_examples = c3.toggle("Include EXAMPLE awards", value=bool(n_examples), key="fvn_examples")

profile = get_profile(store, profile_name) if profile_name else None
result = funding_need.for_profile(register_data(), measure_frame(), profile, top_n, include_examples=include_examples)
joined = result.joined

m1, m2, m3, m4 = st.columns(4)
m1.metric(
    f"Share to the top {top_n} wards",
    f"{result.share:.0%}",
    help=f"Share of the money placed on wards that goes to the {top_n} wards of highest need",
)
m2.metric("If spread evenly over wards", f"{result.even_share:.0%}")
m3.metric("Money placed on wards", f"£{result.money_placed:,.0f}")
m4.metric("London-wide (not on any ward)", f"£{result.london_wide:,.0f}")
st.caption(
    "Committed money only (approved, active, completed). Ward awards count on their wards (by the split given, "
    "otherwise equally); borough awards are spread over the borough's wards by population; London-wide awards "
    "are shown separately."
)

features = map_features()
left, right = st.columns(2)
with left:
    st.subheader("£ per head, by ward")
    st.pydeck_chart(
        half_width(
            choropleth_deck(
                features,
                joined["per_head"],
                label="£ per head",
                details=joined["total"].map(lambda v: f"£{v:,.0f} in total"),
                fmt="£{:,.2f}",
            )
        ),
        height=400,
        key="fvn_money_map",
    )
    map_legend("£ per head", float(joined["per_head"].max() or 0), fmt="£{:,.2f}")
with right:
    st.subheader("Need score, by ward")
    st.pydeck_chart(
        half_width(
            choropleth_deck(
                features, joined["score"], label="Need score", details=joined["rank"].map(lambda r: f"rank {r}")
            )
        ),
        height=400,
        key="fvn_need_map",
    )
    map_legend("Need score", float(joined["score"].max() or 0))

st.subheader(f"High-need wards with little or no funding (top {top_n} by need)")
per_head_below = st.number_input("Little means under £ per head", 0.0, 100.0, 1.0, step=0.5, key="fvn_per_head")
low = result.underfunded(per_head_below)
st.dataframe(
    low[["ward_name", "borough_name", "rank", "score", "total", "per_head"]],
    hide_index=True,
    width="stretch",
    column_config={
        "ward_name": "Ward",
        "borough_name": "Borough",
        "rank": "Need rank",
        "score": "Need score",
        "total": st.column_config.NumberColumn("Money placed", format="£%,.0f"),
        "per_head": st.column_config.NumberColumn("£ per head", format="£%.2f"),
    },
    key="fvn_low",
)

st.subheader("Where the money goes")
dimension_labels = {
    "objective": ("Objective", {k: f"{k}. {v}" for k, v in names["objectives"].items()}),
    "funding_stream": ("Funding stream", names["funding_streams"]),
    "priority_area": ("Priority area", {**names["priority_areas"], "none": "None"}),
    "borough": ("Borough", names["boroughs"]),
}
for tab, (dimension, (title, label_map)) in zip(
    st.tabs([t for t, _ in dimension_labels.values()]), dimension_labels.items(), strict=True
):
    with tab:
        totals = result.totals_by(dimension, label_map)
        chart = (
            alt.Chart(pd.DataFrame(totals))
            .mark_bar()
            .encode(
                x=alt.X("money:Q", title="£ committed"),
                y=alt.Y("label:N", sort="-x", title=title, axis=alt.Axis(labelLimit=360)),
                tooltip=[
                    alt.Tooltip("label:N", title=title),
                    alt.Tooltip("money:Q", title="£ committed", format=",.0f"),
                    alt.Tooltip("awards:Q", title="Awards"),
                ],
            )
            .properties(height=max(120, 22 * len(totals)))
        )
        top = totals.sort_values("money", ascending=False).head(1)
        chart_with_table(
            chart,
            description=f"Bar chart: money committed by {title.lower()}"
            + (f"; the most goes to {top['label'].iat[0]} (£{top['money'].iat[0]:,.0f})." if len(top) else "."),
            table=totals[["label", "money", "awards"]].rename(
                columns={"label": title, "money": "£ committed", "awards": "Awards"}
            ),
            column_config={"£ committed": st.column_config.NumberColumn(format="£%,.0f")},
            key=f"fvn_chart_{dimension}",
        )
