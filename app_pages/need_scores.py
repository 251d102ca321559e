"""Need scores: tune the profile, see the ranked wards on a table and a map, and why each is flagged."""

import pandas as pd
import streamlit as st

from ui import uncertainty
from ui.cached import map_features, measure_frame, violence_movement, ward_trend_spec, ward_trend_table
from ui.charts import chart
from ui.feedback import attempt, show_refusal
from ui.session import can, current_actor, engine
from ui.text import plain
from vru_core.needs.maps import choropleth_deck, classify
from vru_core.needs.profiles import fit_to_controls, get_profile, list_profiles, save_profile
from vru_core.needs.rank_bands import counts_table, crosses
from vru_core.needs.scoring import METHOD_MARKDOWN, Profile, explain, flagged_labels, ranked_csv, score
from vru_core.platform.auth import Permission

frame = measure_frame()
measures = frame.measures
FAMILY_TITLES = {
    "crime": "Crime",
    "perceptions": "Public perceptions",
    "health": "Public health",
    "deprivation": "Deprivation",
    "population": "Population (context)",
    "other": "Other",
}


def _apply_profile(profile: Profile) -> None:
    """Put a profile into the widgets (runs before they are drawn: from a callback or first run)."""
    st.session_state["threshold"] = float(profile.threshold_pct)
    for code, default in measures["default_weight"].items():
        st.session_state[f"w_{code}"] = float(profile.weight_for(code, default))
        override = profile.overrides.get(code)
        st.session_state[f"o_{code}"] = None if override is None else float(override)
    st.session_state["show_overrides"] = bool(profile.overrides)
    uncertainty.apply_smoothing(frame, profile)


def _load_saved() -> None:
    name = st.session_state.get("profile_name")
    saved = get_profile(engine(), name) if name else None
    if saved is not None:
        _apply_profile(fit_to_controls(saved, labels)[0])
        versions = list_profiles(engine()).set_index("name")["version"]
        st.session_state["loaded_profile"] = (name, int(versions[name]))  # a save of it names this version
        st.session_state["save_name"] = name


def _pick_from_table() -> None:
    rows = st.session_state["ranked_table"]["selection"]["rows"]
    if rows:
        st.session_state["ward"] = st.session_state["_table_codes"][rows[0]]


def _pick_from_map() -> None:
    objects = st.session_state["need_map"]["selection"]["objects"].get("wards", [])
    if objects:
        st.session_state["ward"] = objects[0]["properties"]["ward_code"]


labels = measures["label"].to_dict()
if "need_scores_ready" not in st.session_state:
    params = st.query_params.to_dict()
    fitted, notes = fit_to_controls(Profile.from_query_params(params, measures), labels)
    st.session_state["address_notes"] = notes
    _apply_profile(fitted)
    st.session_state["boroughs"] = [b for b in params.get("b", "").split(",") if b in set(frame.wards["borough_name"])]
    st.session_state["search"] = params.get("q", "")
    if params.get("ward") in frame.wards.index:
        st.session_state["ward"] = params["ward"]
    st.session_state["need_scores_ready"] = True

st.title("Ward need scores")
if st.session_state.get("address_notes"):
    st.info(
        "The page address asked for values the controls cannot show, so: "
        + plain("; ".join(st.session_state["address_notes"]))
        + "."
    )
st.caption(
    "Each measure flags the wards in its worst X%; a ward's score is the weighted count of measures that "
    "flag it. It ranks wards for one decision with your chosen weights. It is not an index."
)

