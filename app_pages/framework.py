"""Director's overview: aims and objectives with their rating, latest vs baseline and target, money and awards."""

import datetime as dt

import pandas as pd
import streamlit as st

from ui.cached import overview
from ui.charts import chart
from ui.text import plain
from ui.widgets import badge, examples_banner, priority_area_money_table
from vru_core.framework import rag
from vru_core.framework.cards import headline_indicator, indicators_table, rating_counts
from vru_core.framework.charts import trend_chart, trend_description, trend_table
from vru_core.framework.indicators import format_value, short_money, values_export
from vru_core.framework.register_indicators import priority_area_table
from vru_core.framework.summary import summary_html
from vru_core.platform.csvsafe import safe_csv

ov = overview()

st.title("Performance against the strategy")
st.caption(
    "The strategy's three aims and eight objectives, each rated from its indicators by one explicit rule. "
    "Open an objective for its indicator charts, borough breakdown and the awards that fund it."
)
examples_banner()
with st.expander("How the ratings work"):
    st.markdown(rag.describe(ov.thresholds))


st.subheader("Aims")
for col, (_, aim) in zip(st.columns(len(ov.aims)), ov.aims.iterrows(), strict=True):
    with col.container(border=True):
        st.markdown(f"**Aim {aim['number']}: {plain(aim['title'])}**")
        badge(aim["status"])
        st.caption(rating_counts(aim))


st.subheader("Objectives")
rows = [ov.objectives.iloc[i : i + 4] for i in range(0, len(ov.objectives), 4)]
for chunk in rows:
    for col, (_, obj) in zip(st.columns(4), chunk.iterrows(), strict=False):
        with col.container(border=True, height="stretch"):
            n = int(obj["number"])
            st.markdown(f"**{n}. {plain(obj['title'])}**")
            badge(obj["status"])
            st.caption(rating_counts(obj))
            head = headline_indicator(ov, n)
            if head is None:
                st.caption("No indicator yet.")
            else:
                unit = head["unit"]
                st.markdown(
                    f"{plain(head['name'])}: **{format_value(head['latest'], unit)}**"
                    + (f" (to {plain(head['latest_period'])})" if isinstance(head["latest_period"], str) else "")
                    + f"  \nBaseline {format_value(head['baseline'], unit)}"
                    + f" · target {format_value(head['target'], unit)}"
                )
                if head["latest_period"] is not None and not pd.isna(head["latest_period"]):
                    a = ov.assessments[head["code"]]
                    chart(
                        trend_chart(a, unit, height=70, small=True),
                        description=trend_description(a, unit, head["name"]),
                        table=trend_table(a, unit),
                        key=f"spark_{n}",
                        show_description=False,  # the card says it in words just above
                    )
            c1, c2 = st.columns(2)
            c1.metric("Committed", short_money(obj["money"]), help=format_value(obj["money"], "gbp"))
            c2.metric("Active awards", int(obj["active_awards"]))
            st.page_link(
                "app_pages/objective.py",
                label=f"Open objective {n}",
                icon=":material/arrow_forward:",
                query_params={"objective": str(n)},
            )

st.subheader("How much of our money goes to the highest-need wards?")
share = ov.need
if share is None:
    st.info("No approved, active or completed awards in the register yet, so there is no money to follow.")
else:
    c1, c2, c3, c4 = st.columns(4)
    c1.metric(
        f"To the top {share.top_n} need wards",
        format_value(share.share, "percent"),
        help="Share of the committed money placed on wards that reaches the top 10% of wards by need.",
    )
    c2.metric("If spread evenly over wards", format_value(share.even_share * 100, "percent"))
    c3.metric("Money placed on wards", format_value(share.money_placed, "gbp"))
    c4.metric("London-wide (on no ward)", format_value(share.london_wide, "gbp"))
    st.caption(
        f"Committed money only (approved, active, completed). The top {share.top_n} wards are the top 10% by need "
        "score under the default scoring profile. Ward awards count on their wards (by the split given, otherwise "
        "equally); borough awards are spread over the borough's wards by population. The Funding vs need page "
        "has the map, other profiles and other cut-offs."
    )
    st.page_link("app_pages/funding_vs_need.py", label="Funding vs need", icon=":material/arrow_forward:")

st.subheader("Money by priority area")
areas = priority_area_table(ov.register)
if areas.empty:
    st.caption("No awards yet.")
else:
    priority_area_money_table(areas, key="priority_area_table")

st.subheader("All indicators")
table = indicators_table(ov)
st.dataframe(table, hide_index=True, width="stretch", key="indicators_table")

st.subheader("Exports")
c1, c2 = st.columns(2)
c1.download_button(
    "Indicator values (CSV)",
    safe_csv(values_export(ov)),
    file_name="vru_indicator_values.csv",
    mime="text/csv",
    key="download_values",
    icon=":material/download:",
)
c2.download_button(
    "One-page summary for the board (HTML, print to PDF)",
    summary_html(ov, dt.date.today()).encode("utf-8"),
    file_name=f"vru_performance_summary_{dt.date.today():%Y%m%d}.html",
    mime="text/html",
    key="download_summary",
    icon=":material/print:",
)
