"""Bulk entry from a spreadsheet: download the template, check the file (every problem listed), then import it all."""

import hashlib

import pandas as pd
import streamlit as st

from ui.cached import labels
from ui.feedback import attempt, forget, problems_table, refusal, show_refusal
from ui.session import can, current_actor, engine
from vru_core.platform.auth import Permission
from vru_core.platform.errors import Stale
from vru_core.register import importer

st.title("Import awards from CSV")
st.write(
    "Start from the template, one award per row. The whole file is checked first and every problem is "
    "listed with its row (the file's line number) and column; nothing is saved unless every row is right. "
    "The identifier is the key: importing the same file again adds nothing, and a changed row updates its award. "
    "An award changed in the register since its row was downloaded (or since you checked the file) is never "
    "overwritten: the row is reported as a conflict, with who changed it."
)
st.download_button(
    "Download the CSV template",
    importer.template_csv().encode("utf-8"),
    file_name="vru-register-template.csv",
    mime="text/csv",
    key="import_template",
)
names = labels()
with st.expander("What goes in each column"):
    st.dataframe(
        pd.DataFrame(
            [
                {"column": c, "required": "yes" if c in importer.REQUIRED_COLUMNS else "", "what": g}
                for c, g in importer.COLUMN_GUIDE.items()
            ]
        ),
        hide_index=True,
        width="stretch",
        key="import_guide",
    )
    c1, c2 = st.columns(2)
    c1.dataframe(
        pd.DataFrame(names["funding_streams"].items(), columns=["funding_stream", "name"]),
        hide_index=True,
        column_config={"funding_stream": "Code in the CSV", "name": "Funding stream"},
        key="import_streams",
    )
    c2.dataframe(
        pd.DataFrame(names["priority_areas"].items(), columns=["priority_area", "title"]),
        hide_index=True,
        column_config={"priority_area": "Code in the CSV", "title": "Priority area"},
        key="import_priorities",
    )

if not can(Permission.REGISTER_WRITE):
    st.info("Importing needs a commissioner or administrator account. Sign in on the Account page.")
    st.stop()

upload = st.file_uploader(
    f"CSV file (UTF-8, at most {importer.MAX_IMPORT_BYTES // 1024 // 1024} MB)", type=["csv"], key="import_file"
)
if upload is None:
    st.stop()
content = upload.getvalue()
file_key = "import_seen:" + hashlib.sha256(content).hexdigest()[:16]
progress = st.progress(0.0, text="Checking…")
plan = importer.check_csv(engine(), content, progress=lambda f, msg: progress.progress(f, text=msg))
progress.empty()
# The register as this person first checked the file: the import must find it unchanged.
seen = st.session_state.setdefault(file_key, plan.seen)
if plan.problems or plan.conflicts:
    count = len(plan.problems) + len(plan.conflicts)
    st.error(f"{count} problem(s) in this file. Nothing has been imported; fix them and upload again.")
    problems_table(plan.problems + plan.conflicts, key="import_problems")
    st.stop()

st.success(
    f"{plan.rows:,} rows, all valid. Importing will create {len(plan.to_create):,} awards, "
    f"update {len(plan.to_update):,} and leave {plan.unchanged:,} unchanged."
)
show_refusal("import")
if isinstance(refusal("import"), Stale) and st.button("Check this file again against the register as it is now"):
    st.session_state.pop(file_key, None)
    forget("import")
    st.rerun()
if st.button("Import", type="primary", key="import_go", disabled=not (plan.to_create or plan.to_update)):
    bar = st.progress(0.0, text="Importing…")
    ok, result = attempt(
        "import",
        importer.import_csv,
        engine=engine(),
        actor=current_actor(),
        content=content,
        seen=seen,
        progress=lambda f, msg: bar.progress(f, text=msg),
    )
    if ok:
        st.session_state.pop(file_key, None)
        st.success(f"Imported: {result.created:,} created, {result.updated:,} updated, {result.unchanged:,} unchanged.")
    elif refusal("import") is not None:
        st.rerun()
