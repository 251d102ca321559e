"""Analysts enter indicator values: one at a time in a form, or many from a CSV (all rows checked first)."""

import datetime as dt
import hashlib

import streamlit as st

from ui.feedback import attempt, problems_table, refusal, show, show_refusal
from ui.session import can, current_actor, engine
from ui.text import plain
from vru_core.framework.entered import MAX_UPLOAD_BYTES, TEMPLATE, check_values, read_csv, save_values
from vru_core.framework.indicators import entered_values, list_indicators
from vru_core.needs.measures import borough_names
from vru_core.platform.auth import Permission
from vru_core.platform.errors import DomainError

store = engine()
defs = list_indicators(store)
entered = defs[defs["kind"] == "entered"]
areas = {"london": "London", **borough_names(store)}

st.title("Enter indicator values")
st.caption(
    "Values from surveys, partners and publications (reoffending, exclusions, the Home Office measures). "
    "A period is the month it ends: 2026-03 for the 12 months to March 2026, or for a survey reported then. "
    "Each value needs its source and the date that source gave it."
)

allowed = can(Permission.INDICATORS_WRITE)
if not allowed:
    who = current_actor()
    st.info(
        "Only analysts and administrators can enter values."
        + ("" if who else " Sign in on the Account page.")
        + " The values entered so far are below."
    )


if allowed:
    one, many = st.tabs(["One value", "Upload a CSV"])
    with one, st.form("value_form", clear_on_submit=False):
        code = st.selectbox(
            "Indicator", list(entered.index), format_func=lambda c: entered.loc[c, "name"], key="entry_indicator"
        )
        c1, c2, c3 = st.columns(3)
        period = c1.text_input("Period (YYYY-MM, the month it ends)", key="entry_period", placeholder="2026-03")
        value = c2.text_input("Value", key="entry_value", placeholder="e.g. 27.5")
        area = c3.selectbox("Area", list(areas), format_func=areas.get, key="entry_area")
        c4, c5 = st.columns([2, 1])
        source = c4.text_input("Source", key="entry_source", placeholder="Publication, survey or partner")
        source_date = c5.date_input("Source date", value=None, key="entry_source_date", max_value=dt.date.today())
        note = st.text_input("Note (optional)", key="entry_note")
        if st.form_submit_button("Save value", type="primary"):
            row = {
                "indicator_code": code,
                "period": period,
                "value": value,
                "source": source,
                "source_date": source_date or "",
                "area_code": area,
                "note": note,
            }
            ok, result = attempt("entry_one", save_values, engine=store, actor=current_actor(), rows=[row])
            if ok:
                replaced = f" (replacing {result.replaces[0]['old_value']:g})" if result.replaces else ""
                st.success(f"Saved {plain(entered.loc[code, 'name'])} for {plain(period)}{replaced}.")
            else:
                show_refusal("entry_one")
    with many:
        st.download_button(
            "Template CSV", TEMPLATE.encode("utf-8"), file_name="indicator_values_template.csv", key="entry_template"
        )
        st.caption(
            "Columns: `indicator_code`, `period`, `value`, `source`, `source_date` (YYYY-MM-DD); optional "
            "`area_code` (`london` or a borough code, default `london`) and `note`. "
            "Codes of the indicators that take entered values: " + ", ".join(f"`{c}`" for c in entered.index)
        )
        upload = st.file_uploader(
            f"CSV file (at most {MAX_UPLOAD_BYTES // 1024 // 1024} MB)", type=["csv"], key="entry_upload"
        )
        if upload is not None:
            content = upload.getvalue()
            try:
                rows = read_csv(content)
                checked = check_values(store, rows)
            except DomainError as exc:
                show(exc)
            else:
                if not checked.ok:
                    st.error(f"{len(checked.problems)} problem(s); nothing was saved. Fix them and upload again.")
                    problems_table(checked.problems, key="entry_problems")
                else:
                    # The stored values as this person first saw them: the save must find them unchanged.
                    file_key = "entry_seen:" + hashlib.sha256(content).hexdigest()[:16]
                    seen = st.session_state.setdefault(file_key, checked.versions)
                    st.success(f"All {len(checked.rows)} rows are valid.")
                    if checked.replaces:
                        st.warning(
                            f"{len(checked.replaces)} row(s) replace a value already stored: "
                            + plain(
                                "; ".join(
                                    f"row {r['row']} {r['indicator_code']} {r['period']} {r['area_code']}: "
                                    f"{r['old_value']:g} -> {r['value']:g}"
                                    for r in checked.replaces
                                )
                            )
                        )
                    if st.button(f"Save {len(checked.rows)} values", type="primary", key="entry_save_upload"):
                        ok, _ = attempt(
                            "entry_upload", save_values, engine=store, actor=current_actor(), rows=rows, versions=seen
                        )
                        if ok:
                            st.session_state.pop(file_key, None)
                            st.success(f"Saved {len(checked.rows)} values.")
                    if refusal("entry_upload") is not None:
                        show_refusal("entry_upload")

st.subheader("Values entered so far")
values = entered_values(store)
values["indicator"] = values["indicator_code"].map(defs["name"])
values["area"] = values["area_code"].map(areas)
st.dataframe(
    values[["indicator", "period", "area", "value", "source", "source_date", "entered_by", "entered_at"]],
    hide_index=True,
    width="stretch",
    key="entered_values",
    column_config={
        "indicator": "Indicator",
        "period": "Period",
        "area": "Area",
        "value": "Value",
        "source": "Source",
        "source_date": st.column_config.DateColumn("Source date"),
        "entered_by": "Entered by",
        "entered_at": st.column_config.DatetimeColumn("Entered", format="D MMM YYYY HH:mm"),
    },
)
