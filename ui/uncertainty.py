"""Need scores that know their uncertainty, on the page: smoothing choices, rank bands, counts, map classes."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ui.session import engine
from ui.text import plain
from vru_core.needs.maps import Classes
from vru_core.needs.measures import MeasureFrame, data_version
from vru_core.needs.rank_bands import DEFAULT_DRAWS, SEED, band_text, counts_table, crosses, csv_note, rank_bands
from vru_core.needs.scoring import Profile
from vru_core.needs.smoothing import METHODS, RAW, counts_for

BAND_HELP = (
    f"Median rank and 5th–95th percentile over {DEFAULT_DRAWS} seeded redraws of the crime counts (Poisson): "
    "the narrower the band, the surer the rank."
)


@st.cache_data(show_spinner="Working out rank bands…", max_entries=32)
def _bands(_frame: MeasureFrame, data: str, profile_key: tuple, _profile: Profile) -> pd.DataFrame:
    return rank_bands(_frame, _profile)


def bands(frame: MeasureFrame, profile: Profile) -> pd.DataFrame:
    """rank_p05 / rank_median / rank_p95 per ward for this profile, cached on the data version and profile."""
    store = engine()
    return _bands(frame, f"{store.url}|{data_version(store)}", profile.key(), profile)


def apply_smoothing(frame: MeasureFrame, profile: Profile) -> None:
    """Put a profile's smoothing choices into the widgets (with the page's other widgets)."""
    for code in counts_for(frame).codes:
        st.session_state[f"s_{code}"] = profile.smoothing.get(code, RAW)


def smoothing_controls(frame: MeasureFrame) -> dict[str, str]:
    """One choice per count-based measure (in the sidebar); returns the non-default choices."""
    codes = counts_for(frame).codes
    with st.expander("Small numbers: smoothed rates"):
        st.caption(
            "Wards with few residents or few offences get extreme rates by chance. Smoothing pulls each rate "
            "towards London's (or its neighbours') by how little evidence the ward has."
        )
        for code in codes:
            label = plain(frame.measures.at[code, "label"])
            st.selectbox(label, list(METHODS), format_func=METHODS.get, key=f"s_{code}")
    return {c: st.session_state.get(f"s_{c}", RAW) for c in codes if st.session_state.get(f"s_{c}", RAW) != RAW}


def top_n_line(n_wards: int) -> int:
    if "top_n" not in st.session_state:  # seeded, not passed as value=, so a kept view can set it too
        st.session_state["top_n"] = max(1, round(n_wards / 10))
    return int(
        st.number_input(
            "Top-N line for rank bands",
            min_value=1,
            max_value=n_wards,
            step=5,
            key="top_n",
            help="Wards whose rank band straddles this line are outlined in blue on the map.",
        )
    )


def band_columns(frame: MeasureFrame, band: pd.DataFrame, top_n: int) -> pd.DataFrame:
    """Extra table columns (index ward_code): the band as text, whether it straddles the line, the population."""
    counts = counts_table(frame)
    return pd.DataFrame(
        {
            "rank_band": band_text(band),
            "uncertain": crosses(band, top_n),
            "population": counts["population"],
        }
    )


BAND_COLUMN_CONFIG = {
    "rank_band": st.column_config.TextColumn("Rank band (median, 5–95%)", help=BAND_HELP),
    "uncertain": st.column_config.CheckboxColumn("Band crosses top-N", help="Could be in the top N or out of it"),
    "population": st.column_config.NumberColumn("Residents", format="%d", help="Census 2021, LSOA best fit"),
}


def counts_for_ward(frame: MeasureFrame, ward: str) -> pd.DataFrame:
    """For the ward detail: each count-based measure's count and the population it is divided by."""
    counts = counts_for(frame)
    return pd.DataFrame(
        {
            "Measure": [frame.measures.at[c, "label"] for c in counts.codes],
            "Offences (count)": [counts.counts.at[ward, c] for c in counts.codes],
            "Residents": counts.population.get(ward),
            "Rate per 1,000 (as published)": [frame.values.at[ward, c] for c in counts.codes],
        }
    )


def legend(classes: Classes, top_n: int) -> None:
    """The map's classes as swatches, the scheme named, and the outline explained."""
    items = "".join(
        f'<span style="display:inline-block;margin-right:14px"><span style="display:inline-block;width:14px;'
        f'height:14px;background:{colour};border:1px solid #888;vertical-align:middle"></span> {label} '
        f"({n} wards)</span>"
        for label, colour, n in classes.legend()
    )
    outline = (
        '<span style="display:inline-block;width:14px;height:14px;border:3px solid #1446c8;vertical-align:middle">'
        f"</span> rank band crosses the top-{top_n} line"
    )
    st.html(f'<div style="font-size:0.85rem">Need score, classes by {classes.scheme}: {items}<br/>{outline}</div>')


CSV_NOTE = csv_note(DEFAULT_DRAWS, SEED)
