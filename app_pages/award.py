"""One award: details and edit, status, payments, monitoring returns, need evidence, history.

The award id lives in the URL (?id=…), so the page can be shared. Every change names the version the
person opened; if the award changed since, the page says so and offers to reload.
"""

import streamlit as st

from ui import award_controls, award_parts
from ui.cached import labels, register_data
from ui.feedback import forget, moved_on, opened_version
from ui.impact import award_tab
from ui.rounds_parts import award_origin_note
from ui.session import can, current_actor, engine
from ui.text import plain
from ui.widgets import examples_banner
from vru_core.needs.profiles import list_profiles
from vru_core.platform.auth import Permission
from vru_core.register.reads import award_detail

names = labels()
data = register_data()
raw_id = st.query_params.get("id", "")
if not raw_id.isdigit() or int(raw_id) not in data.awards.index:
    st.title("Award")
    if data.awards.empty:
        st.info("No awards yet.")
        st.stop()
    if raw_id:
        st.warning(f"There is no award with id {plain(raw_id[:40])}: choose one below.")
    options = list(data.awards.index)
    pick = st.selectbox(
        "Choose an award",
        options,
        format_func=lambda i: f"{data.awards.at[i, 'identifier']} · {data.awards.at[i, 'title']}",
        index=None,
        key="award_pick",
    )
    if pick is None:
        st.stop()
    st.query_params["id"] = str(pick)
    st.rerun()

award_id = int(raw_id)
store, actor, writer = engine(), current_actor(), can(Permission.REGISTER_WRITE)
detail = award_detail(store, award_id)
opened_key = f"award:{award_id}"
opened = opened_version(opened_key, detail.version)  # what every save on this page names
if st.session_state.pop("award_created", None) == award_id:
    st.success(f"Saved {plain(detail.identifier)} as proposed.")
if detail.is_example:
    examples_banner()

st.title(plain(detail.title))
st.caption(
    f"{plain(detail.identifier)} · {plain(detail.recipient_name)} ({plain(detail.recipient_org_id)}) · "
    f"status **{detail.status}** · version {detail.version}, last saved by {plain(detail.updated_by)}"
)
if writer and detail.version != opened:
    st.warning(
        f"This award changed after you opened it (you opened version {opened}; it is now version "
        f"{detail.version}, last saved by {plain(detail.updated_by)}). Reload it before you edit or approve it: "
        "a save based on your version would be refused."
    )
    if st.button("Reload the current version (drops your unsaved change)", key=f"reload_award_{award_id}"):
        moved_on(opened_key, None)
        forget(f"award_edit_{award_id}", f"award_status_{award_id}", f"award_variation_{award_id}")
        st.rerun()
award_origin_note(store, award_id)  # an award made by a funding round says so
m1, m2, m3, m4 = st.columns(4)
m1.metric("Awarded", f"£{detail.amount_awarded:,.2f}")
m2.metric("Paid", f"£{detail.paid:,.2f}")
m3.metric("Left to pay", f"£{detail.remaining:,.2f}")
m4.metric("Planned end", f"{detail.planned_end:%d %b %Y}", help=f"Starts {detail.planned_start:%d %b %Y}")

TABS = [
    "Details",
    "Status",
    "Payments",
    "Payment schedule",
    "Monitoring returns",
    "Variations",
    "Need evidence",
    "History",
    "Impact",
]
tabs = st.tabs(TABS, key="award_tab", on_change="rerun")  # tracked, so the Impact tab estimates only when opened
with tabs[0]:
    award_parts.details(detail, names)
    if writer:
        award_parts.edit(detail, names, store=store, actor=actor, opened=opened, opened_key=opened_key)
with tabs[1]:
    if writer:
        profiles = list(list_profiles(store)["name"])
        award_parts.status(detail, store=store, actor=actor, opened=opened, opened_key=opened_key, profiles=profiles)
    else:
        st.write(f"Status: **{detail.status}**.")
with tabs[2]:
    award_parts.payments(detail, store=store, actor=actor if writer else None)
with tabs[3]:
    award_controls.schedule(detail, store=store, actor=actor if writer else None)
with tabs[4]:
    award_parts.returns(detail, store=store, actor=actor if writer else None)
with tabs[5]:
    award_controls.variations(detail, names, store=store, actor=actor if writer else None, opened=opened)
with tabs[6]:
    award_parts.evidence(store, award_id)
with tabs[7]:
    award_parts.history(store, award_id)
with tabs[8]:
    if tabs[8].open:
        award_tab(award_id)
