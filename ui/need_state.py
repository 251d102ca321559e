"""The need scores view (profile, filters, selected ward) kept in a key of its own, so it survives leaving.

Streamlit deletes a page's widget keys when the user visits another page. The view lives in
``st.session_state[VIEW]`` (not a widget key) and every run puts any missing widget value back from it,
so the threshold, weights, overrides, smoothing, filters and ward are the same when the user comes
back, and the page address is rewritten from it. An address with parameters (a shared link, a deep
link, a reload) sets the view when the page is entered.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import streamlit as st

from vru_core.needs.measures import MeasureFrame
from vru_core.needs.profile import Profile
from vru_core.needs.profiles import fit_to_controls, get_profile, list_profiles, profile_notes
from vru_core.needs.smoothing import RAW, counts_for

VIEW = "need_view"
ENTERED = "threshold"  # a widget key: missing means the page is being entered (first run, or back from elsewhere)


@dataclass(frozen=True)
class NeedView:
    profile: Profile
    boroughs: tuple[str, ...] = ()
    search: str = ""
    ward: str | None = None
    top_n: int | None = None
    show_overrides: bool = False
    loaded: tuple[str, int] | None = None  # the saved profile loaded (name, version), while unchanged
    loaded_profile: Profile | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)  # what the page must say about the address or profile

    def title(self) -> str:
        """Which profile this is, in words (the Sensitivity page names it too)."""
        if self.loaded and self.loaded_profile == self.profile:
            return f"Saved profile “{self.loaded[0]}” (version {self.loaded[1]})"
        if self.loaded:
            return f"Saved profile “{self.loaded[0]}”, changed since it was loaded (not saved)"
        return "Unsaved profile from the need scores page"

    def query_params(self, frame: MeasureFrame) -> dict[str, str]:
        params = self.profile.to_query_params(frame.measures)
        if self.boroughs:
            params["b"] = ",".join(self.boroughs)
        if self.search:
            params["q"] = self.search
        if self.ward:
            params["ward"] = self.ward
        return params


def _completed(profile: Profile, frame: MeasureFrame) -> Profile:
    """The same ranking as a complete profile over today's measures (what the controls show)."""
    return Profile.complete(
        frame.measures,
        profile.resolved_weights(frame.measures).to_dict(),
        threshold_pct=profile.threshold_pct,
        overrides=profile.overrides,
        smoothing=profile.smoothing,
    )


def _from_address(frame: MeasureFrame, params: dict) -> NeedView:
    labels = frame.measures["label"].to_dict()
    asked = Profile.from_query_params(params, frame.measures)
    fitted, notes = fit_to_controls(asked, labels)
    notes = [f"The page address asked for values the controls cannot show, so: {'; '.join(notes)}."] if notes else []
    if asked.measure_set is None:
        notes.append(
            "This address was made before links listed every measure: measures it does not set use today's "
            "default weights."
        )
    profile = _completed(fitted, frame)
    boroughs = set(frame.wards["borough_name"])
    return NeedView(
        profile=profile,
        boroughs=tuple(b for b in str(params.get("b", "")).split(",") if b in boroughs),
        search=str(params.get("q", ""))[:100],
        ward=params["ward"] if params.get("ward") in frame.wards.index else None,
        show_overrides=bool(profile.overrides),
        notes=tuple(notes),
    )


def widget_values(view: NeedView, frame: MeasureFrame) -> dict[str, object]:
    """Every control's value under `view`, by widget key."""
    profile, measures = view.profile, frame.measures
    values: dict[str, object] = {"threshold": float(profile.threshold_pct), "show_overrides": view.show_overrides}
    for code, default in measures["default_weight"].items():
        values[f"w_{code}"] = float(profile.weight_for(code, float(default)))
        override = profile.overrides.get(code)
        values[f"o_{code}"] = None if override is None else float(override)
    for code in counts_for(frame).codes:
        values[f"s_{code}"] = profile.smoothing.get(code, RAW)
    values.update(boroughs=list(view.boroughs), search=view.search)
    if view.ward is not None:
        values["ward"] = view.ward
    if view.top_n is not None:
        values["top_n"] = view.top_n
    return values


def enter(frame: MeasureFrame) -> NeedView:
    """The view for this run: from the address when entering with one, else kept; missing widgets refilled."""
    state = st.session_state
    entering = ENTERED not in state
    if entering:
        params = st.query_params.to_dict()
        kept = state.get(VIEW)
        if kept is None or (params and params != kept.query_params(frame)):  # an address for another view
            state[VIEW] = _from_address(frame, params)
    view: NeedView = state[VIEW]
    for key, value in widget_values(view, frame).items():
        if entering or key not in state:  # entering: the view wins over any widget value left behind
            state[key] = value
    return view


def read_controls(frame: MeasureFrame, view: NeedView, smoothing: dict[str, str]) -> NeedView:
    """The view the controls now show (a complete profile over today's measures), kept for the next visit."""
    state, measures = st.session_state, frame.measures
    show = bool(state.get("show_overrides"))
    profile = Profile.complete(
        measures,
        {c: float(state[f"w_{c}"]) for c in measures.index},
        threshold_pct=float(state["threshold"]),
        overrides={c: float(state[f"o_{c}"]) for c in measures.index if show and state.get(f"o_{c}") is not None},
        smoothing=smoothing,
    )
    view = replace(
        view,
        profile=profile,
        notes=view.notes if profile == view.profile else (),  # said until the user changes the profile
        show_overrides=show,
        boroughs=tuple(state.get("boroughs") or ()),
        search=str(state.get("search") or ""),
        ward=state.get("ward", view.ward),
        top_n=state.get("top_n", view.top_n),
    )
    state[VIEW] = view
    state["profile"], state["profile_title"] = profile, view.title()  # what Sensitivity tests
    return view


def sync_address(view: NeedView, frame: MeasureFrame) -> None:
    params = view.query_params(frame)
    if st.query_params.to_dict() != params:
        st.query_params.from_dict(params)


def set_ward(code: str) -> None:
    """Select a ward (from the map, the table or a link): runs in a callback, before the widgets are drawn."""
    st.session_state["ward"] = code
    st.session_state[VIEW] = replace(st.session_state[VIEW], ward=code)


def load_saved(frame: MeasureFrame, store) -> None:
    """Callback of "Load profile": put the named saved profile into the view and every control."""
    name = st.session_state.get("profile_name")
    saved = get_profile(store, name) if name else None
    if saved is None:
        return
    fitted, notes = fit_to_controls(saved, frame.measures["label"].to_dict())
    version = int(list_profiles(store).set_index("name").at[name, "version"])
    resolved = _completed(fitted, frame)
    view = replace(
        st.session_state[VIEW],
        profile=resolved,
        show_overrides=bool(fitted.overrides),
        loaded=(name, version),
        loaded_profile=resolved,
        notes=tuple(profile_notes(saved, frame.measures, name) + notes),
    )
    st.session_state[VIEW] = view
    for key, value in widget_values(view, frame).items():
        st.session_state[key] = value
    st.session_state["save_name"] = name
