"""Sensitivity's second half: the score rerun with slightly different weights, and each ward's range of ranks."""

from __future__ import annotations

from collections.abc import Sequence

import altair as alt
import streamlit as st

from ui.charts import chart
from vru_core.needs.measures import MeasureFrame
from vru_core.needs.profile import Profile
from vru_core.needs.sensitivity import sensitivity


def _tip(name: str, label: str, fmt: str | None = None) -> alt.Tooltip:
    return alt.Tooltip(f"{name}:Q", title=label, format=fmt) if fmt else alt.Tooltip(f"{name}:N", title=label)


def robustness(frame: MeasureFrame, profile: Profile, thresholds: Sequence[float], top_n: int) -> None:
    """Robust priority wards across the thresholds and jittered weights, a rank-range chart, every ward."""
    st.subheader("Robust to slightly different weights?")
    st.caption(
        "Reruns the score at each threshold above and, for each, 20 small random changes to the profile's weights. "
        "Wards that stay in the top N in most scenarios are robust priorities."
    )
    c1, c2 = st.columns(2)
    min_share = c1.slider("Robust if in the top N in at least", 50, 100, 80, step=5, format="%d%%", key="sens_share")
    jitter = c2.slider("Weight change (±%)", 0, 100, 50, step=10, key="sens_jitter")
    with st.spinner("Rerunning the score across scenarios…"):
        result = sensitivity(
            frame,
            profile,
            thresholds=sorted(thresholds),
            weight_jitter=jitter / 100,
            top_n=top_n,
            min_share=min_share / 100,
        )
    table = result.table
    robust = table[table["robust"]]
    st.metric(
        "Robust priority wards",
        f"{len(robust)}",
        help=f"In the top {top_n} in at least {min_share}% of {len(result.scenarios)} scenarios",
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
            f"In top {top_n}", min_value=0.0, max_value=1.0, format="percent"
        ),
    }
    st.dataframe(robust[columns], hide_index=True, column_config=config, width="stretch", key="sens_robust")

    ever = table[table["share_in_top_n"] > 0].head(80)
    y = alt.Y("ward_name:N", sort=alt.EncodingSortField("median_rank"), title=None)
    ranges = (
        alt.Chart(ever)
        .mark_rule(strokeWidth=3, color="#bbb")
        .encode(y=y, x=alt.X("best_rank:Q", title="Rank (1 = highest need)"), x2="worst_rank:Q")
    )
    now = (
        alt.Chart(ever)
        .mark_point(filled=True, color="#9e1b32")
        .encode(
            y=y,
            x="base_rank:Q",
            tooltip=[
                _tip("ward_name", "Ward"),
                _tip("borough_name", "Borough"),
                _tip("base_rank", "Rank now", "d"),
                _tip("best_rank", "Best rank", "d"),
                _tip("worst_rank", "Worst rank", "d"),
                _tip("share_in_top_n", f"In top {top_n}", ".0%"),
            ],
        )
    )
    chart(
        (ranges + now).properties(height=max(240, 14 * len(ever))),
        description=f"Rank ranges of the {len(ever)} wards ever in the top {top_n}: each line runs from the "
        "ward's best to its worst rank across the scenarios tried, the dot is its rank under the profile.",
        table=ever[["ward_name", "borough_name", "base_rank", "best_rank", "worst_rank", "share_in_top_n"]],
        column_config=config,
        key="sens_ranges",
    )
    with st.expander("All wards"):
        st.dataframe(table[columns], hide_index=True, column_config=config, width="stretch", key="sens_all")
