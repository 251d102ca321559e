"""Bulk entry from a spreadsheet: download the template, check the file (every problem listed), then import it all."""

import pandas as pd
import streamlit as st

from ui.cached import labels
from ui.session import can, current_actor, engine
from vru_core.platform.auth import Permission
from vru_core.register import importer
from vru_core.register.validation import ValidationFailed

st.title("Import awards from CSV")
st.write(
    "Start from the template, one award per row. The whole file is checked first and every problem is "
    "listed with its row (the file's line number) and column; nothing is saved unless every row is right. "
    "The identifier is the key: importing the same file again adds nothing, and a changed row updates its award."
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

upload = st.file_uploader("CSV file (UTF-8)", type=["csv"], key="import_file")
if upload is None:
    st.stop()
content = upload.getvalue()
progress = st.progress(0.0, text="Checking…")
plan = importer.check_csv(engine(), content, progress=lambda f, msg: progress.progress(f, text=msg))
progress.empty()
if not plan.ok:
    st.error(f"{len(plan.problems)} problem(s) in {upload.name}. Nothing has been imported; fix them and upload again.")
    st.dataframe(
        pd.DataFrame([{"row": p.row, "column": p.field, "problem": p.message} for p in plan.problems]),
        hide_index=True,
        width="stretch",
        column_config={
            "row": st.column_config.NumberColumn("Row (file line)", width="small"),
            "column": st.column_config.TextColumn("Column", width="small"),
            "problem": st.column_config.TextColumn("Problem", width="large"),
        },
        key="import_problems",
    )
    st.stop()

st.success(
    f"{upload.name}: {plan.rows:,} rows, all valid. Importing will create {len(plan.to_create):,} awards, "
    f"update {len(plan.to_update):,} and leave {plan.unchanged:,} unchanged."
)
if st.button("Import", type="primary", key="import_go", disabled=not (plan.to_create or plan.to_update)):
    bar = st.progress(0.0, text="Importing…")
    try:
        result = importer.import_csv(
            engine=engine(),
            actor=current_actor(),
            content=content,
            progress=lambda f, msg: bar.progress(f, text=msg),
        )
    except ValidationFailed as exc:  # the store changed between check and import
        st.error(str(exc))
    else:
        st.success(f"Imported: {result.created:,} created, {result.updated:,} updated, {result.unchanged:,} unchanged.")
