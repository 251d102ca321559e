"""The award page's sections, one function each (the page itself only lays them out).

Every write names the award version the person opened (`ui.feedback.opened_version`), so an edit or
an approval is refused if anyone saved the award since, rather than covering changes never seen.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import pandas as pd
import streamlit as st

from ui.award_form import award_form
from ui.cached import measure_frame
from ui.feedback import attempt, field_errors, moved_on, refusal, show_refusal
from ui.text import plain
from ui.widgets import date_column, money_column
from vru_core.platform import labels as words
from vru_core.platform.auth import Actor, Permission
from vru_core.platform.inputs import EARLIEST_DATE, latest_date
from vru_core.register import need_evidence
from vru_core.register.lifecycle import transition_award, update_award
from vru_core.register.money import add_payment, add_return
from vru_core.register.reads import AwardDetail, award_history
from vru_core.register.validation import AWARD_FIELDS, RAG


def details(detail: AwardDetail, names: dict) -> None:
    area_names = {**names["wards"], **names["boroughs"]}
    objectives = "; ".join(f"{n}. {names['objectives'].get(n, n)}" for n in detail.objectives)
    places = ", ".join(area_names.get(c, c) for c in detail.areas) or "London-wide"
    rows = [
        ("Funding stream", names["funding_streams"].get(detail.funding_stream, detail.funding_stream)),
        ("Priority area", names["priority_areas"].get(detail.priority_area or "", "none")),
        ("Objectives", objectives),
        ("Geography", f"{detail.geography_level}: {places}"),
        ("Recipient", f"{detail.recipient_name} ({detail.recipient_org_id})"),
        ("Charity / company number", f"{detail.charity_number or '—'} / {detail.company_number or '—'}"),
        ("Description", detail.description or "—"),
    ]
    st.markdown("  \n".join(f"**{label}:** {plain(value)}" for label, value in rows))


def edit(detail: AwardDetail, names: dict, *, store, actor: Actor, opened: int, opened_key: str) -> None:
    key = f"award_edit_{detail.id}"
    if refusal(key) is not None:
        show_refusal(key, fields_shown=AWARD_FIELDS)
    with st.expander("Edit this award", expanded=refusal(key) is not None):
        data = award_form(
            f"edit_form_{detail.id}",
            f"edit_{detail.id}_{opened}_",
            names,
            detail.form_data(),
            refusal_key=key,
            submit_label="Save changes",
        )
    if data is not None:
        ok, version = attempt(
            key, update_award, engine=store, actor=actor, award_id=detail.id, version=opened, data=data
        )
        if ok:
            moved_on(opened_key, version)
            st.toast("Saved.")
        st.rerun()


def status(detail: AwardDetail, *, store, actor: Actor, opened: int, opened_key: str, profiles: list[str]) -> None:
    st.write(f"Status: **{detail.status}**. Lifecycle: proposed → approved → active → completed, or withdrawn.")
    key = f"award_status_{detail.id}"
    show_refusal(key)
    allowed = detail.allowed_transitions
    if not allowed:
        st.caption("This status is final.")
        return
    profile = ""
    if "approved" in allowed:
        profile = st.selectbox(
            "Scoring profile for the need evidence frozen at approval",
            ["", *profiles],
            format_func=lambda p: p or need_evidence.DEFAULT_PROFILE_LABEL,
            key=f"approve_profile_{detail.id}",
        )
        st.caption(
            f"Approving approves version {opened} of this award, as you opened it: "
            f"£{detail.amount_awarded:,.2f} to {plain(detail.recipient_name)}. Whoever created or assessed it "
            "cannot approve it, and each role approves up to its limit (see README, Budgets and controls)."
        )
    override = ""
    if "approved" in allowed and actor.can(Permission.BUDGET_WRITE):
        override = st.text_input(
            "Budget override reason (administrators; only if approving would over-commit the stream's budget)",
            key=f"approve_override_{detail.id}",
            max_chars=500,
        )
    note = st.text_input("Note for the audit log (optional)", key=f"transition_note_{detail.id}", max_chars=500)
    for col, target in zip(st.columns(len(allowed)), allowed, strict=True):
        if col.button(f"Mark {target}", key=f"to_{target}_{detail.id}"):
            ok, version = attempt(
                key,
                transition_award,
                engine=store,
                actor=actor,
                award_id=detail.id,
                version=opened,
                to_status=target,
                profile_name=profile or None,
                note=note,
                override_reason=override,
            )
            if ok:
                moved_on(opened_key, version)
            st.rerun()


def payments(detail: AwardDetail, *, store, actor: Actor | None) -> None:
    table = pd.DataFrame(
        [dataclasses.asdict(p) for p in detail.payments],
        columns=["id", "paid_on", "amount", "note", "recorded_by", "version"],
    )
    st.dataframe(
        table[["paid_on", "amount", "note", "recorded_by"]].assign(amount=table["amount"].astype(float)),
        hide_index=True,
        width="stretch",
        column_config={"paid_on": date_column("Paid on"), "amount": money_column("Amount")},
        key=f"payments_{detail.id}",
    )
    if actor is None:
        return
    key = f"award_payment_{detail.id}"
    show_refusal(key, fields_shown=("amount", "paid_on", "note"))
    with st.form(f"payment_form_{detail.id}", clear_on_submit=True):
        p1, p2, p3 = st.columns([1, 1, 2])
        paid_on = p1.date_input(
            "Paid on", dt.date.today(), min_value=EARLIEST_DATE, max_value=latest_date(), key=f"pay_date_{detail.id}"
        )
        amount = p2.text_input("Amount (£)", key=f"pay_amount_{detail.id}")
        note = p3.text_input("Note", key=f"pay_note_{detail.id}", max_chars=500)
        for name in ("amount", "paid_on", "note"):
            field_errors(key, name)
        if st.form_submit_button("Record payment", key=f"pay_save_{detail.id}"):
            data = {"paid_on": paid_on, "amount": amount, "note": note}
            attempt(key, add_payment, engine=store, actor=actor, award_id=detail.id, data=data)
            st.rerun()


RETURN_FIELDS = ("period", "rag", "people_reached", "under_25_reached", "outputs", "narrative")


def returns(detail: AwardDetail, *, store, actor: Actor | None) -> None:
    table = pd.DataFrame([dataclasses.asdict(r) for r in detail.returns], columns=["id", *RETURN_FIELDS, "recorded_by"])
    st.dataframe(
        table.drop(columns=["id"]),
        hide_index=True,
        width="stretch",
        key=f"returns_{detail.id}",
        column_config={c: words.field(c) for c in table.columns},
    )
    if actor is None:
        return
    key = f"award_return_{detail.id}"
    show_refusal(key, fields_shown=RETURN_FIELDS)
    with st.form(f"return_form_{detail.id}", clear_on_submit=True):
        q1, q2, q3, q4 = st.columns(4)
        values = {
            "period": q1.text_input("Period", placeholder="2026-Q3", key=f"ret_period_{detail.id}"),
            "rag": q2.selectbox("RAG", RAG, index=1, key=f"ret_rag_{detail.id}"),
            "people_reached": q3.number_input("People reached", min_value=0, step=1, key=f"ret_people_{detail.id}"),
            "under_25_reached": q4.number_input("Of whom under 25", min_value=0, step=1, key=f"ret_young_{detail.id}"),
            "outputs": st.text_area("Outputs", key=f"ret_outputs_{detail.id}"),
            "narrative": st.text_area("Narrative", key=f"ret_narrative_{detail.id}"),
        }
        for name in RETURN_FIELDS:
            field_errors(key, name)
        if st.form_submit_button("Record return", key=f"ret_save_{detail.id}"):
            attempt(key, add_return, engine=store, actor=actor, award_id=detail.id, data=values)
            st.rerun()


def evidence(store, award_id: int) -> None:
    frozen = need_evidence.frozen_evidence(store, award_id)
    if frozen is None:
        st.info(
            "No need evidence is frozen on this award. It is recorded when the award is approved here "
            "(awards imported already approved carry none)."
        )
        return
    st.write(
        f"Frozen {frozen['frozen_at']:%d %b %Y %H:%M} UTC by {plain(frozen['frozen_by'])} under "
        f"**{plain(frozen['profile_name'])}** (threshold {frozen['profile'].get('threshold_pct', '?')}%, "
        f"{frozen['wards_scored']} wards scored). It never changes; today's score is beside it."
    )
    from vru_core.needs.scoring import Profile, score

    today = score(measure_frame(), Profile.from_dict(frozen["profile"])).table
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


def history(store, award_id: int) -> None:
    entries = pd.DataFrame([dataclasses.asdict(e) for e in award_history(store, award_id)])
    if entries.empty:
        st.caption("No recorded changes.")
        return
    entries = entries.assign(
        action=entries["action"].map(words.action),
        what=entries["what"].map(words.entity),
        changed=[words.changes(b, a) for b, a in zip(entries["before"], entries["after"], strict=True)],
    )
    st.dataframe(
        entries[["at", "by", "action", "what", "changed", "note"]],
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
    with st.expander("Before and after values"):
        st.json(entries[["at", "by", "action", "before", "after"]].astype(str).to_dict("records"), expanded=False)
