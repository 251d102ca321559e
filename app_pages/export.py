"""Publish the register as 360Giving open data (JSON package and flat CSV)."""

import datetime as dt

import streamlit as st

from ui.session import engine
from ui.widgets import examples_banner
from vru_core.register import export_360
from vru_core.register.query import register_version

st.title("Open data export (360Giving)")
st.write(
    "The register in the 360Giving Data Standard, ready for the open-data portal: approved, active and "
    "completed awards (proposed and withdrawn ones are not published), with recipient identifiers, the "
    "funding stream as grant programme, and the wards and boroughs served with their GSS codes. "
    "Example awards are never included. CSV cells that a spreadsheet would run as a formula are escaped."
)
examples_banner()


@st.cache_data(show_spinner="Building the export…", max_entries=2)
def _exports(_engine, url: str, version: str) -> tuple[bytes, bytes, int]:
    grants = export_360.grants(_engine)
    return export_360.to_json_bytes(_engine), export_360.to_csv_bytes(_engine), len(grants)


store = engine()
json_bytes, csv_bytes, n = _exports(store, str(store.url), register_version(store))
st.metric("Awards published", f"{n:,}")
c1, c2 = st.columns(2)
c1.download_button(
    "Download 360Giving JSON",
    json_bytes,
    file_name=f"london-vru-grants-{dt.date.today():%Y-%m-%d}.json",
    mime="application/json",
    key="export_json",
    type="primary",
)
c2.download_button(
    "Download 360Giving CSV",
    csv_bytes,
    file_name=f"london-vru-grants-{dt.date.today():%Y-%m-%d}.csv",
    mime="text/csv",
    key="export_csv",
)
st.caption(
    "Scheduled publication from the command line: "
    "`python -m vru_core.register export --format 360giving-json OUT.json` (or `--format 360giving-csv`)."
)
