"""One award: details and edit (with a version check), status, payments, monitoring returns, need evidence, history.

The award id lives in the URL (?id=…), so the page can be shared.
"""

import datetime as dt

import pandas as pd
import streamlit as st

from ui.cached import labels, measure_frame, register_data
from ui.session import can, current_actor, engine
from ui.widgets import date_column, examples_banner, field_errors, money_column, recipient_place_inputs
from vru_core.platform import labels as words
from vru_core.platform.auth import Permission
from vru_core.register import need_evidence, service
from vru_core.register.validation import GEOGRAPHY_LEVELS, ORG_TYPES, RAG, ValidationFailed

names = labels()
data = register_data()
raw_id = st.query_params.get("id", "")
if not raw_id.isdigit() or int(raw_id) not in data.awards.index:
    st.title("Award")
    if data.awards.empty:
        st.info("No awards yet.")
        st.stop()
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
detail = service.award_detail(store, award_id)
if st.session_state.pop("award_created", None) == award_id:
    st.success(f"Saved {detail['identifier']} as proposed.")
if detail["is_example"]:
    examples_banner()

st.title(detail["title"])
st.caption(
    f"{detail['identifier']} · {detail['recipient_name']} ({detail['recipient_org_id']}) · "
    f"status **{detail['status']}** · version {detail['version']}, last saved by {detail['updated_by']}"
)
m1, m2, m3, m4 = st.columns(4)
m1.metric("Awarded", f"£{detail['amount_awarded']:,.2f}")
m2.metric("Paid", f"£{detail['paid']:,.2f}")
m3.metric("Left to pay", f"£{detail['remaining']:,.2f}")
m4.metric("Planned end", f"{detail['planned_end']:%d %b %Y}", help=f"Starts {detail['planned_start']:%d %b %Y}")

tabs = st.tabs(["Details", "Status", "Payments", "Monitoring returns", "Need evidence", "History"])

