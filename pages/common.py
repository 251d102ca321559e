"""What every page shares: the store, the signed-in actor and cached data. Not a page itself."""

from __future__ import annotations

import streamlit as st
from sqlalchemy import Engine
from streamlit.runtime.pages_manager import PagesManager

from vru_core.auth import Actor, Permission
from vru_core.config import get_settings
from vru_core.db import get_engine
from vru_core.load import ensure_loaded
from vru_core.maps import MapFeatures, ward_features


def _leave_legacy_pages_mode() -> None:
    """Streamlit treats a folder named pages/ beside the entry as old-style pages until the entry has
    called st.navigation once in this process, so a first visit straight to /trends would run that page
    alone, without our navigation. Switch the process to st.navigation and restart the run there."""
    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


_leave_legacy_pages_mode()
from vru_core.measures import MeasureFrame, data_version, load_measure_frame


@st.cache_resource(show_spinner="Opening the store and loading the bundled London data (first start only)…")
def _engine_for(url: str) -> Engine:
    store = get_engine(url)
    ensure_loaded(store)
    return store


def engine() -> Engine:
    """One engine per store URL; migrating and loading the bundle happen once, on first use."""
    return _engine_for(get_settings().database_url)


def _cache_key(store: Engine) -> str:
    return f"{store.url}|{data_version(store)}"


@st.cache_resource(show_spinner="Loading measures…", max_entries=4)
def _measure_frame(_engine: Engine, key: str) -> MeasureFrame:
    # A resource, not data: every session shares one read-only frame instead of unpickling a copy per run.
    return load_measure_frame(_engine)


def measure_frame() -> MeasureFrame:
    """Wards x measures, reloaded only when the measures in the store change."""
    store = engine()
    return _measure_frame(store, _cache_key(store))


@st.cache_resource(show_spinner=False, max_entries=4)
def _ward_features(_engine: Engine, key: str) -> MapFeatures:
    return ward_features(_engine)


def map_features() -> MapFeatures:
    store = engine()
    return _ward_features(store, str(store.url))


def current_actor() -> Actor | None:
    return st.session_state.get("actor")


def can(permission: Permission) -> bool:
    actor = current_actor()
    return actor is not None and actor.can(permission)
