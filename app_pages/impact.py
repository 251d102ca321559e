"""Impact by funding stream, objective or funding round: did the funded wards' offences change against comparable
unfunded wards?"""

import streamlit as st

from ui.cached import labels
from ui.impact import group_section, outcome_picker
from ui.session import engine
from ui.widgets import examples_banner
from vru_core.rounds.rounds import list_rounds

names = labels()
st.title("Impact by stream, objective and round")
st.caption(
    "Each committed award (approved, active or completed; example awards left out) is compared with a synthetic "
    "comparison built from unfunded wards, and the awards of a stream, an objective or a funding round are then taken "
    "together."
)
examples_banner()
c1, c2, c3 = st.columns([1, 2, 1])
kind = c1.radio(
    "Group by",
    ["stream", "objective", "round"],
    format_func={"stream": "Funding stream", "objective": "Objective", "round": "Funding round"}.get,
    key="impact_kind",
)
if kind == "stream":
    value = c2.selectbox(
        "Funding stream", list(names["funding_streams"]), format_func=names["funding_streams"].get, key="impact_stream"
    )
elif kind == "round":
    rounds = {r["code"]: r["title"] for r in list_rounds(engine()) if r["status"] != "draft"}
    value = c2.selectbox(
        "Funding round (opened or decided)",
        list(rounds),
        format_func=lambda c: f"{c}: {rounds[c]}",
        key="impact_round",
        placeholder="No round has opened yet",
    )
else:
    value = c2.selectbox(
        "Objective",
        list(names["objectives"]),
        format_func=lambda n: f"{n}. {names['objectives'][n]}",
        key="impact_objective",
    )
with c3:
    outcome = outcome_picker("impact_group_outcome")
if value is not None:
    group_section(kind, value, outcome)
