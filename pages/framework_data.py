"""Cached framework data for the performance pages (a helper module, not a page)."""

from __future__ import annotations

import streamlit as st
from sqlalchemy import Engine

from pages.common import engine
from vru_core.framework.indicators import Overview, build_overview, framework_version
from vru_core.framework.rag import Rag


@st.cache_data(show_spinner="Computing the indicators…", max_entries=4)
def _overview(_engine: Engine, version: str) -> Overview:
    return build_overview(_engine)


def overview() -> Overview:
    """The overview, recomputed only when indicators, values, thresholds, the register or the data change."""
    store = engine()
    return _overview(store, f"{store.url}|{framework_version(store)}")


def badge(status: str, prefix: str = "") -> None:
    r = Rag(status)
    st.badge(f"{prefix}{r.label}", color=r.colour)
