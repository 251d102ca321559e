"""The bare page the browser benchmark compares the need scores page with: one slider, the ranked table.

`streamlit run bench/bare_app.py` with VRU_DATA_DIR (or VRU_DATABASE_URL) pointing at a loaded store. Each
step rescores the 704 London wards with vru_core's scoring at the slider's threshold and shows the ranked
table with st.dataframe: nothing else, so it is the floor a Streamlit page with that table can reach.
"""

import streamlit as st

from vru_core.needs.measures import MeasureFrame, load_measure_frame
from vru_core.needs.scoring import Profile, score
from vru_core.platform.db import get_engine


@st.cache_resource
def _frame() -> MeasureFrame:
    return load_measure_frame(get_engine())


threshold = st.slider("Threshold: flag the worst X% of wards on each measure", 1.0, 50.0, 10.0, step=1.0)
st.dataframe(score(_frame(), Profile(threshold_pct=threshold)).table, hide_index=True)
