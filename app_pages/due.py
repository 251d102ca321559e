"""Due and overdue: monitoring returns late or due, payment instalments due, awards ending (approved and active)."""

import streamlit as st

from ui.session import engine
from ui.widgets import award_columns, date_column, money_column
from vru_core.platform.csvsafe import safe_csv
from vru_core.register.due import KINDS, due_frame, due_list

st.title("Due and overdue")
listed = due_list(engine())
st.caption(
    f"As of {listed.today:%d %b %Y}, for approved and active awards in this register. A quarter's monitoring return "
    f"is due {listed.return_due_days} days after the quarter ends; instalments come from each award's payment "
    f"schedule; the list looks {listed.within_days} days ahead (both periods are set by the administrator)."
)
counts = listed.counts
cols = st.columns(6)
for col, (name, label) in zip(
    cols,
    [
        ("return_overdue", "Returns late"),
        ("return_due", "Returns due soon"),
        ("payment_overdue", "Payments overdue"),
        ("payment_due", "Payments due soon"),
        ("ending_overdue", "Ended, not closed"),
        ("ending_due", "Ending soon"),
    ],
    strict=True,
):
    col.metric(label, f"{counts[name]:,}")

labels = {v: k for k, v in KINDS.items()}
picked = st.pills("Show", list(labels), selection_mode="multi", default=list(labels), key="due_kinds")
table = due_frame(listed, tuple(labels[p] for p in picked or []))
if table.empty:
    st.success("Nothing is overdue or due in this window.")
else:
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        column_config={
            **award_columns("medium"),
            "kind": "What",
            "what": st.column_config.TextColumn("Detail", width="large"),
            "due_on": date_column("Due"),
            "state": "When",
            "amount": money_column("Amount"),
            "example": "Example?",
        },
        key="due_table",
    )
st.download_button(
    "Download this list (CSV)",
    safe_csv(table.drop(columns=["open"])),
    file_name=f"vru-due-{listed.today.isoformat()}.csv",
    mime="text/csv",
    key="due_download",
)
