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


@st.cache_data(show_spinner="Building the export…", max_entries=2)
def _exports(_engine, url: str, version: str, settings_key: str) -> tuple[bytes, bytes, bytes, int, list]:
    grants = export_360.grants(_engine)
    notices = [n.__dict__ for n in quality_360.run_checks(grants)]
    return (
        export_360.to_json_bytes(_engine),
        export_flat.to_xlsx_bytes(_engine),
        export_flat.to_csv_bytes(_engine),
        len(grants),
        notices,
    )


store = engine()
json_bytes, xlsx_bytes, csv_bytes, n, notices = _exports(store, str(store.url), register_version(store), repr(settings))
st.metric("Awards published", f"{n:,}", help=f"Funder: {settings.funder_name} ({settings.funder_org_id})")
stem = f"london-vru-grants-{dt.date.today():%Y-%m-%d}"
c1, c2, c3 = st.columns(3)
c1.download_button(
    "Download 360Giving JSON",
    json_bytes,
    file_name=f"{stem}.json",
    mime="application/json",
    key="export_json",
    type="primary",
)
c2.download_button(
    "Download 360Giving spreadsheet (XLSX)",
    xlsx_bytes,
    file_name=f"{stem}.xlsx",
    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    key="export_xlsx",
)
c3.download_button("Download 360Giving CSV", csv_bytes, file_name=f"{stem}.csv", mime="text/csv", key="export_csv")
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
