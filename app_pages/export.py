"""Publish the register as 360Giving open data (JSON, spreadsheet, flat CSV), with 360Giving's quality checks."""

import datetime as dt

import pandas as pd
import streamlit as st

from ui.session import engine
from ui.widgets import examples_banner
from vru_core.platform.config import get_settings
from vru_core.register import export_360, export_flat, quality_360
from vru_core.register.query import register_version

st.title("Open data export (360Giving)")
st.write(
    "The register in the 360Giving Data Standard, ready for 360Giving's Data Quality Tool and GrantNav: "
    "approved, active and completed awards (proposed and withdrawn ones are not published), funded by the "
    "Greater London Authority with the VRU as its department, with recipient identifiers and where "
    "recipients are based, the funding stream as grant programme, and the wards and boroughs served with "
    "their GSS codes. Example awards are never included."
)
examples_banner()
settings = get_settings()
errors, warnings = export_360.settings_notes(settings)
for message in errors:
    st.error(f"Cannot publish: {message}", icon="⛔")
for message in warnings:
    st.warning(message, icon="⚠️")
if errors:
    st.stop()


@st.cache_data(show_spinner="Checking the export…", max_entries=2)
def _checked(_engine, url: str, version: str, settings_key: str) -> tuple[int, list[dict]]:
    grants = export_360.grants(_engine)
    return len(grants), [n.__dict__ for n in quality_360.run_checks(grants)]


@st.cache_data(show_spinner=False, max_entries=6)
def _file(_engine, url: str, version: str, settings_key: str, fmt: str) -> bytes:
    """Built when someone clicks its button (a spreadsheet of 100,000 awards takes most of a minute)."""
    build = {"json": export_360.to_json_bytes, "xlsx": export_flat.to_xlsx_bytes, "csv": export_flat.to_csv_bytes}
    return build[fmt](_engine)


store = engine()
key = (str(store.url), register_version(store), repr(settings))
n, notices = _checked(store, *key)
st.metric("Awards published", f"{n:,}", help=f"Funder: {settings.funder_name} ({settings.funder_org_id})")
stem = f"london-vru-grants-{dt.date.today():%Y-%m-%d}"
FILES = [
    ("json", "Download 360Giving JSON", "application/json"),
    (
        "xlsx",
        "Download 360Giving spreadsheet (XLSX)",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    ("csv", "Download 360Giving CSV", "text/csv"),
]
for column, (fmt, label, mime) in zip(st.columns(3), FILES, strict=True):
    column.download_button(
        label,
        lambda fmt=fmt: _file(store, *key, fmt),
        file_name=f"{stem}.{fmt}",
        mime=mime,
        key=f"export_{fmt}",
        type="primary" if fmt == "json" else "secondary",
        on_click="ignore",
    )
st.caption(
    "Open the spreadsheet in Excel: every text cell is typed as text, so nothing in it runs as a formula. "
    "The CSV carries every value exactly as recorded, for 360Giving's converter and other software; a "
    "spreadsheet program opening it may treat text starting with =, +, - or @ as a formula."
)

st.subheader("360Giving's quality checks on this file")
if not n:
    st.info("Nothing to check yet: no approved, active or completed awards.")
elif not notices:
    st.success("None of 360Giving's data quality checks that apply to this register finds anything.")
else:
    kinds = {quality_360.QUALITY: "Error to fix", quality_360.USEFULNESS: "Could be more useful"}
    st.dataframe(
        pd.DataFrame(
            {
                "Notice": [x["heading"] for x in notices],
                "Kind": [kinds[x["kind"]] for x in notices],
                "Grants": [x["count"] for x in notices],
                "For example": [", ".join(x["grant_ids"]) for x in notices],
            }
        ),
        hide_index=True,
        width="stretch",
    )
st.caption(
    "The checks follow 360Giving's Data Quality Tool (those about grants to individuals do not apply). "
    "README, Open data, says which notices to expect and what to set before publishing."
)
st.caption(
    "Scheduled publication from the command line: "
    "`python -m vru_core.register export --format 360giving-json OUT.json` "
    "(or `--format 360giving-xlsx`, `--format 360giving-csv`)."
)
