"""Small pieces of page the areas share: money and date columns, the examples banner, field errors, RAG badges,
the recipient's place and onward-grant inputs of the award forms."""

from __future__ import annotations

import streamlit as st

from ui.session import engine
from vru_core.framework.rag import Rag
from vru_core.register import examples
from vru_core.register.codes_360 import REGRANT_TYPES
from vru_core.register.validation import Problem

MONEY = "£%,.0f"


def money_column(label: str) -> st.column_config.NumberColumn:
    return st.column_config.NumberColumn(label, format=MONEY)


def date_column(label: str) -> st.column_config.DateColumn:
    return st.column_config.DateColumn(label, format="YYYY-MM-DD")


def examples_banner() -> int:
    """Say plainly when example awards are present; returns how many."""
    n = examples.has_examples(engine())
    if n:
        st.warning(
            f"**{n} EXAMPLE awards are in this register.** They are made-up data for trying the pages "
            "(names and identifiers say EXAMPLE), are never published in exports, and a commissioner can "
            "remove them all on the Register page.",
            icon="🧪",
        )
    return n


def field_errors(problems: list[Problem], field: str) -> None:
    """Show the problems for one field right under its widget."""
    for p in problems:
        if p.field == field:
            st.error(p.message, icon="⚠️")


def badge(status: str, prefix: str = "") -> None:
    r = Rag(status)
    st.badge(f"{prefix}{r.label}", color=r.colour)


def priority_area_money_table(areas, key: str) -> None:
    """A vru_core.framework.register_indicators.priority_area_money table: title, committed, awards, active."""
    st.dataframe(
        areas.rename(
            columns={
                "title": "Priority area",
                "money": "Committed (£)",
                "awards": "Awards",
                "active_awards": "Active awards",
            }
        ),
        hide_index=True,
        width="stretch",
        key=key,
        column_config={"Committed (£)": st.column_config.NumberColumn(format="localized")},
    )


def _choice(label: str, options: dict, current: str, key: str, help: str) -> str:
    codes = list(options)
    return st.selectbox(
        label, codes, index=codes.index(current) if current in codes else 0, format_func=options.get, key=key, help=help
    )


def recipient_place_inputs(names: dict, problems: list[Problem], key: str, form: dict | None = None) -> dict:
    """Where the recipient is based (postcode, borough or ward) and whether the award funds onward grants:
    the 360Giving fields the award forms share. Returns them as form fields."""
    form = form or {}
    p1, p2, p3 = st.columns(3)
    with p1:
        postcode = st.text_input(
            "Recipient's postcode", form.get("recipient_postcode", ""), key=key + "postcode", placeholder="E8 1AA"
        )
        field_errors(problems, "recipient_postcode")
    with p2:
        location = _choice(
            "Borough or ward where the recipient is based",
            {"": "Not given", **names["boroughs"], **names["wards"]},
            form.get("recipient_location", ""),
            key + "location",
            "Published as the recipient's location. Leaving it blank keeps what is already recorded.",
        )
        field_errors(problems, "recipient_location")
    with p3:
        regrant = _choice(
            "Onward grants (councils and intermediaries)",
            {"": "No: the recipient spends the grant itself", **REGRANT_TYPES},
            form.get("regrant_type", ""),
            key + "regrant",
            "360Giving's regrant type, for an award the recipient passes on as grants to others.",
        )
        field_errors(problems, "regrant_type")
    return {"recipient_postcode": postcode, "recipient_location": location, "regrant_type": regrant}
