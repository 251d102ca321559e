"""How pages say no: every write goes through `attempt`, which catches the one base error of
`vru_core.platform.errors` and keeps it under a key, so the page can show the message once and each
problem beside its field. The navigation catches the same base error around every page
(`streamlit_app.py`), so a refusal is never a traceback. Also: the versions a person opened, and the
banner readers see when the store cannot take writes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import pandas as pd
import streamlit as st

from ui.text import plain
from vru_core.platform.db import store_status
from vru_core.platform.errors import DomainError, Invalid, Problem, Stale

_REFUSAL = "_refusal:"
_OPENED = "_opened:"


def attempt(key: str, fn: Callable[..., Any], /, **kwargs: Any) -> tuple[bool, Any]:
    """Run one vru_core write: (True, its result), or (False, None) with the refusal kept under `key`."""
    try:
        result = fn(**kwargs)
    except DomainError as exc:
        st.session_state[_REFUSAL + key] = exc
        return False, None
    st.session_state.pop(_REFUSAL + key, None)
    return True, result


def refusal(key: str) -> DomainError | None:
    return st.session_state.get(_REFUSAL + key)


def forget(*keys: str) -> None:
    for key in keys:
        st.session_state.pop(_REFUSAL + key, None)


def show(exc: DomainError, *, fields_shown: Iterable[str] = ()) -> None:
    """The message once; problems not shown beside a field are listed (row, field, problem)."""
    shown = set(fields_shown)
    rest = [p for p in exc.problems if p.field not in shown]
    if not exc.problems:
        st.error(plain(exc.message), icon="⚠️")
        return
    if len(rest) == 1 and rest[0].row is None and len(exc.problems) == 1:
        lead = "Nothing was saved: " if isinstance(exc, Invalid) else ""
        st.error(plain(lead + exc.message if isinstance(exc, Invalid) else exc.message), icon="⚠️")
        return
    if isinstance(exc, Invalid):
        where = ", shown beside each field" if not rest else ""
        st.error(f"Nothing was saved: {len(exc.problems)} thing(s) to fix{where}.", icon="⚠️")
    else:
        head = exc.message if len(exc.message) <= 300 else f"Nothing was saved: {len(rest)} conflict(s), listed below."
        st.error(plain(head), icon="⚠️")
    if rest:
        problems_table(rest)


def show_refusal(key: str, *, fields_shown: Iterable[str] = ()) -> None:
    exc = refusal(key)
    if exc is not None:
        show(exc, fields_shown=fields_shown)


def problems_table(problems: list[Problem], *, key: str | None = None) -> None:
    st.dataframe(
        pd.DataFrame([{"row": p.row, "field": p.field, "problem": p.message} for p in problems]),
        hide_index=True,
        width="stretch",
        key=key,
        column_config={
            "row": st.column_config.NumberColumn("Row (file line)", width="small"),
            "field": st.column_config.TextColumn("Field", width="small"),
            "problem": st.column_config.TextColumn("Problem", width="large"),
        },
    )


def field_errors(key: str, field: str) -> None:
    """The problems of the last refused write under `key` that name `field`, right under its widget."""
    exc = refusal(key)
    for p in exc.problems if exc is not None else []:
        if p.field == field:
            st.error(plain(p.message), icon="⚠️")


# ---- the version a person opened ---------------------------------------------------------------------


def opened_version(key: str, current: int) -> int:
    """The version of a record when this person first opened it (kept across reruns): what a save must name.

    A save based on it is refused if anyone saved since, instead of silently winning on a re-read version."""
    return st.session_state.setdefault(_OPENED + key, int(current))


def seen_version(key: str) -> int | None:
    """The version recorded by `opened_version` for `key`, or None if this person has not opened it."""
    return st.session_state.get(_OPENED + key)


def moved_on(key: str, version: int | None) -> None:
    """After this person's own save: they have now seen `version` (None: forget, read afresh next time)."""
    if version is None:
        st.session_state.pop(_OPENED + key, None)
    else:
        st.session_state[_OPENED + key] = int(version)


def offer_reload(key: str, opened_key: str, *, widgets: Iterable[str] = ()) -> None:
    """After a save under `key` was refused as stale: a button to start again from the current version.

    `widgets`: the keys of the form's widgets, whose typed values are dropped too, so the form shows the
    current version rather than the change the button says it drops (a keyed widget keeps its value)."""
    if isinstance(refusal(key), Stale) and st.button(
        "Reload the current version (your unsaved change is dropped)", key=f"reload:{key}"
    ):
        moved_on(opened_key, None)
        forget(key)
        for widget in widgets:
            st.session_state.pop(widget, None)
        st.rerun()


# ---- the store itself ---------------------------------------------------------------------------------


@st.cache_data(ttl=15, show_spinner=False)
def _status(url: str, _engine: Any) -> tuple[bool, str]:
    status = store_status(_engine)
    return status.writable, status.reason


def store_banner(engine: Any) -> bool:
    """Tell every reader when the store cannot take writes (read-only, disk full); True when writable."""
    writable, reason = _status(engine.url.render_as_string(hide_password=True), engine)
    if not writable:
        st.warning(f"{reason} (Reading is not affected.)", icon="🔒")
    return writable
