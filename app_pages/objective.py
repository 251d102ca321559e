"""One objective in depth: its indicators as charts (baseline and target drawn), borough breakdown, awards."""

import pandas as pd
import streamlit as st

from ui.cached import overview
from ui.charts import chart
from ui.session import engine
from ui.text import plain
from ui.widgets import badge, examples_banner, priority_area_money_table
from vru_core.framework import lookups
from vru_core.framework.charts import borough_chart, trend_chart, trend_description, trend_table
from vru_core.framework.indicators import KIND_LABELS, format_value
from vru_core.framework.register_indicators import awards_for_objective, priority_area_money
from vru_core.needs.measures import borough_names

ov = overview()
numbers = [int(n) for n in ov.objectives["number"]]
titles = dict(zip(numbers, ov.objectives["title"], strict=True))

if "objective_pick" not in st.session_state:
    asked = st.query_params.get("objective", "1")
    st.session_state["objective_pick"] = int(asked) if asked.isdigit() and int(asked) in numbers else numbers[0]

number = st.selectbox(
    "Objective", numbers, format_func=lambda n: f"{n}. {titles[n]}", key="objective_pick", label_visibility="collapsed"
)
st.query_params["objective"] = str(number)
obj = ov.objectives.set_index("number").loc[number]

st.title(f"Objective {number}: {plain(obj['title'])}")
examples_banner()
st.caption(plain(obj["tagline"]))
badge(obj["status"])
aims = ov.aims.set_index("code")
st.markdown("Serves: " + "; ".join(f"*{plain(aims.loc[a, 'title'])}*" for a in obj["aims"] if a in aims.index))

commitments = lookups.objectives(engine())[number].commitments
boroughs = borough_names(engine())
with st.expander(f"Our commitments ({len(commitments)})"):
    for text in commitments:
        st.markdown(f"- {plain(text)}")

c1, c2, c3 = st.columns(3)
c1.metric("Money committed", format_value(obj["money"], "gbp"))
c2.metric("Awards (approved, active, completed)", int(obj["awards"]))
c3.metric("Active awards", int(obj["active_awards"]))

st.header("Indicators")
mine = ov.indicators[ov.indicators["objective_number"] == number]
if mine.empty:
    st.info("No indicator is attached to this objective yet. An administrator can add one.")
for code, row in mine.iterrows():
    a = ov.assessments[code]
    unit = row["unit"]
    with st.container(border=True):
        st.subheader(plain(row["name"]))
        badge(row["status"])
        st.caption(plain(f"{row['reason']} {KIND_LABELS[row['kind']]}. Source: {row['source']}."))
        c1, c2, c3 = st.columns(3)
        c1.metric(plain(f"Latest (to {a.latest_period or '—'})"), format_value(a.latest, unit))
        c2.metric(plain(f"Baseline ({a.baseline_period or '—'})"), format_value(a.baseline, unit))
        c3.metric(plain(f"Target ({a.target_period or '—'})"), format_value(a.target, unit))
        if row["target_note"]:
            st.caption(plain(row["target_note"]))
        if a.latest is None:
            st.info(
                "No values yet."
                + (" Analysts can enter them on the Enter values page." if row["kind"] == "entered" else "")
            )
        else:
            chart(
                trend_chart(a, unit, height=260),
                description=trend_description(a, unit, row["name"]),
                table=trend_table(a, unit),
                key=f"trend_{code}",
            )
        if row["has_borough_breakdown"] and (a.values["area_code"] != "london").any():
            with st.expander("Borough breakdown"):
                bars, table = borough_chart(a.values, boroughs, unit)
                top = table.iloc[0] if len(table) else None
                chart(
                    bars,
                    description=f"Bar chart of {row['name']} by borough, latest 12 months, highest first"
                    + (f": {top['borough']} ({top['latest']:,.0f})." if top is not None else "."),
                    table=table.drop(columns=["borough_code"]),
                    key=f"boroughs_{code}",
                    column_config={
                        "borough": "Borough",
                        "latest": st.column_config.NumberColumn("Latest 12 months", format="localized"),
                        "year_before": st.column_config.NumberColumn("A year before", format="localized"),
                        "change_pct": st.column_config.NumberColumn("Change %", format="%+.1f%%"),
                    },
                )
        if row["notes"]:
            st.caption(plain(row["notes"]))

areas = priority_area_money(ov.register, {c: a.title for c, a in lookups.priority_areas(engine(), number).items()})
if not areas.empty:
    st.header("Priority areas under this objective")
    priority_area_money_table(areas, key="objective_priority_areas")

st.header("Awards funding this objective")
awards = awards_for_objective(ov.register, number)
if awards.empty:
    st.info("No award in the register is linked to this objective yet.")
else:
    st.caption("An award that serves several objectives counts against each in equal shares in the totals above.")
    st.dataframe(
        pd.DataFrame(
            {
                "Award": [f"/award?id={i}" for i in awards.index],
                "Title": awards["title"],
                "Recipient": awards["recipient"],
                "Amount": awards["amount"],
                "Award date": awards["award_date"],
                "Status": awards["status"],
                "Priority area": awards["priority_area_title"],
                "Funding stream": awards["funding_stream_name"],
            }
        ),
        hide_index=True,
        width="stretch",
        key="objective_awards",
        column_config={
            "Amount": st.column_config.NumberColumn("Amount (£)", format="localized"),
            "Award date": st.column_config.DateColumn(format="D MMM YYYY"),
            "Award": st.column_config.LinkColumn("Award", display_text="Open"),
        },
    )
