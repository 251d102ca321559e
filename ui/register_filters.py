"""The register page's filter, sort and page widgets, whose values outlive a visit to another page.

Streamlit deletes a widget's session-state key when its page is left, so the values are also kept in a
key of their own (REMEMBERED) and every widget is seeded from it on each visit.
"""

from __future__ import annotations

import datetime as dt

import streamlit as st

from ui.widgets import award_columns, date_column, money_column
from vru_core.register.query import RegisterFilter
from vru_core.register.register_view import SORT_LABELS
from vru_core.register.statuses import STATUSES

REMEMBERED = "register_view_state"  # not a widget key: Streamlit leaves it alone
PAGE_SIZES = [25, 50, 100, 200]
REGISTER_COLUMNS = {
    **award_columns(),
    "amount": money_column("Amount"),
    "paid": money_column("Paid"),
    "status": "Status",
    "award_date": date_column("Award date"),
    "planned_start": date_column("Start"),
    "planned_end": date_column("End"),
    "funding_stream_name": "Funding stream",
    "priority_area_title": "Priority area",
    "geography_level": "Geography",
    "example": "Example?",
}


def _saved() -> dict:
    return st.session_state.setdefault(REMEMBERED, {})


def seed(key: str, default):
    """The widget's key, its value restored from the remembered values (or `default` on a first visit)."""
    if key not in st.session_state:
        st.session_state[key] = _saved().get(key, default)
    return key


def register_filters(names: dict, extent: tuple, n_examples: int) -> tuple[RegisterFilter, str, bool, int]:
    """The filter form: (filter, sort column, descending, page size). `extent` (`register_extent`: awards,
    first and last award date) gives the date defaults."""
    _, first, last = extent
    with st.expander("Filters", expanded=True):
        c1, c2, c3 = st.columns(3)
        streams = c1.multiselect(
            "Funding stream",
            list(names["funding_streams"]),
            format_func=names["funding_streams"].get,
            key=seed("reg_streams", []),
        )
        objectives = c2.multiselect(
            "Objective",
            list(names["objectives"]),
            format_func=lambda n: f"{n}. {names['objectives'][n]}",
            key=seed("reg_obj", []),
        )
        priorities = c3.multiselect(
            "Priority area",
            list(names["priority_areas"]),
            format_func=names["priority_areas"].get,
            key=seed("reg_priority", []),
        )
        c4, c5, c6 = st.columns(3)
        boroughs = c4.multiselect(
            "Borough", list(names["boroughs"]), format_func=names["boroughs"].get, key=seed("reg_borough", [])
        )
        wards = c5.multiselect(
            "Ward (type to search)", list(names["wards"]), format_func=names["wards"].get, key=seed("reg_wards", [])
        )
        statuses = c6.multiselect("Status", STATUSES, key=seed("reg_status", []))
        c7, c8, c9 = st.columns(3)
        date_from = c7.date_input("Awarded from", key=seed("reg_from", first))
        date_to = c8.date_input("Awarded to", key=seed("reg_to", max(last, dt.date.today())))
        text = c9.text_input("Search title, recipient or identifier", key=seed("reg_text", ""))
        examples = st.checkbox("Include EXAMPLE awards", key=seed("reg_examples", True)) if n_examples else False
        s1, s2, s3 = st.columns(3)
        sort = s1.selectbox(
            "Sort by", list(SORT_LABELS), format_func=SORT_LABELS.get, key=seed("reg_sort", "award_date")
        )
        descending = s2.toggle("Largest, latest or Z first", key=seed("reg_desc", True))
        page_size = s3.selectbox("Awards per page", PAGE_SIZES, key=seed("reg_size", 50))
    flt = RegisterFilter(
        funding_streams=tuple(streams),
        objectives=tuple(objectives),
        priority_areas=tuple(priorities),
        boroughs=tuple(boroughs),
        wards=tuple(wards),
        statuses=tuple(statuses),
        date_from=date_from,
        date_to=date_to,
        include_examples=examples,
        text=text,
    )
    return flt, sort, descending, page_size


def asked_page(asked: tuple) -> int:
    """The page number to show: page 1 when the filter, order or page size changed, else the one chosen."""
    saved = _saved()
    if saved.get("asked") != asked:
        st.session_state["reg_page"] = 1
    saved["asked"] = asked
    return int(st.session_state.get("reg_page", saved.get("reg_page", 1)))


def remember() -> None:
    """Keep every register widget's value for the next visit."""
    _saved().update({k: st.session_state[k] for k in list(st.session_state) if str(k).startswith("reg_")})
