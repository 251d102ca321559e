"""Assess applications: declare conflicts of interest, score each criterion (0-5) with a comment, and see
where assessors disagree by more than the round's moderation gap."""

import streamlit as st

from ui.feedback import attempt, field_errors, moved_on, offer_reload, opened_version, show_refusal
from ui.rounds_parts import act, example_warning, need_evidence, pick_round
from ui.session import current_actor, engine
from ui.text import plain
from vru_core.rounds import applications, assessment, rounds

st.title("Assess applications")
store, actor = engine(), current_actor()
rnd = pick_round([r for r in rounds.list_rounds(store) if r["status"] != "draft"], "assess_round")
if rnd is None:
    st.info("No round has opened yet.")
    st.stop()
example_warning(rnd)
if not assessment.can_assess(store, actor, rnd["id"]):
    st.info("Scoring needs the assessor role, or a commissioner assigned to this round (sign in on Account).")
    st.stop()
listed = applications.list_applications(store, rnd["id"])
mine = assessment.conflicts(store, rnd["id"])
mine = set(mine.loc[mine["assessor"] == actor.username, "org_id"])
orgs = {a.applicant_org_id: a.applicant.get("name", "") for a in listed}

with st.expander(f"Conflicts of interest ({len(mine)} declared)"):
    st.write(
        "Declare any link with an applicant organisation: you will not score it, and any score you gave it "
        "is withdrawn."
    )
    free = [o for o in orgs if o not in mine]
    with st.form("conflict"):
        org = st.selectbox("Applicant organisation", free, format_func=lambda o: f"{orgs[o]} ({o})", key="conflict_org")
        note = st.text_input("Why (optional, e.g. 'I am a trustee')", key="conflict_note")
        if st.form_submit_button("Declare a conflict", key="conflict_submit") and org:
            act(
                "conflict",
                assessment.declare_conflict,
                engine=store,
                actor=actor,
                round_id=rnd["id"],
                org_id=org,
                note=note,
            )
    show_refusal("conflict")
    for o in sorted(mine):
        st.write(f"Conflict declared: {plain(orgs.get(o, ''))} ({plain(o)})")

open_ones = {a.id: a for a in listed if not a.decision}
if not open_ones:
    st.info("No application is waiting for scores.")
    st.stop()
label = {
    i: f"{a.reference} · {a.project_title}" + (" (conflict: you cannot score it)" if a.applicant_org_id in mine else "")
    for i, a in open_ones.items()
}
pick = st.selectbox("Application", list(open_ones), format_func=label.get, key="assess_pick")
a = open_ones[pick]
st.subheader(plain(a.project_title))
st.caption(
    f"{plain(a.reference)} · {plain(a.applicant.get('name', ''))} ({plain(a.applicant_org_id)}) · "
    f"requested £{a.amount_pence / 100:,.2f}"
)
st.write(plain(a.description))
need_evidence(a, rnd, "assess_wards")
if a.applicant_org_id in mine:
    st.warning("You declared a conflict of interest with this applicant: you cannot score it.")
    st.stop()
saved = assessment.my_assessment(store, a.id, actor.username)
opened_key = f"assessment:{a.id}"
opened = opened_version(opened_key, saved.version) if saved else None
given = saved.scores if saved else {}
key = f"assess_{a.id}"
with st.form(f"score_{a.id}_{opened}"):
    entered = {}
    for criterion in assessment.scored_criteria(rnd):
        code = criterion["code"]
        c1, c2 = st.columns([1, 3])
        old = given.get(code, {})
        score = c1.number_input(
            f"{criterion['label']} ({criterion['weight']}%)",
            0,
            5,
            int(old.get("score", 0)),
            help=criterion["guidance"],
            key=f"{key}_{opened}_{code}",
        )
        comment = c2.text_area(
            f"Why: {criterion['label']}", old.get("comment", ""), key=f"{key}_{opened}_{code}_c", height=68
        )
        with c1:
            field_errors(key, f"score_{code}")
        with c2:
            field_errors(key, f"comment_{code}")
        entered[code] = {"score": score, "comment": comment}
    if st.form_submit_button("Save my scores", type="primary", key=f"{key}_submit"):
        ok, version = attempt(
            key,
            assessment.save_assessment,
            engine=store,
            actor=actor,
            application_id=a.id,
            scores=entered,
            version=opened,
        )
        if ok:
            moved_on(opened_key, version)
            st.session_state["scores_saved"] = a.reference
            st.rerun()
if st.session_state.pop("scores_saved", None) == a.reference:
    st.success(f"Your scores for {plain(a.reference)} are saved.")
show_refusal(key, fields_shown=[f"score_{c}" for c in given] + [f"comment_{c}" for c in given])
offer_reload(key, opened_key)

st.subheader("Moderation")
gap = assessment.moderation(store, rnd["id"])
st.caption(f"Scores further apart than {rnd['moderation_gap']} point(s) on one criterion, for the panel to discuss.")
st.dataframe(
    gap,
    hide_index=True,
    width="stretch",
    key="moderation",
    column_config={
        "reference": "Application",
        "criterion": "Criterion",
        "lowest": "Lowest",
        "highest": "Highest",
        "gap": "Gap",
        "scores": "Scores by assessor",
    },
)