with st.sidebar:
    st.subheader("Scoring profile")
    saved = list_profiles(engine())
    if len(saved):
        st.selectbox(
            "Saved profiles",
            saved["name"].tolist(),
            key="profile_name",
            index=None,
            placeholder="Choose a saved profile…",
        )
        st.button("Load profile", key="load_profile", on_click=_load_saved, width="stretch")
    st.slider(
        "Threshold: flag the worst X% of wards on each measure", 1.0, 50.0, step=1.0, key="threshold", format="%d%%"
    )
    st.caption("Weights (0 leaves a measure out)")
    for family, group in measures.groupby("family", sort=False):
        with st.expander(f"{FAMILY_TITLES.get(family, family.title())} ({len(group)})", expanded=family == "crime"):
            for code, m in group.iterrows():
                level = " · borough figure" if m["geography"] == "borough" else ""
                st.slider(
                    plain(m["label"] + level),
                    0.0,
                    5.0,
                    step=0.5,
                    key=f"w_{code}",
                    help=plain(f"{m['period']}. Source: {m['source']} ({m['publisher']})."),
                )
    if st.toggle("Per-measure thresholds", key="show_overrides"):
        st.caption("Leave blank to use the global threshold.")
        for code, m in measures.iterrows():
            st.number_input(plain(m["label"]), min_value=1.0, max_value=100.0, step=1.0, value=None, key=f"o_{code}")
    smoothing = uncertainty.smoothing_controls(frame)

profile = Profile(
    threshold_pct=float(st.session_state["threshold"]),
    weights={
        c: float(st.session_state[f"w_{c}"])
        for c in measures.index
        if float(st.session_state[f"w_{c}"]) != float(measures.at[c, "default_weight"])
    },
    overrides={
        c: float(st.session_state[f"o_{c}"])
        for c in measures.index
        if st.session_state["show_overrides"] and st.session_state.get(f"o_{c}") is not None
    },
    smoothing=smoothing,
)
st.session_state["profile"] = profile
result = score(frame, profile)
table = result.table
band = uncertainty.bands(frame, profile)

view_params = {**profile.to_query_params(measures)}
if st.session_state.get("boroughs"):
    view_params["b"] = ",".join(st.session_state["boroughs"])
if st.session_state.get("search"):
    view_params["q"] = st.session_state["search"]
if st.session_state.get("ward"):
    view_params["ward"] = st.session_state["ward"]
if st.query_params.to_dict() != view_params:
    st.query_params.from_dict(view_params)

in_use = int((result.thresholds["weight"] > 0).sum())
c1, c2, c3, c4 = st.columns(4)
c1.metric("Wards scored", f"{len(table):,}")
c2.metric("Measures in use", f"{in_use} of {len(measures)}")
c3.metric("Highest score", f"{table['score'].max():g}")
c4.metric("Wards scoring above 0", f"{int((table['score'] > 0).sum()):,}")

flag_labels = flagged_labels(result)

st.subheader("Map")
top_n = uncertainty.top_n_line(len(table))
mapped = table["score"].where(table["measures_available"] > 0)  # no data at all: grey, not 0
classes = classify(mapped)
deck = choropleth_deck(
    map_features(),
    mapped,
    label="Need score",
    details=("Flagged: " + flag_labels).where(flag_labels != "", "No measure flagged"),
    classes=classes,
    outline=crosses(band, top_n),
)
st.pydeck_chart(deck, key="need_map", on_select=_pick_from_map, selection_mode="single-object", height=560)
uncertainty.legend(classes, top_n)
st.caption(
    "Darker = higher score. Grey = no figures at all (most City of London wards: no MPS crime data and no "
    "best-fit population). "
    "Black lines are borough boundaries. Click a ward for its detail below."
)

st.subheader("Ranked wards")
f1, f2 = st.columns([2, 1])
f1.multiselect("Boroughs", sorted(frame.wards["borough_name"].unique()), key="boroughs", placeholder="All boroughs")
f2.text_input("Search ward name", key="search", placeholder="e.g. Stratford")
shown = table.assign(flagged_measures=flag_labels.reindex(table.index)).join(
    uncertainty.band_columns(frame, band, top_n)
)
if st.session_state["boroughs"]:
    shown = shown[shown["borough_name"].isin(st.session_state["boroughs"])]
if st.session_state["search"]:
    shown = shown[shown["ward_name"].str.contains(st.session_state["search"], case=False, regex=False)]
