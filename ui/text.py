"""User text is text: the one escaping helper for every place Streamlit renders Markdown.

Titles, captions, headers, `st.markdown`, alerts, toasts, widget labels and help tooltips, metric labels,
tab and expander labels all go through Streamlit's Markdown renderer. Text that people typed or
uploaded (titles, descriptions, organisation names, measure labels and sources, objectives, indicator
names, profile names, messages that quote them) goes through `plain()` first: every ASCII punctuation
mark is backslash-escaped (CommonMark allows that for each of them), so no image is fetched, no link,
autolink, emphasis, heading, table, HTML tag, colour directive or formula is built from it, and what
the reader sees is exactly what was typed. Tables (`st.dataframe`) show cells as text already.
"""

from __future__ import annotations

import re

_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")  # every ASCII punctuation character


def plain(value: object) -> str:
    """`value` as literal text inside Markdown (None -> "")."""
    text = "" if value is None else str(value)
    return _PUNCTUATION.sub(r"\\\1", text).replace("\r", " ").replace("\n", " ")
