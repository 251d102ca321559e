"""Applications to a round: entered here or uploaded as CSV while the round is open (need computed from the
ward scores), then the panel paper and the panel's decisions once it has closed."""

import pandas as pd
import streamlit as st

from ui.cached import labels
from ui.feedback import attempt, moved_on, offer_reload, opened_version, problems_table, show_refusal
from ui.rounds_parts import APPLICATION_FIELDS, act, application_form, example_warning, paper_table, pick_round
from ui.session import can, current_actor, engine
from ui.text import plain
from vru_core.platform.auth import Permission
from vru_core.register.validation import Reference
from vru_core.rounds import applications, decisions, paper, rounds
from vru_core.rounds.need import METHOD

st.title("Applications and panel")
store, actor = engine(), current_actor()
writer, assessor = can(Permission.REGISTER_WRITE), can(Permission.ASSESS)
if not (writer or assessor):
    st.info("Applications and the panel paper are for commissioners and assessors: sign in on the Account page.")
    st.stop()
names = {**labels(), "ward_borough": Reference.load(store).ward_borough}
rnd = pick_round([r for r in rounds.list_rounds(store) if r["status"] != "draft"], "applications_round")
if rnd is None:
    st.info("No round has opened yet (Funding rounds page).")
    st.stop()
example_warning(rnd)
listed = applications.list_applications(store, rnd["id"])
opened = f"{rnd['opened_at']:%d %b %Y}"
st.caption(f"{len(listed)} application(s). Need: {METHOD} Profile frozen on {opened}; data periods in each evidence.")

if rnd["status"] == "open" and writer:
    with st.expander("Enter an application"):
        data = application_form(f"apply_{rnd['id']}", names, rnd, "apply")
        if data is not None:
            act("apply", applications.add_application, engine=store, actor=actor, round_ref=rnd["id"], data=data)
        show_refusal("apply", fields_shown=APPLICATION_FIELDS)
    with st.expander("Upload applications (CSV, all or nothing)"):
        st.download_button(
            "Download the CSV template",
            applications.template_csv().encode(),
            "applications.csv",
            "text/csv",
            key="apply_template",
        )
        st.dataframe(
            pd.DataFrame(applications.GUIDE.items(), columns=["column", "what"]), hide_index=True, key="apply_guide"
        )
        upload = st.file_uploader("CSV file (UTF-8)", type=["csv"], key="apply_file")
        if upload is not None:
            checked = applications.check_file(store, rnd["id"], upload.getvalue())
            if checked["problems"]:
                st.error(
                    f"{len(checked['problems'])} problem(s). Nothing has been imported; fix them and upload again."
                )
                problems_table(checked["problems"], key="apply_problems")
            else:
                st.success(
                    f"{checked['rows']} rows, all valid: {len(checked['new'])} new, "
                    f"{len(checked['unchanged'])} already entered."
                )
                if st.button("Import the applications", type="primary", key="apply_import"):
                    act(
                        "apply_import",
                        applications.import_applications,
                        engine=store,
                        actor=actor,
                        round_ref=rnd["id"],
                        content=upload.getvalue(),
                    )
                show_refusal("apply_import")

info, table = paper.paper(store, rnd["id"])
st.subheader("Panel paper")
funded = table.loc[table["decision"] == "fund"]
st.caption(
    f"Ranked by weighted score (criteria frozen {opened}); cumulative amount against the budget line of "
    f"£{rnd['budget']:,.0f} ({plain(rnd['financial_year'])})."
)
paper_table(table, rnd, "paper_table")
c1, c2 = st.columns(2)
c1.download_button(
    "Panel paper (CSV)",
    paper.paper_csv(store, rnd["id"]),
    f"panel-paper-{rnd['code']}.csv",
    "text/csv",
    key="paper_csv",
)
c2.download_button(
    "Panel paper (printable HTML)",
    paper.paper_html(store, rnd["id"]).encode(),
    f"panel-paper-{rnd['code']}.html",
    "text/html",
    key="paper_html",
)

if not writer or rnd["status"] != "closed":
    st.caption("The panel records decisions here once the round has closed.")
    st.stop()
st.subheader("Decisions")
if done := st.session_state.pop("decided", None):
    made = f" Proposed award [{done[1]}](/award?id={done[1]}) created in the register." if done[1] else ""
    st.success(f"Recorded for {plain(done[0])}.{made}")
ids = decisions.award_ids(store, rnd["id"])
st.caption(f"Funded so far: {len(funded)} application(s); awards {', '.join(map(str, ids)) or 'none'}.")
open_ones = [a for a in listed if a.decision != "fund"]
if not open_ones:
    st.success("Every application has a decision.")
    st.stop()
by_id = {a.id: a for a in open_ones}
pick = st.selectbox(
    "Application",
    list(by_id),
    key="decide_pick",
    format_func=lambda i: f"{by_id[i].reference} · {by_id[i].project_title}",
)
chosen = by_id[pick]
seen = opened_version(f"application:{chosen.id}", chosen.version)  # what the decision names
if seen != chosen.version:
    st.warning(f"{plain(chosen.reference)} changed after you opened it (now: {chosen.decision or 'no decision'}).")
with st.form(f"decide_{chosen.id}"):
    kind = st.radio(
        "Decision",
        list(decisions.DECISIONS),
        format_func=decisions.DECISIONS.get,
        horizontal=True,
        key=f"decide_kind_{chosen.id}",
    )
    reason = st.text_area("Reason (recorded with the decision)", key=f"decide_reason_{chosen.id}")
    amount = st.text_input("Amount to fund (£; blank: the amount requested)", key=f"decide_amount_{chosen.id}")
    if st.form_submit_button("Record the decision", type="primary", key="decide_submit"):
        ok, award_id = attempt(
            "decide",
            decisions.decide,
            engine=store,
            actor=actor,
            application_id=chosen.id,
            version=seen,
            decision=kind,
            reason=reason,
            amount=amount or None,
        )
        if ok:
            moved_on(f"application:{chosen.id}", None)
            st.session_state["decided"] = (chosen.reference, award_id)
            st.rerun()
show_refusal("decide")
offer_reload("decide", f"application:{chosen.id}")
