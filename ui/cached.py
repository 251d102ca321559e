"""Read-only data the pages share, cached per store and keyed on the versions of the data it is built from.

Every key is read from the store on each run (never only remembered by this process), so a change
saved by anyone, in any process or straight into the database, reaches the next run of every page:
- measures, wards and boroughs: ``vru_core.needs.measures.data_version`` (the bundle and the measures);
- aims, objectives, commitments, priority areas, funding streams:
  ``vru_core.framework.lookups.structure_version`` (a digest of those rows);
- the register: ``vru_core.register.query.register_version`` (awards and payments) and the structure
  version (the register's frames carry stream and priority-area names);
- the overview: ``vru_core.framework.indicators.framework_version`` (which includes all of the above).
"""

from __future__ import annotations

import pandas as pd
import streamlit as st
from sqlalchemy import Engine

from ui.session import engine
from vru_core.framework.indicators import Overview, build_overview, framework_version
from vru_core.framework.lookups import structure_version
from vru_core.needs import crime, trends
from vru_core.needs.canvas_map import CanvasGeometry, canvas_geometry
from vru_core.needs.maps import MapFeatures, ward_features
from vru_core.needs.measures import MeasureFrame, data_version, load_measure_frame, values_template
from vru_core.platform.config import get_settings
from vru_core.register.query import RegisterData, choices, load_register, register_version

TREND_CATEGORIES = ("vwi", "robbery_personal", "weapons")


def _data_key(store: Engine) -> str:
    return f"{store.url}|{data_version(store)}"


@st.cache_resource(show_spinner="Loading measures…", max_entries=4)
def _measure_frame(_engine: Engine, key: str) -> MeasureFrame:
    # A resource, not data: every session shares one read-only frame instead of unpickling a copy per run.
    return load_measure_frame(_engine)


def measure_frame() -> MeasureFrame:
    """Wards x measures, reloaded only when the measures in the store change."""
    store = engine()
    return _measure_frame(store, _data_key(store))


@st.cache_data(show_spinner=False, max_entries=4)
def _values_template(_engine: Engine, key: str, geography: str) -> bytes:
    return values_template(_engine, geography=geography)


def measure_template(geography: str) -> bytes:
    """The CSV an analyst fills in to add a measure (every ward, or every borough), rebuilt with the data."""
    store = engine()
    return _values_template(store, _data_key(store), geography)


@st.cache_resource(show_spinner=False, max_entries=4)
def _ward_features(_engine: Engine, key: str) -> MapFeatures:
    return ward_features(_engine)


def map_features() -> MapFeatures:
    """Ward and borough boundaries for the maps, rebuilt when the bundled data is reloaded."""
    store = engine()
    return _ward_features(store, _data_key(store))


@st.cache_resource(show_spinner=False, max_entries=4)
def _map_geometry(_engine: Engine, key: str) -> CanvasGeometry:
    return canvas_geometry(_engine)


def map_geometry() -> CanvasGeometry:
    """The need scores map's projected outlines, shared by every session, rebuilt with the bundled data."""
    store = engine()
    return _map_geometry(store, _data_key(store))


@st.cache_resource(show_spinner="Reading the MPS crime series…", max_entries=2)
def _crime_series(key: str) -> crime.MonthlySeries:
    return crime.load_monthly(get_settings().bundled_data_dir)


def crime_series() -> crime.MonthlySeries:
    """The combined monthly MPS series (read-only, shared), re-read when the bundled data is reloaded."""
    return _crime_series(_data_key(engine()))


@st.cache_data(show_spinner=False, max_entries=64)
def _ward_trend_spec(ward_code: str, key: str) -> dict:
    monthly = trends.ward_monthly(_crime_series(key), ward_code, categories=TREND_CATEGORIES)
    return trends.monthly_chart(monthly, height=260, title="Offences a month in this ward (MPS)").to_dict()


def ward_trend_spec(ward_code: str) -> dict:
    """The ward's monthly chart as a Vega-Lite spec, built (and validated by Altair) once per ward and data version."""
    return _ward_trend_spec(ward_code, _data_key(engine()))


@st.cache_data(show_spinner=False, max_entries=64)
def _ward_trend_table(ward_code: str, key: str) -> pd.DataFrame:
    return trends.monthly_table(trends.ward_monthly(_crime_series(key), ward_code, categories=TREND_CATEGORIES))


def ward_trend_table(ward_code: str) -> pd.DataFrame:
    """The figures of `ward_trend_spec` as a table (its "Show as table")."""
    return _ward_trend_table(ward_code, _data_key(engine()))


@st.cache_data(show_spinner=False, max_entries=2)
def _violence_movement(key: str) -> pd.DataFrame:
    return trends.rising_falling(_crime_series(key), "vwi").set_index("ward_code")


def violence_movement() -> pd.DataFrame:
    """Each ward's violence-with-injury change between the last two 12-month windows, by ward code."""
    return _violence_movement(_data_key(engine()))


@st.cache_data(show_spinner="Loading the register…", max_entries=2)
def _register(_engine: Engine, key: str) -> RegisterData:
    return load_register(_engine)


def register_data() -> RegisterData:
    """The whole register as frames, reloaded when an award or payment changes, or a stream or area is renamed."""
    store = engine()
    return _register(store, f"{store.url}|{register_version(store)}|{structure_version(store)}")


@st.cache_data(show_spinner=False, max_entries=4)
def _choices(_engine: Engine, key: str) -> dict:
    return choices(_engine)


def labels() -> dict:
    """Codes -> labels for streams, priority areas, objectives, boroughs and wards ('Ward (Borough)')."""
    store = engine()
    return _choices(store, f"{_data_key(store)}|{structure_version(store)}")


@st.cache_data(show_spinner="Computing the indicators…", max_entries=4)
def _overview(_engine: Engine, key: str) -> Overview:
    return build_overview(_engine)


def overview() -> Overview:
    """The overview, recomputed when indicators, values, thresholds, the structure, the register or the data change."""
    store = engine()
    return _overview(store, f"{store.url}|{framework_version(store)}")
