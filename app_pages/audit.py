"""The audit log (admins and directors): every change, filterable, exportable, never editable."""

import json

import streamlit as st

from ui.session import can, current_actor, engine
from vru_core.platform import labels
from vru_core.platform.audit import AuditFilter, log_csv, log_facets, query_log
from vru_core.platform.auth import Permission

st.title("Audit log")
if not can(Permission.AUDIT_READ):
    st.error("Only administrators and directors can read the audit log.")
    st.stop()


def _parsed(value):
    return json.loads(value) if isinstance(value, str) and value else None


facets = log_facets(engine())
c1, c2, c3 = st.columns(3)
entity_type = c1.selectbox(
    "Record type", facets["entity_type"], index=None, placeholder="All", format_func=labels.entity, key="audit_type"
)
by = c2.selectbox("Changed by", facets["actor"], index=None, placeholder="Anyone", key="audit_actor")
action = c3.selectbox(
    "Action", facets["action"], index=None, placeholder="All", format_func=labels.action, key="audit_action"
)
d1, d2, d3 = st.columns(3)
since = d1.date_input("From (UTC day)", value=None, key="audit_since")
until = d2.date_input("To (UTC day)", value=None, key="audit_until")
entity_id = d3.text_input("Record id", key="audit_entity_id", placeholder="e.g. 12 or a username")

where = AuditFilter(
    entity_type=entity_type, actor=by, action=action, entity_id=entity_id or None, since=since, until=until
)
if since and until and until < since:
    st.warning("The 'To' day is before the 'From' day: nothing can match.")
log = query_log(engine=engine(), actor=current_actor(), where=where)
st.caption(f"{len(log):,} entries, newest first.")
shown = log.assign(
    action=log["action"].map(labels.action),
    entity_type=log["entity_type"].map(labels.entity),
    changes=[labels.changes(_parsed(b), _parsed(a)) for b, a in zip(log["before"], log["after"], strict=True)],
)
st.dataframe(
    shown[["id", "at", "actor", "action", "entity_type", "entity_id", "changes", "note"]],
    hide_index=True,
    width="stretch",
    column_config={
        "id": st.column_config.NumberColumn("#", format="%d", width="small"),
        "at": st.column_config.DatetimeColumn("When (UTC)", format="YYYY-MM-DD HH:mm:ss"),
        "actor": "By",
        "action": "Action",
        "entity_type": "Record type",
        "entity_id": "Record id",
        "note": "Note",
        "changes": st.column_config.TextColumn("What changed (before -> after)", width="large"),
    },
)
st.download_button(
    "Download these entries (CSV)",
    log_csv(log),
    file_name="vru_audit_log.csv",
    mime="text/csv",
    key="audit_download",
    help="With the stored codes and the values before and after as JSON. Text that a spreadsheet would run "
    "as a formula is prefixed with ' so it stays text.",
)
st.caption(
    "The log is append-only: the database itself refuses any change or deletion of an entry, and no "
    "screen or service offers one."
)
