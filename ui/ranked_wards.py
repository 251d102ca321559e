"""The need scores page's ranked wards table: only the columns shown, filtered by borough and name."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ui import uncertainty

SHOWN = ["rank", "rank_band", "uncertain", "ward_name", "borough_name", "score", "flagged_count", "flagged_measures"]
SHOWN += ["population", "ward_code"]
TABLE_KEY = "ranked_table"
CODES_KEY = "_table_codes"


def filtered(table: pd.DataFrame, boroughs: list[str], search: str) -> pd.DataFrame:
    if boroughs:
        table = table[table["borough_name"].isin(boroughs)]
    if search:
        table = table[table["ward_name"].str.contains(search, case=False, regex=False)]
    return table


def picked() -> str | None:
    """The ward code of the row the user selected (in the table's callback), if any."""
    rows = st.session_state[TABLE_KEY]["selection"]["rows"]
    return st.session_state[CODES_KEY][rows[0]] if rows else None


def compact(table: pd.DataFrame) -> pd.DataFrame:
    """The same values in smaller types: repeated text as categories, small whole numbers as int16, so a
    slider step sends about 60 KiB of table instead of about 105 KiB."""
    out = table.reset_index()[SHOWN]
    for column in ("borough_name", "flagged_measures", "rank_band"):
        out[column] = out[column].astype("category")
    for column in ("rank", "flagged_count"):
        out[column] = out[column].astype("int16")
    out["score"] = out["score"].astype("float32")
    out["population"] = out["population"].astype("Int32")
    return out


def ranked_table(shown: pd.DataFrame, *, max_score: float, on_select) -> None:
    st.session_state[CODES_KEY] = shown.index.tolist()
    st.dataframe(
        compact(shown),
        key=TABLE_KEY,
        on_select=on_select,
        selection_mode="single-row",
        hide_index=True,
        height=420,
        width="stretch",
        column_config={
            "rank": st.column_config.NumberColumn("Rank", format="%d", width="small"),
            "ward_name": st.column_config.TextColumn("Ward"),
            "borough_name": st.column_config.TextColumn("Borough"),
            "score": st.column_config.ProgressColumn("Score", min_value=0.0, max_value=max_score, format="%.1f"),
            "flagged_count": st.column_config.NumberColumn("Measures flagged", format="%d"),
            "flagged_measures": st.column_config.TextColumn("Flagged on", width="large"),
            "ward_code": st.column_config.TextColumn("Ward code"),
            **uncertainty.BAND_COLUMN_CONFIG,
        },
    )