st.session_state["_table_codes"] = shown.index.tolist()
max_score = float(result.thresholds["weight"].sum()) or 1.0
st.dataframe(
    shown.reset_index()[
        [
            *["rank", "rank_band", "uncertain", "ward_name", "borough_name", "score", "flagged_count"],
            *["flagged_measures", "population", "ward_code"],
        ]
    ],
    key="ranked_table",
    on_select=_pick_from_table,
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
ward_names = (table["ward_name"] + " (" + table["borough_name"] + ")").to_dict()
if st.session_state.get("ward") not in ward_names:
    st.session_state["ward"] = table.index[0]
ward = st.selectbox("Ward", list(ward_names), format_func=ward_names.get, key="ward")
w = table.loc[ward]
st.markdown(
    f"**{plain(w['ward_name'])}**, {plain(w['borough_name'])}: score **{w['score']:g}**, rank **{int(w['rank'])}** "
    f"of {len(table)}, flagged on **{int(w['flagged_count'])}** of {in_use} measures in use."
)
detail = explain(result, ward)
st.dataframe(
    detail[
        [
            "label",
            "geography",
            "value",
            "threshold_value",
            "percentile",
            "flagged",
            "weight",
            "contribution",
            "unit",
            "period",
        ]
    ],
    hide_index=True,
    width="stretch",
    column_config={
        "label": "Measure",
        "geography": st.column_config.TextColumn(
            "Level", help="borough = the borough's figure, the same for every ward"
        ),
        "value": st.column_config.NumberColumn("Ward value", format="%.2f"),
        "threshold_value": st.column_config.NumberColumn(
            "Threshold value", format="%.2f", help="The least extreme value that is still flagged"
        ),
        "percentile": st.column_config.NumberColumn(
            "Worst %", format="%.1f%%", help="Share of wards with a value at least this bad"
        ),
        "flagged": st.column_config.CheckboxColumn("Flagged"),
        "weight": st.column_config.NumberColumn("Weight", format="%.1f"),
        "contribution": st.column_config.NumberColumn("Adds to score", format="%.1f"),
        "unit": "Unit",
        "period": "Period",
    },
)
st.dataframe(uncertainty.counts_for_ward(frame, ward), hide_index=True, width="stretch")
frame_ward = frame.wards.loc[ward]
if not frame_ward["in_mps_data"]:
    st.info(
        "This City of London ward is policed by the City of London Police, so it has no MPS crime figures: "
        "its crime measures are missing and never flagged."
    )
elif pd.notna(frame_ward["population_lsoas"]) and frame_ward["population_lsoas"] <= 3:
    st.info(
        f"Rates use a Census 2021 population built from only {int(frame_ward['population_lsoas'])} LSOAs: "
        "treat them as approximate."
    )

if frame_ward["in_mps_data"]:
    chart(
        ward_trend_spec(ward),
        description=f"Line chart of offences a month in {frame_ward['ward_name']} (MPS).",
        table=ward_trend_table(ward),
        key="ward_trend",
    )
    movement = violence_movement()
    if ward in movement.index:
        m = movement.loc[ward]
        direction = "rising" if m["change"] > 0 else "falling" if m["change"] < 0 else "flat"
        note = "" if m["eligible"] else " (too few offences for the rising/falling lists)"
        st.caption(
            f"Violence with injury: {int(m['latest_12'])} offences in the latest 12 months against "
            f"{int(m['previous_12'])} in the 12 before: {direction}{note}."
        )

with st.expander("Method: how the score works"):
    st.markdown(METHOD_MARKDOWN)
st.page_link(
    "app_pages/measures.py", label="Every measure's source, period, licence and caveats", icon=":material/menu_book:"
)

with st.expander("Save this profile"):
    if not can(Permission.PROFILES_WRITE):
        st.info("Sign in as an analyst to save profiles. Anyone can share this view: the page address holds it.")
    else:
        loaded_name, loaded_version = st.session_state.get("loaded_profile", (None, None))
        with st.form("save_profile_form"):
            name = st.text_input("Profile name", key="save_name", placeholder="e.g. 2026/27 commissioning round")
            description = st.text_input("What it is for", key="save_description")
            if st.form_submit_button("Save profile"):
                same = name.strip() == loaded_name  # saving over the profile loaded names its version
                ok, version = attempt(
                    "save_profile",
                    save_profile,
                    engine=engine(),
                    actor=current_actor(),
                    name=name,
                    profile=profile,
                    description=description,
                    expected_version=loaded_version if same else None,
                )
                if ok:
                    st.session_state["loaded_profile"] = (name.strip(), version)
                    st.success(f"Saved profile “{plain(name.strip())}” (version {version}).")
        show_refusal("save_profile")
