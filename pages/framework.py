"""Director's overview: aims and objectives with their rating, latest vs baseline and target, money and awards."""

import datetime as dt

import pandas as pd
import streamlit as st

from pages.framework_data import badge, need, overview
from vru_core.framework import rag
from vru_core.framework.charts import trend_chart
from vru_core.framework.indicators import KIND_LABELS, format_value, values_export
from vru_core.framework.summary import summary_html

ov = overview()
ind = ov.indicators

st.title("Performance against the strategy")
st.caption(
    "The strategy's three aims and eight objectives, each rated from its indicators by one explicit rule. "
    "Open an objective for its indicator charts, borough breakdown and the awards that fund it."
)
with st.expander("How the ratings work"):
    st.markdown(rag.describe(ov.thresholds))


def _counts(row) -> str:
    parts = [
        f"{row[f'n_{s.value}']} {s.label.lower()}"
        for s in rag.Rag
        if row[f"n_{s.value}"] and s is not rag.Rag.NOT_RATED
    ]
    unrated = row["n_not_rated"]
    if unrated:
        parts.append(f"{unrated} not yet rated")
    return " · ".join(parts) or "no indicators"


st.subheader("Aims")
for col, (_, aim) in zip(st.columns(len(ov.aims)), ov.aims.iterrows(), strict=True):
    with col.container(border=True):
        st.markdown(f"**Aim {aim['number']}: {aim['title']}**")
        badge(aim["status"])
        st.caption(_counts(aim))


def _primary(number: int) -> pd.Series | None:
    """The objective's headline indicator: its first rated one, else its first one."""
    mine = ind[ind["objective_number"] == number]
    if mine.empty:
        return None
    rated = mine[mine["status"] != rag.Rag.NOT_RATED.value]
    return (rated if len(rated) else mine).iloc[0]


st.subheader("Objectives")
rows = [ov.objectives.iloc[i : i + 4] for i in range(0, len(ov.objectives), 4)]
for chunk in rows:
    for col, (_, obj) in zip(st.columns(4), chunk.iterrows(), strict=False):
        with col.container(border=True, height="stretch"):
            n = int(obj["number"])
            st.markdown(f"**{n}. {obj['title']}**")
            badge(obj["status"])
            st.caption(_counts(obj))
            head = _primary(n)
            if head is None:
                st.caption("No indicator yet.")
            else:
                unit = head["unit"]
                st.markdown(
                    f"{head['name']}: **{format_value(head['latest'], unit)}**"
                    + (f" (to {head['latest_period']})" if isinstance(head["latest_period"], str) else "")
                    + f"  \nBaseline {format_value(head['baseline'], unit)}"
                    + f" · target {format_value(head['target'], unit)}"
                )
                if head["latest_period"] is not None and not pd.isna(head["latest_period"]):
                    st.altair_chart(
                        trend_chart(ov.assessments[head["code"]], unit, height=70, small=True),
                        width="stretch",
                        key=f"spark_{n}",
                    )
            c1, c2 = st.columns(2)
            c1.metric("Committed", format_value(obj["money"], "gbp"))
            c2.metric("Active awards", int(obj["active_awards"]))
            st.page_link(
                "pages/objective.py",
                label=f"Open objective {n}",
                icon=":material/arrow_forward:",
                query_params={"objective": str(n)},
            )

st.subheader("How much of our money goes to the highest-need wards?")
share = need()
if share is None:
    st.info("No approved, active or completed awards in the register yet, so there is no money to follow.")
else:
    c1, c2, c3, c4 = st.columns(4)
    c1.metric("Share to the top 10% of wards by need", format_value(share.share, "percent"))
    c2.metric("To those wards", format_value(share.top_need, "gbp"))
    c3.metric("To other wards", format_value(share.other_wards, "gbp"))
    c4.metric("Borough-wide or London-wide", format_value(share.borough_or_london, "gbp"))
    st.caption(
        f"Committed money (approved, active and completed awards), {format_value(share.total, 'gbp')} in all. "
        f"The top-need wards are the {share.n_top_need_wards} wards ranked in the top 10% by the default scoring "
        "profile. An award's money is split between its wards as recorded, or equally when not split."
    )

st.subheader("All indicators")
table = pd.DataFrame(
    {
        "Indicator": ind["name"],
        "Objective": ind["objective_number"].astype("Int64"),
        "Rating": ind["status_label"],
        "Latest": [format_value(v, u) for v, u in zip(ind["latest"], ind["unit"], strict=True)],
        "Period to": ind["latest_period"],
        "Baseline": [format_value(v, u) for v, u in zip(ind["baseline"], ind["unit"], strict=True)],
        "Target": [format_value(v, u) for v, u in zip(ind["target"], ind["unit"], strict=True)],
        "Why": ind["reason"],
        "Home Office measure": ind["home_office"].astype(bool),
        "Values": ind["kind"].map(KIND_LABELS),
        "Source": ind["source"],
    }
)
st.dataframe(table, hide_index=True, width="stretch", key="indicators_table")

st.subheader("Exports")
c1, c2 = st.columns(2)
c1.download_button(
    "Indicator values (CSV)",
    values_export(ov).to_csv(index=False).encode("utf-8"),
    file_name="vru_indicator_values.csv",
    mime="text/csv",
    key="download_values",
    icon=":material/download:",
)
c2.download_button(
    "One-page summary for the board (HTML, print to PDF)",
    summary_html(ov, share, dt.date.today()).encode("utf-8"),
    file_name=f"vru_performance_summary_{dt.date.today():%Y%m%d}.html",
    mime="text/html",
    key="download_summary",
    icon=":material/print:",
)
