"""The need scores map as a small component: outlines sent once per session, then only colours per step."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st

from ui.cached import map_geometry
from vru_core.needs.canvas_map import map_step
from vru_core.needs.maps import Classes

_CSS = """
.vru-map { position: relative; width: 100%; }
.vru-map canvas { display: block; cursor: pointer; }
.vru-tip { position: absolute; max-width: 220px; padding: 6px 8px; font-size: 13px; line-height: 1.35;
  background: #ffffff; color: #0b0c0c; border: 1px solid #505a5f; border-radius: 4px; pointer-events: none; }
"""


def _compact_js(text: str) -> str:
    """The script without its comment lines and indentation (it travels with every rerun)."""
    lines = (line.strip() for line in text.splitlines())
    return "\n".join(line for line in lines if line and not line.startswith("//"))


_COMPONENT = st.components.v2.component(
    "vru_ward_map", js=_compact_js(Path(__file__).with_name("ward_map.js").read_text(encoding="utf-8")), css=_CSS
)


def _sent_key(key: str) -> str:
    return f"_{key}_geometry_sent"


def _resend(key: str) -> None:
    st.session_state.pop(_sent_key(key), None)  # the browser asked: it has no outlines (a fresh page)


def need_map(
    values: pd.Series,
    classes: Classes,
    *,
    label: str,
    description: str,
    on_click,
    ranks: pd.Series | None = None,
    outline: pd.Series | None = None,
    selected: str | None = None,
    key: str = "need_map",
) -> None:
    """Draw the wards coloured by `values` (NaN grey); a click calls `on_click(ward_code)`."""
    shapes = map_geometry()
    sent = st.session_state.get(_sent_key(key)) == shapes.digest
    st.session_state[_sent_key(key)] = shapes.digest
    step = map_step(shapes, values, classes, ranks=ranks, outline=outline, selected=selected)
    data = step.to_data(label=label, geometry=shapes, send_geometry=not sent) | {"description": description}

    def clicked() -> None:
        code = getattr(st.session_state.get(key), "clicked", None)
        if code in shapes.position():
            on_click(code)

    _COMPONENT(
        data=data,
        key=key,
        on_clicked_change=clicked,
        on_need_geometry_change=lambda: _resend(key),
    )
