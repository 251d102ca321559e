"""The public page of a funding round (?round=CODE): what it funds, where, when, and its published criteria.

Only opened rounds that are not examples are shown to the public; staff also see drafts and examples,
marked as not published.
"""

import streamlit as st

from ui.cached import labels, measure_frame
from ui.rounds_parts import criteria_table, example_warning, pick_round
from ui.session import can, engine
from ui.text import plain
from vru_core.platform.auth import Permission
from vru_core.rounds.need import METHOD
from vru_core.rounds.rounds import STATUSES, list_rounds

names = labels()
staff = can(Permission.REGISTER_WRITE)
st.title("Funding round")
rounds = list_rounds(engine(), published_only=not staff)
rnd = pick_round(rounds, "public_round")
if rnd is None:
    st.info("No funding round is open or published yet.")
    st.stop()
example_warning(rnd)
if rnd["status"] == "draft":
    st.warning("Draft: not published. The public sees this page once the round opens.", icon="🔒")

st.header(plain(rnd["title"]))
stream = names["funding_streams"].get(rnd["funding_stream_code"], rnd["funding_stream_code"])
st.caption(f"{plain(stream)} · financial year {rnd['financial_year']} · {STATUSES[rnd['status']]}")
if rnd["description"]:
    st.write(plain(rnd["description"]))
m1, m2, m3, m4 = st.columns(4)
m1.metric("Budget line", f"£{rnd['budget']:,.0f}", help=f"{plain(stream)}, {rnd['financial_year']}")
m2.metric("Opens", f"{rnd['opens_on']:%d %b %Y}")
m3.metric("Closes", f"{rnd['closes_on']:%d %b %Y}")
m4.metric("Panel decision", f"{rnd['decision_on']:%d %b %Y}")

c1, c2, c3 = st.columns(3)
with c1:
    st.subheader("Where")
    boroughs = [names["boroughs"].get(b, b) for b in rnd["eligible_boroughs"]]
    st.write(plain(", ".join(boroughs)) if boroughs else "All of London (wards, boroughs or London-wide work).")
with c2:
    st.subheader("Objectives")
    for n in rnd["objectives"]:
        st.write(f"{n}. {plain(names['objectives'].get(n, ''))}")
with c3:
    st.subheader("Priority areas")
    areas = [names["priority_areas"].get(a, a) for a in rnd["priority_areas"]]
    st.write(plain("; ".join(areas)) if areas else "Any of the strategy's priority areas.")

st.subheader("Published criteria and weights")
if rnd["opened_at"]:
    st.caption(f"Frozen when the round opened on {rnd['opened_at']:%d %B %Y}; they cannot change after that.")
else:
    st.caption("Not frozen yet: a draft's criteria and weights can still change until it opens.")
criteria_table(rnd, "public_criteria")
st.markdown(
    "Assessors score every criterion but need from 0 to 5, with a comment, and declare any conflict of interest "
    "with an applicant (a conflicted assessor does not score it). The weighted score out of 100 is "
    "100 × Σ(weight × points) ÷ (5 × Σ weights)."
)
with st.expander("How the need criterion is computed"):
    st.write(METHOD)
    profile = rnd["profile_settings"]
    if profile:
        measure = measure_frame().measures["label"].to_dict()
        weights = "; ".join(f"{measure.get(k, k)} × {v:g}" for k, v in sorted(profile["weights"].items()))
        weights = weights or "each measure at its default weight"
        st.write(
            f"Scoring profile {plain(rnd['profile_name'] or 'the default profile')} as frozen: flag the worst "
            f"{profile['threshold_pct']:g}% of wards on each measure; weights: {plain(weights)}."
        )
    st.write("Ward need scores and their sources are on the **Ward need scores** page (Method).")
