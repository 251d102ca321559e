"""The one award form: the New award page and the award page's edit both draw it, so they never drift.

`award_form` draws every field a person sets (the award, the recipient with its charity and company
numbers, the strategy links, the places and the optional split), each with its problems from the last
refused save right under it, and returns the fields in the shape the services take when submitted.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import streamlit as st

from ui.feedback import field_errors
from vru_core.platform.inputs import EARLIEST_DATE, latest_date
from vru_core.register.codes_360 import REGRANT_TYPES
from vru_core.register.validation import GEOGRAPHY_LEVELS, ORG_TYPES

LEVEL_LABELS = {"ward": "Wards", "borough": "Boroughs", "london": "London-wide"}


def new_award_defaults() -> dict[str, Any]:
    today = dt.date.today()
    return {
        "award_date": today,
        "planned_start": today,
        "planned_end": today + dt.timedelta(days=365),
        "recipient_type": "voluntary_community",
        "geography_level": "ward",
    }


def _choice(options: list, current: Any) -> tuple[list, int | None]:
    """A stored value that is no longer offered (an inactive stream) stays selectable on its own record."""
    if current not in options and current not in (None, ""):
        options = [*options, current]
    return options, (options.index(current) if current in options else None)


def _labelled_choice(label: str, options: dict, current: str, key: str, help: str) -> str:
    codes, at = _choice(list(options), current or "")
    return st.selectbox(label, codes, index=at or 0, format_func=lambda c: options.get(c, c), key=key, help=help)


def _place_inputs(names: Mapping[str, dict], refusal_key: str, key: str, initial: Mapping[str, Any]) -> dict:
    """Where the recipient is based (postcode, borough or ward) and whether the award funds onward grants:
    360Giving's recipient location and regrant type."""
    p1, p2, p3 = st.columns(3)
    with p1:
        postcode = st.text_input(
            "Recipient's postcode", initial.get("recipient_postcode", ""), key=key + "postcode", placeholder="E8 1AA"
        )
        field_errors(refusal_key, "recipient_postcode")
    with p2:
        location = _labelled_choice(
            "Borough or ward where the recipient is based",
            {"": "Not given", **names["boroughs"], **names["wards"]},
            initial.get("recipient_location", ""),
            key + "location",
            "Published as the recipient's location. Leaving it blank keeps what is already recorded.",
        )
        field_errors(refusal_key, "recipient_location")
    with p3:
        regrant = _labelled_choice(
            "Onward grants (councils and intermediaries)",
            {"": "No: the recipient spends the grant itself", **REGRANT_TYPES},
            initial.get("regrant_type", ""),
            key + "regrant",
            "360Giving's regrant type, for an award the recipient passes on as grants to others.",
        )
        field_errors(refusal_key, "regrant_type")
    return {"recipient_postcode": postcode, "recipient_location": location, "regrant_type": regrant}