with tabs[0]:
    area_names = {**names["wards"], **names["boroughs"]}
    objective_text = "; ".join(f"{n}. {names['objectives'][n]}" for n in detail["objectives"])
    st.markdown(
        f"**Funding stream:** {names['funding_streams'].get(detail['funding_stream'], detail['funding_stream'])}  \n"
        f"**Priority area:** {names['priority_areas'].get(detail['priority_area'], 'none')}  \n"
        f"**Objectives:** {objective_text}  \n"
        f"**Geography:** {detail['geography_level']} — "
        f"{', '.join(area_names.get(c, c) for c in detail['areas']) or 'London-wide'}  \n"
        f"**Description:** {detail['description'] or '—'}"
    )
    if writer:
        # The version this person started editing from: a save based on an older one is refused.
        version_key = f"edit_version_{award_id}"
        st.session_state.setdefault(version_key, detail["version"])
        base = st.session_state[version_key]
        problems = st.session_state.get(f"edit_problems_{award_id}", [])
        stale = st.session_state.get(f"edit_stale_{award_id}")
        if stale:
            st.error(stale)
            if st.button("Reload the latest version (discards your unsaved edit)", key=f"reload_{award_id}"):
                del st.session_state[version_key], st.session_state[f"edit_stale_{award_id}"]
                st.rerun()
        form = service.as_form_data(detail)
        k = f"edit_{award_id}_{base}_"
        with st.expander("Edit this award", expanded=bool(problems)), st.form(f"edit_form_{award_id}"):
            title = st.text_input("Title", form["title"], key=k + "title")
            field_errors(problems, "title")
            description = st.text_area("Description", form["description"], key=k + "description")
            c1, c2, c3, c4 = st.columns(4)
            amount = c1.text_input("Amount awarded (£)", form["amount_awarded"], key=k + "amount")
            award_date = c2.date_input("Award date", form["award_date"], key=k + "award_date")
            start = c3.date_input("Planned start", form["planned_start"], key=k + "start")
            end = c4.date_input("Planned end", form["planned_end"], key=k + "end")
            for f in ("amount_awarded", "award_date", "planned_start", "planned_end"):
                field_errors(problems, f)
            r1, r2, r3 = st.columns(3)
            org_id = r1.text_input("Organisation identifier", form["recipient_org_id"], key=k + "org_id")
            org_name = r2.text_input("Organisation name", form["recipient_name"], key=k + "org_name")
            org_type = r3.selectbox(
                "Type",
                list(ORG_TYPES),
                index=list(ORG_TYPES).index(form["recipient_type"]),
                format_func=ORG_TYPES.get,
                key=k + "org_type",
            )
            for f in ("recipient_org_id", "recipient_name", "charity_number", "company_number"):
                field_errors(problems, f)
            place = recipient_place_inputs(names, problems, k, form)
            streams = list(names["funding_streams"])
            stream = st.selectbox(
                "Funding stream",
                streams,
                index=streams.index(form["funding_stream"]),
                format_func=names["funding_streams"].get,
                key=k + "stream",
            )
            priorities = ["", *names["priority_areas"]]
            priority = st.selectbox(
                "Priority area",
                priorities,
                index=priorities.index(form["priority_area"]),
                format_func=lambda c: names["priority_areas"].get(c, "None"),
                key=k + "priority",
            )
            objectives = st.multiselect(
                "Objectives",
                list(names["objectives"]),
                default=form["objectives"],
                format_func=lambda n: f"{n}. {names['objectives'][n]}",
                key=k + "objectives",
            )
            field_errors(problems, "objectives")
            level = st.radio(
                "Geography",
                GEOGRAPHY_LEVELS,
                index=GEOGRAPHY_LEVELS.index(form["geography_level"]),
                horizontal=True,
                key=k + "level",
            )
            is_wards = form["geography_level"] == "ward"
            ward_codes = st.multiselect(
                "Wards",
                list(names["wards"]),
                default=form["areas"] if is_wards else [],
                format_func=names["wards"].get,
                key=k + "wards",
            )
            borough_codes = st.multiselect(
                "Boroughs",
                list(names["boroughs"]),
                default=form["areas"] if form["geography_level"] == "borough" else [],
                format_func=names["boroughs"].get,
                key=k + "boroughs",
            )
            field_errors(problems, "areas")
            split = st.text_input("Split across areas (optional)", ";".join(form["area_amounts"]), key=k + "split")
            field_errors(problems, "area_amounts")
            save = st.form_submit_button("Save changes", type="primary", key=f"edit_save_{award_id}")
        if save:
            changed = {
                **form,
                "title": title,
                "description": description,
                "amount_awarded": amount,
                "award_date": award_date,
                "planned_start": start,
                "planned_end": end,
                "recipient_org_id": org_id,
                "recipient_name": org_name,
                "recipient_type": org_type,
                "funding_stream": stream,
                "priority_area": priority,
                "objectives": objectives,
                "geography_level": level,
                "areas": {"ward": ward_codes, "borough": borough_codes, "london": []}[level],
                "area_amounts": split,
                **place,
            }
            try:
                service.update_award(engine=store, actor=actor, award_id=award_id, version=base, data=changed)
            except ValidationFailed as exc:
                st.session_state[f"edit_problems_{award_id}"] = exc.problems
                st.rerun()
            except service.StaleVersion as exc:
                st.session_state[f"edit_stale_{award_id}"] = str(exc)
                st.rerun()
            else:
                st.session_state[f"edit_problems_{award_id}"] = []
                del st.session_state[version_key]
                st.toast("Saved.")
                st.rerun()

with tabs[1]:
    st.write(f"Status: **{detail['status']}**. Lifecycle: proposed → approved → active → completed, or withdrawn.")
    allowed = detail["allowed_transitions"]
    if not allowed:
        st.caption("This status is final.")
    elif writer:
        try:
            from vru_core.needs.profiles import list_profiles

            profiles = ["", *list_profiles(store)["name"]]
        except ImportError:  # scoring not installed: approval will say so
            profiles = [""]
        profile = ""
        if "approved" in allowed:
            profile = st.selectbox(
                "Scoring profile for the need evidence frozen at approval",
                profiles,
                format_func=lambda p: p or need_evidence.DEFAULT_PROFILE_LABEL,
                key=f"approve_profile_{award_id}",
            )
        note = st.text_input("Note for the audit log (optional)", key=f"transition_note_{award_id}")
        cols = st.columns(len(allowed))
        for col, target in zip(cols, allowed, strict=True):
            if col.button(f"Mark {target}", key=f"to_{target}_{award_id}"):
                try:
                    service.transition_award(
                        engine=store,
                        actor=actor,
                        award_id=award_id,
                        version=detail["version"],
                        to_status=target,
                        profile_name=profile or None,
                        note=note,
                    )
                except (service.StaleVersion, service.TransitionRefused, LookupError, ImportError) as exc:
                    st.error(str(exc))
                else:
                    st.rerun()

