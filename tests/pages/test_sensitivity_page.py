"""Sensitivity page: names the profile it tests, compares thresholds side by side, says when ties swell the top N."""

from __future__ import annotations

import pytest

from tests.pages.conftest import visible
from vru_core.needs.measures import load_measure_frame
from vru_core.needs.profile import Profile
from vru_core.needs.sensitivity import compare_thresholds

PAGE = "app_pages/sensitivity.py"


def _open_with(make_app, profile=None, title=None, **kwargs):
    """The app opened on its first page (the need scores page, which leaves its profile in the session), then
    the profile and title given (none: as if Sensitivity were opened first), then Sensitivity."""
    at = make_app(**kwargs)
    for key, value in (("profile", profile), ("profile_title", title)):
        if value is not None:
            at.session_state[key] = value
        elif key in at.session_state:
            del at.session_state[key]
    for key in list(at.query_params):  # the need scores page's address, which a page link does not carry
        del at.query_params[key]
    at.switch_page(PAGE).run()
    assert not at.exception
    return at


def test_default_profile_compares_5_10_15_and_reacts_to_top_n(make_app):
    at = _open_with(make_app)
    assert any("Testing: **Default profile**" in visible(i.value) for i in at.info)
    summary, wards, robust = (d.value for d in at.dataframe[:3])
    assert summary["threshold"].tolist() == [5, 10, 15]
    assert (summary["in_top_n"] >= 30).all() and summary.loc[0, "overlap"] == summary.loc[0, "in_top_n"]
    assert summary.loc[0, "overlap_share"] == 1.0
    assert {"rank_5", "rank_10", "rank_15", "ward_name", "borough_name"} <= set(wards.columns)
    assert ((wards[["rank_5", "rank_10", "rank_15"]] <= 30).sum(axis=1) == wards["times_in_top_n"]).all()
    assert (robust["best_rank"] <= robust["base_rank"]).all() and (robust["base_rank"] <= robust["worst_rank"]).all()
    at.number_input(key="sens_top_n").set_value(60).run()
    assert not at.exception
    assert (at.dataframe[0].value["in_top_n"] >= 60).all()
    assert len(at.dataframe[2].value) > len(robust)
    assert at.get("vega_lite_chart")


def test_names_the_need_scores_profile_as_text_and_says_when_ties_make_top_30_hold_more(make_app, engine):
    frame = load_measure_frame(engine)
    only = dict.fromkeys(frame.measures.index, 0.0) | {"crime_weapons_rate": 1.0}
    profile = Profile(threshold_pct=8, weights=only)
    title = "Saved profile “**Knife** [crime](http://evil.example) <b>x</b>” (version 3)"
    at = _open_with(make_app, profile, title)
    info = " ".join(visible(i.value) for i in at.info)
    assert f"Testing: **{title}**" in info and "1 of" in info and "its own threshold is 8%" in info
    expected = compare_thresholds(frame, profile, (5, 10, 15), 30)
    notes = expected.tie_notes()
    assert notes and "ties make the top 30 hold" in notes[0]
    assert [w.value for w in at.warning] == notes
    assert at.dataframe[0].value["in_top_n"].tolist() == expected.summary["in_top_n"].tolist()


def test_a_profile_in_the_address_when_the_session_has_none(make_app):
    at = _open_with(make_app)
    at.query_params.update({"t": "7", "w": "crime_vwi_rate:3"})
    at.run()
    assert any("Testing: **Profile from the address**" in visible(i.value) for i in at.info)
    assert any("its own threshold is 7%" in visible(i.value) for i in at.info)


def test_unsaved_profile_without_a_title_and_typed_thresholds(make_app):
    at = _open_with(make_app, Profile(threshold_pct=12))
    assert any("need scores page's current profile" in visible(i.value) for i in at.info)
    at.text_input(key="sens_thresholds").input("15%; 7.5%").run()
    assert not at.exception
    assert at.dataframe[0].value["threshold"].tolist() == [15, 7.5]
    assert {"rank_15", "rank_7.5"} <= set(at.dataframe[1].value.columns)


@pytest.mark.parametrize(
    ("typed", "said"),
    [("10", "give two or more"), ("5, =HYPERLINK(1)", "is not a number"), ("5, 200", "200% is not a threshold")],
)
def test_bad_thresholds_are_a_message(make_app, typed, said):
    at = _open_with(make_app)
    at.text_input(key="sens_thresholds").input(typed).run()
    assert not at.exception
    assert any(said in visible(e.value) for e in at.error)
    assert not at.dataframe