def award_form(
    form_key: str,
    key: str,
    names: Mapping[str, dict],
    initial: Mapping[str, Any],
    *,
    refusal_key: str,
    submit_label: str,
) -> dict[str, Any] | None:
    """Draw the form; the fields as the services take them when submitted, else None.

    `key` prefixes every widget key (include the record's version so a reload starts afresh);
    problems of the last refused save under `refusal_key` show beside their fields."""
    dates = {"min_value": EARLIEST_DATE, "max_value": latest_date(), "format": "YYYY-MM-DD"}
    with st.form(form_key, clear_on_submit=False):
        st.subheader("The award")
        title = st.text_input("Title", initial.get("title", ""), key=key + "title", max_chars=300)
        field_errors(refusal_key, "title")
        description = st.text_area("Description", initial.get("description", ""), key=key + "description")
        field_errors(refusal_key, "description")
        c1, c2, c3, c4 = st.columns(4)
        with c1:
            amount = st.text_input(
                "Amount awarded (£)", initial.get("amount_awarded", ""), key=key + "amount", placeholder="45000"
            )
            field_errors(refusal_key, "amount_awarded")
        with c2:
            award_date = st.date_input("Award date", initial.get("award_date"), key=key + "award_date", **dates)
            field_errors(refusal_key, "award_date")
        with c3:
            start = st.date_input("Planned start", initial.get("planned_start"), key=key + "start", **dates)
            field_errors(refusal_key, "planned_start")
        with c4:
            end = st.date_input("Planned end", initial.get("planned_end"), key=key + "end", **dates)
            field_errors(refusal_key, "planned_end")

        st.subheader("Recipient")
        r1, r2 = st.columns(2)
        with r1:
            org_id = st.text_input(
                "360Giving organisation identifier",
                initial.get("recipient_org_id", ""),
                key=key + "org_id",
                placeholder="GB-CHC-1123456 or GB-COH-01234567",
            )
            field_errors(refusal_key, "recipient_org_id")
            types, type_at = _choice(list(ORG_TYPES), initial.get("recipient_type") or "voluntary_community")
            org_type = st.selectbox(
                "Type", types, index=type_at, format_func=lambda t: ORG_TYPES.get(t, t), key=key + "org_type"
            )
        with r2:
            org_name = st.text_input("Organisation name", initial.get("recipient_name", ""), key=key + "org_name")
            field_errors(refusal_key, "recipient_name")
            n1, n2 = st.columns(2)
            charity = n1.text_input("Charity number", initial.get("charity_number", ""), key=key + "charity")
            company = n2.text_input("Company number", initial.get("company_number", ""), key=key + "company")
        field_errors(refusal_key, "charity_number")
        field_errors(refusal_key, "company_number")
        place = _place_inputs(names, refusal_key, key, initial)

        st.subheader("Strategy")
        streams = names["funding_streams"]
        s1, s2 = st.columns(2)
        with s1:
            stream_options, stream_at = _choice(list(streams), initial.get("funding_stream"))
            stream = st.selectbox(
                "Funding stream",
                stream_options,
                index=stream_at if stream_at is not None else 0,
                format_func=lambda c: streams.get(c, c),
                key=key + "stream",
            )
            field_errors(refusal_key, "funding_stream")
            objectives = st.multiselect(
                "Objectives (one or more of the eight)",
                list(names["objectives"]),
                default=[n for n in initial.get("objectives", []) if n in names["objectives"]],
                format_func=lambda n: f"{n}. {names['objectives'][n]}",
                key=key + "objectives",
            )
            field_errors(refusal_key, "objectives")
        with s2:
            areas_of_work = names["priority_areas"]
            priority_options, priority_at = _choice(["", *areas_of_work], initial.get("priority_area") or "")
            priority = st.selectbox(
                "First-year priority area",
                priority_options,
                index=priority_at or 0,
                format_func=lambda c: areas_of_work.get(c, c or "None"),
                key=key + "priority",
            )
            field_errors(refusal_key, "priority_area")

        st.subheader("Where")
        level_now = initial.get("geography_level") or "ward"
        level = st.radio(
            "Geography",
            GEOGRAPHY_LEVELS,
            index=GEOGRAPHY_LEVELS.index(level_now),
            format_func=LEVEL_LABELS.get,
            horizontal=True,
            key=key + "level",
        )
        field_errors(refusal_key, "geography_level")
        w1, w2 = st.columns(2)
        chosen = list(initial.get("areas", []))
        ward_codes = w1.multiselect(
            "Wards (type a ward or borough name to search; used when Geography is Wards)",
            list(names["wards"]),
            default=[c for c in chosen if c in names["wards"]] if level_now == "ward" else [],
            format_func=names["wards"].get,
            key=key + "wards",
        )
        borough_codes = w2.multiselect(
            "Boroughs (used when Geography is Boroughs)",
            list(names["boroughs"]),
            default=[c for c in chosen if c in names["boroughs"]] if level_now == "borough" else [],
            format_func=names["boroughs"].get,
            key=key + "boroughs",
        )
        field_errors(refusal_key, "areas")
        split = st.text_input(
            "Optional split of the amount across the chosen areas (same order, separated by ';')",
            initial.get("area_amounts", ""),
            key=key + "split",
            placeholder="15000;15000;15000",
        )
        field_errors(refusal_key, "area_amounts")
        submitted = st.form_submit_button(submit_label, type="primary", key=key + "submit")
    if not submitted:
        return None
    return {
        "identifier": initial.get("identifier", ""),
        "title": title,
        "description": description,
        "recipient_org_id": org_id,
        "recipient_name": org_name,
        "recipient_type": org_type,
        "charity_number": charity,
        "company_number": company,
        "amount_awarded": amount,
        "award_date": award_date,
        "planned_start": start,
        "planned_end": end,
        "funding_stream": stream,
        "priority_area": priority,
        "objectives": objectives,
        "geography_level": level,
        "areas": {"ward": ward_codes, "borough": borough_codes, "london": []}[level],
        "area_amounts": split,
        **place,
    }
