"""Funding rounds, for commissioners: draft a round, open it (criteria and weights frozen), close it,
assign commissioners to assess it; try the pages with a labelled example round."""

import pandas as pd
import streamlit as st

from ui.cached import labels
from ui.feedback import attempt, moved_on, offer_reload, opened_version, show_refusal
from ui.rounds_parts import ROUND_FIELDS, act, criteria_table, example_warning, pick_round, round_form
from ui.session import can, current_actor, engine
from ui.text import plain
from vru_core.needs.profiles import list_profiles
from vru_core.platform.auth import Permission
from vru_core.rounds import examples, rounds
from vru_core.rounds.rounds import STATUSES

st.title("Funding rounds")
st.caption(
    "A round funds one stream in one financial year from a budget line, with published criteria and weights that "
    "are frozen when it opens. Applications, assessment and the panel's decisions follow on their own pages."
)
store, actor, writer = engine(), current_actor(), can(Permission.REGISTER_WRITE)
names = {**labels(), "profiles": list(list_profiles(store)["name"])}
listed = rounds.list_rounds(store)
if examples.has_example_rounds(store):
    st.warning("An **EXAMPLE round** is present: made-up data for trying the pages, never published.", icon="🧪")
    if writer and st.button("Remove the example round", key="remove_example_round"):
        act("example_round", examples.remove_example_rounds, engine=store, actor=actor)
if listed:
    table = pd.DataFrame(
        [
            {
                "Code": r["code"],
                "Title": r["title"],
                "Stream": names["funding_streams"].get(r["funding_stream_code"]),
                "Year": r["financial_year"],
                "Budget line (£)": float(r["budget"]),
                "Status": STATUSES[r["status"]],
                "Opens": r["opens_on"],
                "Closes": r["closes_on"],
                "Example": "EXAMPLE" if r["is_example"] else "",
            }
            for r in listed
        ]
    )
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        key="rounds_table",
        column_config={"Budget line (£)": st.column_config.NumberColumn(format="localized")},
    )
else:
    st.info("No funding rounds yet.")
if not writer:
    st.info("Drafting and opening rounds needs a commissioner or administrator account (Account page).")
    st.stop()
if not examples.has_example_rounds(store) and st.button("Load an example round (clearly marked EXAMPLE)"):
    act("example_round", examples.load_example_round, engine=store, actor=actor)
show_refusal("example_round")

with st.expander("New round", expanded=not listed):
    data = round_form("new_round", names, {}, "new_round")
    if data is not None:
        if attempt("new_round", rounds.create_round, engine=store, actor=actor, data=data)[0]:
            st.query_params["round"] = data["code"]
        st.rerun()  # also on a refusal: each problem then shows beside its field
    show_refusal("new_round", fields_shown=ROUND_FIELDS)

rnd = pick_round(listed, "manage_round", label="Manage a round")
if rnd is None:
    st.stop()
example_warning(rnd)
opened_key = f"round:{rnd['id']}"
opened = opened_version(opened_key, rnd["version"])
key = f"round_{rnd['id']}"
st.subheader(plain(rnd["title"]))
st.caption(f"{STATUSES[rnd['status']]} · version {rnd['version']} · public page: /round?round={plain(rnd['code'])}")
criteria_table(rnd, f"criteria_{rnd['id']}")
if rnd["status"] == "draft":
    with st.expander("Edit this draft"):
        data = round_form(f"edit_{rnd['id']}_{opened}", names, rnd, key)
        if data is not None:
            ok, version = attempt(
                key, rounds.update_round, engine=store, actor=actor, round_id=rnd["id"], version=opened, data=data
            )
            if ok:
                moved_on(opened_key, version)
            st.rerun()
    st.write("Opening publishes the round and freezes its criteria, weights and scoring profile: no edit after.")
    if st.button("Open the round (freeze the criteria)", type="primary", key=f"open_{rnd['id']}"):
        ok, version = attempt(key, rounds.open_round, engine=store, actor=actor, round_id=rnd["id"], version=opened)
        if ok:
            moved_on(opened_key, version)
            st.rerun()
elif rnd["status"] == "open":
    st.write(f"Open since {rnd['opened_at']:%d %b %Y} ({plain(rnd['opened_by'])}). Criteria and weights are frozen.")
    if st.button("Close to applications", key=f"close_{rnd['id']}"):
        ok, version = attempt(key, rounds.close_round, engine=store, actor=actor, round_id=rnd["id"], version=opened)
        if ok:
            moved_on(opened_key, version)
            st.rerun()
else:
    st.write("Closed to applications: assessors finish scoring and the panel records its decisions.")
show_refusal(key)
offer_reload(key, opened_key)

st.markdown("**Assessors.** People with the assessor role may assess any round; commissioners assigned here too.")
st.write(plain(", ".join(rnd["assessors"])) or "No commissioner assigned yet.")
with st.form(f"assign_{rnd['id']}"):
    username = st.text_input("Commissioner's username", key=f"assignee_{rnd['id']}")
    if st.form_submit_button("Assign to assess this round", key="assign_submit"):
        act(
            f"assign_{rnd['id']}",
            rounds.assign_assessor,
            engine=store,
            actor=actor,
            round_id=rnd["id"],
            username=username,
        )
show_refusal(f"assign_{rnd['id']}")
