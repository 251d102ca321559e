"""Read-only data the pages share, cached per store and keyed on the data version it depends on."""

from __future__ import annotations

import streamlit as st
from sqlalchemy import Engine

from ui.session import engine
from vru_core.framework.indicators import Overview, build_overview, framework_version
from vru_core.needs.maps import MapFeatures, ward_features
from vru_core.needs.measures import MeasureFrame, data_version, load_measure_frame
from vru_core.register.query import RegisterData, choices, load_register, register_version


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


@st.cache_data(show_spinner="Computing the indicators…", max_entries=4)
def _overview(_engine: Engine, version: str) -> Overview:
    return build_overview(_engine)


def overview() -> Overview:
    """The overview, recomputed only when indicators, values, thresholds, the register or the data change."""
    store = engine()
    return _overview(store, f"{store.url}|{framework_version(store)}")
