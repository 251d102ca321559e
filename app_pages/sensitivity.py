"""Sensitivity: would the priority wards change under other thresholds or slightly different weights?"""

import altair as alt
import streamlit as st

from ui.cached import measure_frame
from ui.charts import chart
from vru_core.needs.scoring import Profile
from vru_core.needs.sensitivity import sensitivity

frame = measure_frame()
profile = st.session_state.get("profile") or Profile.from_query_params(st.query_params.to_dict(), frame.measures)

st.title("Sensitivity")
st.caption(
    "Reruns the need score under several thresholds and, for each, many small random changes to the weights "
    "of the current profile (from the Need scores page). Wards that stay in the top N in most scenarios are "
    "robust priorities; wards that only appear under one setting deserve a second look."
)
c1, c2, c3, c4 = st.columns(4)
top_n = c1.number_input("Top N", min_value=5, max_value=200, value=30, step=5, key="sens_top_n")
min_share = c2.slider("Robust if in the top N in at least", 50, 100, 80, step=5, format="%d%%", key="sens_share")
thresholds = c3.multiselect("Thresholds (%)", [5, 10, 15, 20, 25, 30], default=[5, 10, 15, 20], key="sens_thresholds")
jitter = c4.slider("Weight change (±%)", 0, 100, 50, step=10, key="sens_jitter")
if not thresholds:
    st.warning("Choose at least one threshold.")
    st.stop()

with st.spinner("Rerunning the score across scenarios…"):
    result = sensitivity(
        frame,
        profile,
        thresholds=tuple(sorted(thresholds)),
        weight_jitter=jitter / 100,
        top_n=int(top_n),
        min_share=min_share / 100,
    )
table = result.table
robust = table[table["robust"]]
st.metric(
    "Robust priority wards",
    f"{len(robust)}",
    help=f"In the top {int(top_n)} in at least {min_share}% of {len(result.scenarios)} scenarios",
)

columns = ["ward_name", "borough_name", "base_rank", "best_rank", "median_rank", "worst_rank", "share_in_top_n"]
config = {
    "ward_name": "Ward",
    "borough_name": "Borough",
    "base_rank": st.column_config.NumberColumn("Rank now", format="%d"),
    "best_rank": st.column_config.NumberColumn("Best rank", format="%d"),
    "median_rank": st.column_config.NumberColumn("Median rank", format="%d"),
    "worst_rank": st.column_config.NumberColumn("Worst rank", format="%d"),
    "share_in_top_n": st.column_config.ProgressColumn(
        f"In top {int(top_n)}", min_value=0.0, max_value=1.0, format="percent"
    ),
}
st.subheader("Robust priority wards")
st.dataframe(robust[columns], hide_index=True, column_config=config, width="stretch", key="sens_robust")

st.subheader(f"Rank ranges of the wards ever in the top {int(top_n)}")
ever = table[table["share_in_top_n"] > 0].head(80)
ranges = (
    alt.Chart(ever)
    .mark_rule(strokeWidth=3, color="#bbb")
    .encode(
        y=alt.Y("ward_name:N", sort=alt.EncodingSortField("median_rank"), title=None),
        x=alt.X("best_rank:Q", title="Rank (1 = highest need)"),
        x2="worst_rank:Q",
    )
)
now = (
    alt.Chart(ever)
    .mark_point(filled=True, color="#9e1b32")
    .encode(
        y=alt.Y("ward_name:N", sort=alt.EncodingSortField("median_rank")),
        x="base_rank:Q",
        tooltip=[
            "ward_name",
            "borough_name",
            "base_rank",
            "best_rank",
            "worst_rank",
            alt.Tooltip("share_in_top_n:Q", format=".0%"),
        ],
    )
)
chart(
    (ranges + now).properties(height=max(240, 14 * len(ever))),
    description=f"Rank ranges of the {len(ever)} wards ever in the top {int(top_n)}: each line runs from the "
    "ward's best to its worst rank across the thresholds tried, the dot is its rank today.",
    table=ever[["ward_name", "borough_name", "base_rank", "best_rank", "worst_rank", "share_in_top_n"]],
    column_config=config,
    key="sens_ranges",
)

with st.expander("All wards"):
    st.dataframe(table[columns], hide_index=True, column_config=config, width="stretch", key="sens_all")
