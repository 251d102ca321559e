"""Every chart on every page goes through `chart`: a written description (its text alternative, read out as
the chart's own label too), the chart, and a "Show as table" switch that gives the same figures as a table.

Vega's marks are taken out of the accessibility tree (config ``aria: false``): to assistive technology a
chart is one image with its description, and its table is the way to its numbers (WCAG 1.1.1, 1.4.1).
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from ui.text import plain


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
        st.caption(plain(description))
    if st.toggle("Show as table", key=f"{key}_as_table", help="The figures of the chart as a table"):
        st.dataframe(table, hide_index=True, width="stretch", column_config=column_config, key=f"{key}_table")
    else:
        st.vega_lite_chart(_accessible(spec, description), width="stretch", key=key)


def map_legend(label: str, top: float, *, fmt: str = "{:g}", missing: bool = True) -> None:
    """The colour key of a ward map (vru_core.needs.maps' ramp): lightest at 0, darkest at `top`, in words too."""
    from vru_core.needs.maps import MISSING_COLOUR, RAMP

    top = top if top == top else 0.0  # no figure anywhere (NaN): the key still reads from 0
    stops = ", ".join(f"rgb({r},{g},{b})" for r, g, b in RAMP)
    grey = "rgb({},{},{})".format(*MISSING_COLOUR[:3])
    no_figure = (
        f'<span style="display:inline-block;width:1.2em;height:1em;background:{grey};border:1px solid #767676;'
        'vertical-align:middle;margin:0 .3em 0 1.2em" aria-hidden="true"></span>no figure'
        if missing
        else ""
    )
    st.markdown(
        f'<div style="font-size:0.875rem">{label}: {fmt.format(0)} '
        f'<span style="display:inline-block;width:10em;height:1em;vertical-align:middle;border:1px solid #767676;'
        f'background:linear-gradient(to right,{stops})" aria-hidden="true"></span> '
        f"{fmt.format(top)} (darker is more){no_figure}</div>",
        unsafe_allow_html=True,
    )


def half_width(deck):
    """A ward map for half the page: zoomed out so the whole of London fits a column (about 450 × 460 px)."""
    import pydeck as pdk

    view = deck.initial_view_state
    deck.initial_view_state = pdk.ViewState(latitude=view.latitude, longitude=view.longitude, zoom=8.45)
    return deck
