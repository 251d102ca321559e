"""Every chart on every page goes through `chart`: a written description (its text alternative, read out as
the chart's own label too), the chart, and a "Show as table" switch that gives the same figures as a table.

Vega's marks are taken out of the accessibility tree (config ``aria: false``): to assistive technology a
chart is one image with its description, and its table is the way to its numbers (WCAG 1.1.1, 1.4.1).
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st


def _accessible(spec: Any, description: str) -> dict:
    as_dict = dict(spec if isinstance(spec, dict) else spec.to_dict())
    as_dict["description"] = description
    config = dict(as_dict.get("config", {}))
    config["aria"] = False
    for part in ("mark", "axis", "legend", "title"):  # every part, also when a layer or a mark sets its own
        config[part] = {**config.get(part, {}), "aria": False}
    as_dict["config"] = config
    return as_dict


def chart(
    spec: Any,
    *,
    description: str,
    table: pd.DataFrame,
    key: str,
    column_config: dict | None = None,
    show_description: bool = True,
) -> None:
    """An Altair chart (or Vega-Lite dict) with its description and a table alternative (the switch's key: key)."""
    if show_description:
        st.caption(description)
    if st.toggle("Show as table", key=f"{key}_as_table", help="The figures of the chart as a table"):
        st.dataframe(table, hide_index=True, width="stretch", column_config=column_config, key=f"{key}_table")
    else:
        st.vega_lite_chart(_accessible(spec, description), width="stretch", key=key)
