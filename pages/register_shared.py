"""What the commissioning pages share: the cached register, widget choices, money columns. Not a page."""

from __future__ import annotations

import streamlit as st

from pages.common import engine
from vru_core.register import examples
from vru_core.register.query import RegisterData, choices, load_register, register_version
from vru_core.register.validation import Problem

MONEY = "£%,.0f"


@st.cache_data(show_spinner="Loading the register…", max_entries=2)
def _register(_engine, url: str, version: str) -> RegisterData:
    return load_register(_engine)


def register_data() -> RegisterData:
    """The whole register as frames, reloaded only when an award or payment changes."""
    store = engine()
    return _register(store, str(store.url), register_version(store))


@st.cache_data(show_spinner=False, max_entries=4)
def _choices(_engine, url: str) -> dict:
    return choices(_engine)


def labels() -> dict:
    """Codes -> labels for streams, priority areas, objectives, boroughs and wards ('Ward (Borough)')."""
    store = engine()
    return _choices(store, str(store.url))


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
