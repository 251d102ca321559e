"""What the funding-round pages share: the round picker (?round=CODE), the round form, the criteria table,
the application form and the panel paper's table. Not a page itself."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import pandas as pd
import streamlit as st

from ui.feedback import field_errors
from ui.text import plain
from vru_core.register.validation import ORG_TYPES
from vru_core.rounds.paper import DECISIONS
from vru_core.rounds.rounds import DEFAULT_CRITERIA

LEVELS = {"ward": "Wards", "borough": "Boroughs", "london": "London-wide"}


def pick_round(rounds: list[dict], key: str, *, label: str = "Funding round") -> dict | None:
    """The round named in the address (?round=CODE), or one chosen here (which then goes into the address)."""
    if not rounds:
        return None
    codes = [r["code"] for r in rounds]
    wanted = st.query_params.get("round", "")
    index = codes.index(wanted) if wanted in codes else 0
    if wanted and wanted not in codes:
        st.warning(f"There is no round {plain(wanted[:40])} here: showing {plain(codes[0])}.")
    titles = {r["code"]: f"{r['code']} · {r['title']}" for r in rounds}  # no status: a label must not change
    code = st.selectbox(label, codes, index=index, format_func=titles.get, key=key)
    if st.query_params.get("round") != code:
        st.query_params["round"] = code
    return next(r for r in rounds if r["code"] == code)


def example_warning(rnd: Mapping) -> None:
    if rnd["is_example"]:
        st.warning("**EXAMPLE round**: made-up data for trying the pages. It is never published.", icon="🧪")


def criteria_table(rnd: Mapping, key: str) -> None:
    rows = [
        {"Criterion": c["label"], "Weight (%)": c["weight"], "How it is assessed": c["guidance"]}
        for c in rnd["criteria"]
    ]
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch", key=key)


def _date(value: Any, default: dt.date) -> dt.date:
    return value if isinstance(value, dt.date) else default


def round_form(form_key: str, names: Mapping[str, dict], initial: Mapping[str, Any], refusal: str) -> dict | None:
    """Every field of a round; the fields as the services take them when submitted, else None."""
    today = dt.date.today()
    with st.form(form_key):
        c1, c2 = st.columns([1, 3])
        code = c1.text_input(
            "Code (in the address; never changes)",
            initial.get("code", ""),
            key=form_key + "code",
            disabled=bool(initial.get("code")),
            placeholder="YLF-2026-R1",
        )
        title = c2.text_input("Title", initial.get("title", ""), key=form_key + "title")
        for f in ("code", "title"):
            field_errors(refusal, f)
        description = st.text_area("What the round funds", initial.get("description", ""), key=form_key + "desc")
        c3, c4, c5 = st.columns(3)
        streams = names["funding_streams"]
        current = initial.get("funding_stream_code") or next(iter(streams), "")
        stream = c3.selectbox(
            "Funding stream",
            list(streams),
            index=list(streams).index(current) if current in streams else 0,
            format_func=streams.get,
            key=form_key + "stream",
        )
        year = c4.text_input(
            "Financial year (April to March)",
            initial.get("financial_year", f"{today.year}/{(today.year + 1) % 100:02d}"),
            key=form_key + "year",
        )
        budget = c5.text_input("Budget line (£)", str(initial.get("budget") or ""), key=form_key + "budget")
        for f in ("funding_stream", "financial_year", "budget"):
            field_errors(refusal, f)
        d1, d2, d3 = st.columns(3)
        opens = d1.date_input("Opens", _date(initial.get("opens_on"), today), key=form_key + "opens")
        closes = d2.date_input(
            "Closes", _date(initial.get("closes_on"), today + dt.timedelta(days=42)), key=form_key + "closes"
        )
        decides = d3.date_input(
            "Panel decision", _date(initial.get("decision_on"), today + dt.timedelta(days=70)), key=form_key + "decides"
        )
        for f in ("closes_on", "decision_on"):
            field_errors(refusal, f)
        boroughs = st.multiselect(
            "Eligible boroughs (none: all of London)",
            list(names["boroughs"]),
            initial.get("eligible_boroughs", []),
            format_func=names["boroughs"].get,
            key=form_key + "boroughs",
        )
        objectives = st.multiselect(
            "Objectives it funds",
            list(names["objectives"]),
            initial.get("objectives", []),
            format_func=lambda n: f"{n}. {names['objectives'][n]}",
            key=form_key + "obj",
        )
        areas = st.multiselect(
            "Priority areas it funds (none: any)",
            list(names["priority_areas"]),
            initial.get("priority_areas", []),
            format_func=names["priority_areas"].get,
            key=form_key + "areas",
        )
        for f in ("eligible_boroughs", "objectives", "priority_areas"):
            field_errors(refusal, f)
        profiles = ["", *names.get("profiles", [])]
        profile = st.selectbox(
            "Scoring profile for the need criterion (frozen when the round opens)",
            profiles,
            index=profiles.index(initial.get("profile_name", "")) if initial.get("profile_name", "") in profiles else 0,
            format_func=lambda p: p or "The default profile",
            key=form_key + "profile",
        )
        field_errors(refusal, "profile_name")
        st.markdown("**Published criteria and weights** (whole numbers adding up to 100)")
        weights = {}
        given = {c["code"]: c["weight"] for c in initial.get("criteria", [])}
        for column, criterion in zip(st.columns(len(DEFAULT_CRITERIA)), DEFAULT_CRITERIA, strict=True):
            weights[criterion.code] = column.number_input(
                criterion.label, 0, 100, given.get(criterion.code, criterion.weight), key=form_key + criterion.code
            )
            with column:
                field_errors(refusal, f"weight_{criterion.code}")
        field_errors(refusal, "weights")
        gap = st.number_input(
            "Moderation gap: list scores further apart than (points)",
            0,
            5,
            int(initial.get("moderation_gap", 2)),
            key=form_key + "gap",
        )
        if not st.form_submit_button("Save round", type="primary", key=form_key + "submit"):
            return None
    return {
        "code": code or initial.get("code", ""),
        "title": title,
        "description": description,
        "funding_stream": stream,
        "financial_year": year,
        "budget": budget,
        "opens_on": opens,
        "closes_on": closes,
        "decision_on": decides,
        "eligible_boroughs": boroughs,
        "objectives": objectives,
        "priority_areas": areas,
        "profile_name": profile,
        "weights": weights,
        "moderation_gap": gap,
    }


ROUND_FIELDS = (
    "code",
    "title",
    "funding_stream",
    "financial_year",
    "budget",
    "closes_on",
    "decision_on",
    "eligible_boroughs",
    "objectives",
    "priority_areas",
    "profile_name",
    "weights",
    *(f"weight_{c.code}" for c in DEFAULT_CRITERIA),
)
APPLICATION_FIELDS = (
    "applicant_org_id",
    "applicant_name",
    "charity_number",
    "company_number",
    "project_title",
    "amount_requested",
    "planned_end",
    "objectives",
    "areas",
    "priority_area",
    "geography_level",
)


def application_form(form_key: str, names: Mapping[str, dict], rnd: Mapping, refusal: str) -> dict | None:
    """The fields of one application, as the services take them, when submitted."""
    with st.form(form_key, clear_on_submit=False):
        c1, c2 = st.columns(2)
        org_id = c1.text_input(
            "Applicant's 360Giving organisation identifier", key=form_key + "org", placeholder="GB-CHC-1123456"
        )
        name = c2.text_input("Applicant organisation's name", key=form_key + "name")
        c3, c4, c5 = st.columns(3)
        kind = c3.selectbox("Type", list(ORG_TYPES), format_func=ORG_TYPES.get, key=form_key + "type")
        charity = c4.text_input("Charity number", key=form_key + "charity")
        company = c5.text_input("Company number", key=form_key + "company")
        title = st.text_input("Project title", key=form_key + "title")
        description = st.text_area("What the money would pay for", key=form_key + "desc")
        c6, c7, c8 = st.columns(3)
        amount = c6.text_input("Amount requested (£)", key=form_key + "amount")
        start = c7.date_input("Planned start", rnd["closes_on"] + dt.timedelta(days=60), key=form_key + "start")
        end = c8.date_input("Planned end", rnd["closes_on"] + dt.timedelta(days=425), key=form_key + "end")
        objectives = st.multiselect(
            "Objectives",
            rnd["objectives"],
            format_func=lambda n: f"{n}. {names['objectives'][n]}",
            key=form_key + "obj",
        )
        areas_on_offer = rnd["priority_areas"] or list(names["priority_areas"])
        area = st.selectbox(
            "Priority area", areas_on_offer, format_func=names["priority_areas"].get, key=form_key + "pa"
        )
        level = st.radio("Where", list(LEVELS), format_func=LEVELS.get, horizontal=True, key=form_key + "level")
        eligible = set(rnd["eligible_boroughs"])
        places = {
            c: n
            for c, n in {**names["wards"], **names["boroughs"]}.items()
            if not eligible or (c in eligible) or names["ward_borough"].get(c) in eligible
        }
        codes = st.multiselect(
            "Wards or boroughs (type a name to search)", list(places), format_func=places.get, key=form_key + "places"
        )
        for f in APPLICATION_FIELDS:
            field_errors(refusal, f)
        if not st.form_submit_button("Save application", type="primary", key=form_key + "submit"):
            return None
    return {
        "applicant_org_id": org_id,
        "applicant_name": name,
        "applicant_type": kind,
        "charity_number": charity,
        "company_number": company,
        "project_title": title,
        "description": description,
        "amount_requested": amount,
        "planned_start": start,
        "planned_end": end,
        "objectives": objectives,
        "priority_area": area,
        "geography_level": level,
        "areas": [] if level == "london" else codes,
    }


def paper_table(table: pd.DataFrame, rnd: Mapping, key: str) -> None:
    labels = {f"points_{c['code']}": f"{c['label']} ({c['weight']}%)" for c in rnd["criteria"]}
    order = [
        "rank",
        "reference",
        "project",
        "applicant",
        "amount_requested",
        "weighted_score",
        "decision",
        "cumulative_amount",
        "within_budget",
        "need_figure",
        *labels,
        "assessors",
        "complete",
        "decision_reason",
        "applicant_org_id",
    ]
    shown = table.assign(decision=table["decision"].map(DECISIONS))[order]
    config = {
        "rank": st.column_config.NumberColumn("Rank", width="small"),
        "reference": "Ref",
        "applicant": "Applicant",
        "applicant_org_id": "Organisation id",
        "project": "Project",
        "amount_requested": st.column_config.NumberColumn("Requested (£)", format="localized"),
        "need_figure": st.column_config.NumberColumn(
            "Need figure", help="Mean ward need score under the round's frozen profile", format="%.2f"
        ),
        **{c: st.column_config.NumberColumn(label, format="%.2f") for c, label in labels.items()},
        "weighted_score": st.column_config.NumberColumn("Weighted score (of 100)", format="%.2f"),
        "assessors": "Assessors",
        "complete": "Fully assessed",
        "cumulative_amount": st.column_config.NumberColumn("Cumulative (£)", format="localized"),
        "within_budget": "Within budget line",
        "decision": "Decision",
        "decision_reason": "Reason",
    }
    st.dataframe(shown, hide_index=True, width="stretch", key=key, column_config=config)


def act(key: str, fn: Any, /, **kwargs: Any) -> None:
    """Run one write through `ui.feedback.attempt` and rerun the page: on success to show the result, on a
    refusal so each problem appears beside its field (the form was drawn before the save was tried)."""
    from ui.feedback import attempt

    attempt(key, fn, **kwargs)
    st.rerun()


def need_evidence(application: Any, rnd: Mapping, key: str) -> None:
    """An application's need figure and points, with each ward's score, rank and flagged measures (periods)."""
    n1, n2 = st.columns(2)
    n1.metric("Need figure", f"{application.need_figure:.2f}", help="Mean ward need score, round's frozen profile")
    n2.metric("Need points (of 5, computed)", f"{application.need_points:.2f}", help="5 × figure ÷ London's highest")
    st.caption(f"Scoring profile frozen on {rnd['opened_at']:%d %b %Y}; each flagged measure names its data period.")
    wards = pd.DataFrame(application.need_evidence.get("wards", []))
    if wards.empty:
        return
    wards["flagged"] = wards["flagged"].map(lambda f: "; ".join(f"{x['label']} ({x['period']})" for x in f))
    config = {
        "ward_name": "Ward",
        "borough_name": "Borough",
        "score": "Need score",
        "rank": "Rank",
        "flagged": "Flagged measures (period)",
        "note": "Note",
    }
    shown = wards.drop(columns=["ward_code"], errors="ignore")
    st.dataframe(shown, hide_index=True, width="stretch", key=key, column_config=config)


def award_origin_note(store: Any, award_id: int) -> None:
    """On an award made by a funding round: which round and application, its assessment and the panel's reason."""
    from vru_core.rounds.decisions import award_origin

    origin = award_origin(store, award_id)
    if origin is None:
        return
    score = "not fully assessed" if origin["weighted_score"] is None else f"{origin['weighted_score']:.2f} of 100"
    st.info(
        f"From funding round {plain(origin['round'])}, application {plain(origin['application'])}: weighted score "
        f"{score} (rank {origin['rank']} of {origin['of']}), need figure {origin['need_figure']:.2f}; assessed by "
        f"{plain(', '.join(origin['assessors']) or 'nobody')}. Panel's reason: {plain(origin['decision_reason'])}",
        icon="🗳️",
    )