with tabs[2]:
    payments = pd.DataFrame(detail["payments"], columns=["id", "paid_on", "amount", "note", "recorded_by"])
    st.dataframe(
        payments.drop(columns=["id"]).assign(amount=payments["amount"].astype(float)),
        hide_index=True,
        width="stretch",
        column_config={"paid_on": date_column("Paid on"), "amount": money_column("Amount")},
        key=f"payments_{award_id}",
    )
    if writer:
        with st.form(f"payment_form_{award_id}", clear_on_submit=True):
            p1, p2, p3 = st.columns([1, 1, 2])
            paid_on = p1.date_input("Paid on", dt.date.today(), key=f"pay_date_{award_id}")
            pay_amount = p2.text_input("Amount (£)", key=f"pay_amount_{award_id}")
            pay_note = p3.text_input("Note", key=f"pay_note_{award_id}")
            if st.form_submit_button("Record payment", key=f"pay_save_{award_id}"):
                try:
                    service.add_payment(
                        engine=store,
                        actor=actor,
                        award_id=award_id,
                        data={"paid_on": paid_on, "amount": pay_amount, "note": pay_note},
                    )
                except ValidationFailed as exc:
                    st.error(str(exc))
                else:
                    st.rerun()

with tabs[3]:
    returns = pd.DataFrame(
        detail["returns"],
        columns=["id", "period", "rag", "people_reached", "under_25_reached", "outputs", "narrative", "recorded_by"],
    )
    st.dataframe(
        returns.drop(columns=["id"]),
        hide_index=True,
        width="stretch",
        key=f"returns_{award_id}",
        column_config={c: words.field(c) for c in returns.columns},
    )
    if writer:
        with st.form(f"return_form_{award_id}", clear_on_submit=True):
            q1, q2, q3, q4 = st.columns(4)
            period = q1.text_input("Period", placeholder="2026-Q3", key=f"ret_period_{award_id}")
            rag = q2.selectbox("RAG", RAG, index=1, key=f"ret_rag_{award_id}")
            people = q3.number_input("People reached", min_value=0, step=1, key=f"ret_people_{award_id}")
            young = q4.number_input("Of whom under 25", min_value=0, step=1, key=f"ret_young_{award_id}")
            outputs = st.text_area("Outputs", key=f"ret_outputs_{award_id}")
            narrative = st.text_area("Narrative", key=f"ret_narrative_{award_id}")
            if st.form_submit_button("Record return", key=f"ret_save_{award_id}"):
                try:
                    service.add_return(
                        engine=store,
                        actor=actor,
                        award_id=award_id,
                        data={
                            "period": period,
                            "rag": rag,
                            "people_reached": people,
                            "under_25_reached": young,
                            "outputs": outputs,
                            "narrative": narrative,
                        },
                    )
                except ValidationFailed as exc:
                    st.error(str(exc))
                else:
                    st.rerun()

with tabs[4]:
    frozen = need_evidence.frozen_evidence(store, award_id)
    if frozen is None:
        st.info(
            "No need evidence is frozen on this award. It is recorded when the award is approved here "
            "(awards imported already approved carry none)."
        )
    else:
        st.write(
            f"Frozen {frozen['frozen_at']:%d %b %Y %H:%M} UTC by {frozen['frozen_by']} under "
            f"**{frozen['profile_name']}** (threshold {frozen['profile'].get('threshold_pct', '?')}%, "
            f"{frozen['wards_scored']} wards scored). It never changes; today's score is beside it."
        )
        try:
            from vru_core.needs.scoring import Profile, score

            today = score(measure_frame(), Profile.from_dict(frozen["profile"])).table
        except ImportError:
            today = pd.DataFrame(columns=["score", "rank"])
        st.dataframe(
            need_evidence.then_and_now(frozen, today).drop(columns=["ward_code"]),
            hide_index=True,
            width="stretch",
            column_config={
                "ward": "Ward",
                "borough": "Borough",
                "score_at_award": st.column_config.NumberColumn("Score at award"),
                "rank_at_award": st.column_config.NumberColumn("Rank at award"),
                "flagged_at_award": st.column_config.TextColumn("Flagged measures at award", width="large"),
                "score_today": st.column_config.NumberColumn("Score today"),
                "rank_today": st.column_config.NumberColumn("Rank today"),
            },
            key=f"evidence_{award_id}",
        )

with tabs[5]:
    history = pd.DataFrame(service.award_history(store, award_id))
    if history.empty:
        st.caption("No recorded changes.")
    else:
        history = history.assign(
            action=history["action"].map(words.action),
            what=history["what"].map(words.entity),
            changed=[words.changes(b, a) for b, a in zip(history["before"], history["after"], strict=True)],
        )
        st.dataframe(
            history[["at", "by", "action", "what", "changed", "note"]],
            hide_index=True,
            width="stretch",
            column_config={
                "at": st.column_config.DatetimeColumn("When (UTC)", format="YYYY-MM-DD HH:mm"),
                "by": "By",
                "action": "Action",
                "what": "Record",
                "changed": st.column_config.TextColumn("What changed (before -> after)", width="large"),
                "note": "Note",
            },
            key=f"history_{award_id}",
        )
