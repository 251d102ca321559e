"""Small pieces of page the areas share: money and date columns, the examples banner, RAG badges."""

from __future__ import annotations

import streamlit as st

from ui.session import engine
from vru_core.framework.rag import Rag
from vru_core.register import examples

MONEY = "£%,.0f"


def money_column(label: str) -> st.column_config.NumberColumn:
    return st.column_config.NumberColumn(label, format=MONEY)


def pence_column(label: str) -> st.column_config.NumberColumn:
    """Money to the penny (budgets): £1,234.56."""
    return st.column_config.NumberColumn(label, format="£%,.2f")


def award_columns(title_width: str = "large") -> dict:
    """The columns every list of awards shares: the link to the award page, identifier, title, recipient."""
    return {
        "open": st.column_config.LinkColumn("Award", display_text="Open", width="small"),
        "identifier": "Identifier",
        "title": st.column_config.TextColumn("Title", width=title_width),
        "recipient": "Recipient",
    }


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
