"""Need scores: tune the profile, see the ranked wards on a table and a map, and why each is flagged."""

import streamlit as st

from ui import need_state, uncertainty
from ui.cached import measure_frame
from ui.need_controls import save_form, sidebar
from ui.ranked_wards import filtered, picked, ranked_table
from ui.text import plain
from ui.ward_detail import ward_detail
from ui.ward_map import need_map
from vru_core.needs.maps import classify
from vru_core.needs.rank_bands import counts_table, crosses
from vru_core.needs.scoring import METHOD_MARKDOWN, flagged_labels, ranked_csv, score


def _pick_from_table() -> None:
    code = picked()
    if code:
        need_state.set_ward(code)


frame = measure_frame()
view = need_state.enter(frame)
st.title("Ward need scores")
for note in view.notes:
    st.info(plain(note))
st.caption(
    "Each measure flags the wards in its worst X%; a ward's score is the weighted count of measures that "
    "flag it. It ranks wards for one decision with your chosen weights. It is not an index."
)
smoothing = sidebar(frame)
st.subheader("Ranked wards and map")
f1, f2, f3 = st.columns([2, 1, 1])
f1.multiselect("Boroughs", sorted(frame.wards["borough_name"].unique()), key="boroughs", placeholder="All boroughs")
f2.text_input("Search ward name", key="search", placeholder="e.g. Stratford", max_chars=100)
with f3:
    top_n = uncertainty.top_n_line(len(frame.wards))
view = need_state.read_controls(frame, view, smoothing)
need_state.sync_address(view, frame)
profile = view.profile
result = score(frame, profile)
table = result.table
band = uncertainty.bands(frame, profile)

in_use = int((result.thresholds["weight"] > 0).sum())
c1, c2, c3, c4 = st.columns(4)
c1.metric("Wards scored", f"{len(table):,}")
c2.metric("Measures in use", f"{in_use} of {len(frame.measures)}")
c3.metric("Highest score", f"{table['score'].max():g}")
c4.metric("Wards scoring above 0", f"{int((table['score'] > 0).sum()):,}")

mapped = table["score"].where(table["measures_available"] > 0)  # no data at all: grey, not 0
classes = classify(mapped)
need_map(
    mapped,
    classes,
    label="Need score",
    description=f"Map of London's {len(table)} wards shaded by need score; the ranked table has the same figures.",
    ranks=table["rank"],
    outline=crosses(band, top_n),
    selected=view.ward,
    on_click=need_state.set_ward,
)
uncertainty.legend(classes, top_n)
st.caption(
    "Darker = higher score. Grey = no figures at all (most City of London wards: no MPS crime data and no "
    "best-fit population). Black lines are borough boundaries. Hover a ward for its name and borough; click it "
    "for its detail below."
)
shown = filtered(
    table.assign(flagged_measures=flagged_labels(result).reindex(table.index)).join(
        uncertainty.band_columns(frame, band, top_n)
    ),
    list(view.boroughs),
    view.search,
)
ranked_table(shown, max_score=float(result.thresholds["weight"].sum()) or 1.0, on_select=_pick_from_table)
st.caption(
    f"{len(shown):,} of {len(table):,} wards shown. Select a row to see why the ward is flagged. "
    "Equal scores share a rank."
)
st.download_button(
    "Download ranked wards (CSV)",
    lambda: ranked_csv(result, extra=band.join(counts_table(frame)), notes=[uncertainty.CSV_NOTE]),  # on click
    file_name="vru_need_scores.csv",
    mime="text/csv",
    key="download_ranked",
    on_click="ignore",
    help="The profile and each measure's source and period are in the header lines.",
)

st.subheader("Why is this ward flagged?")
ward_detail(frame, result, in_use)
with st.expander("Method: how the score works"):
    st.markdown(METHOD_MARKDOWN)
st.page_link(
    "app_pages/measures.py", label="Every measure's source, period, licence and caveats", icon=":material/menu_book:"
)
save_form(view)
