"""Thresholds side by side: the top N at each threshold, ties that make it hold more wards, overlap with the first.

The tiny frame is worked by hand (six wards, two measures, no tied values), so every expected rank is certain:

    m1: A 6, B 5, C 4, D 3, E 2, F 1        m2: B 6, A 5, D 4, C 3, E 2, F 1     (high is worse, weight 1 each)

    20% (k = 1): m1 flags A, m2 flags B        -> A 1, B 1, C-F 0 -> ranks A 1, B 1, C-F 3
    35% (k = 2): both flag A and B             -> A 2, B 2, C-F 0 -> ranks A 1, B 1, C-F 3
    50% (k = 3): m1 A B C, m2 B A D            -> A 2, B 2, C 1, D 1, E F 0 -> ranks 1 1 3 3 5 5
    100% (k = 6): everything flagged           -> every ward 2 -> every ward rank 1
"""

from __future__ import annotations

import pandas as pd
import pytest

from vru_core.needs.measures import MeasureFrame, load_measure_frame
from vru_core.needs.profile import Profile
from vru_core.needs.scoring import score
from vru_core.needs.sensitivity import compare_thresholds, parse_thresholds, rank_column
from vru_core.platform.errors import Invalid

WARDS = list("ABCDEF")


def tiny() -> MeasureFrame:
    wards = pd.DataFrame(
        {
            "ward_name": [f"Ward {w}" for w in WARDS],
            "borough_code": ["B1"] * 3 + ["B2"] * 3,
            "borough_name": ["North"] * 3 + ["South"] * 3,
            "population": 10_000.0,
            "in_mps_data": True,
        },
        index=pd.Index(WARDS, name="ward_code"),
    )
    values = pd.DataFrame({"m1": [6.0, 5, 4, 3, 2, 1], "m2": [5.0, 6, 3, 4, 2, 1]}, index=wards.index)
    measures = pd.DataFrame(
        {
            "label": ["Measure one", "Measure two"],
            "family": "crime",
            "unit": "rate",
            "direction": "high_is_worse",
            "geography": "ward",
            "source": "test",
            "publisher": "test",
            "period": "2025",
            "licence": "OGL",
            "notes": "",
            "default_weight": 1.0,
        },
        index=pd.Index(["m1", "m2"], name="code"),
    )
    return MeasureFrame(wards=wards, measures=measures, values=values)


@pytest.fixture(scope="module")
def frame() -> MeasureFrame:
    return tiny()


# (thresholds, top_n, per threshold: (in_top_n, edge_rank, edge_tied, edge_score, overlap, overlap_share))
CASES = [
    pytest.param((20, 50), 3, [(6, 3, 4, 0, 6, 1.0), (4, 3, 2, 1, 4, 4 / 6)], id="zeros-tie-at-3"),
    pytest.param((50, 20), 2, [(2, 1, 2, 2, 2, 1.0), (2, 1, 2, 1, 2, 1.0)], id="no-tie-beyond-2"),
    pytest.param((50, 100), 1, [(2, 1, 2, 2, 2, 1.0), (6, 1, 6, 2, 2, 1.0)], id="top-1-holds-2-then-6"),
    pytest.param((35, 50), 4, [(6, 3, 4, 0, 6, 1.0), (4, 3, 2, 1, 4, 4 / 6)], id="top-4-every-zero"),
    pytest.param((50, 35, 20), 5, [(6, 5, 2, 0, 6, 1.0), (6, 3, 4, 0, 6, 1.0), (6, 3, 4, 0, 6, 1.0)], id="three"),
]


@pytest.mark.parametrize(("thresholds", "top_n", "expected"), CASES)
def test_summary_per_threshold(frame, thresholds, top_n, expected):
    out = compare_thresholds(frame, Profile(), thresholds, top_n)
    summary = out.summary
    assert summary["threshold"].tolist() == list(map(float, thresholds))  # the order given: the first is the base
    got = list(
        summary[["in_top_n", "edge_rank", "edge_tied", "edge_score", "overlap", "overlap_share"]].itertuples(
            index=False, name=None
        )
    )
    assert got == [pytest.approx(row) for row in expected]
    tied = [f"{t:g}%" for t, row in zip(thresholds, expected, strict=True) if row[0] > top_n]
    notes = out.tie_notes()
    assert [n.split(",")[0].removeprefix("At ") for n in notes] == tied


def test_tie_note_says_it_in_words(frame):
    out = compare_thresholds(frame, Profile(), (20, 50), 3)
    assert out.tie_notes() == [
        "At 20%, ties make the top 3 hold 6 wards: 4 wards share rank 3 (they score 0: no counted measure flags them).",
        "At 50%, ties make the top 3 hold 4 wards: 2 wards share rank 3.",
    ]
    assert compare_thresholds(frame, Profile(), (50, 20), 2).tie_notes() == []


def test_per_ward_table_ranks_every_ward_in_any_top_n(frame):
    out = compare_thresholds(frame, Profile(), (50, 20), 2)
    t = out.wards
    assert list(t.columns) == ["ward_code", "ward_name", "borough_name", "rank_50", "rank_20", "times_in_top_n"]
    assert t["ward_code"].tolist() == ["A", "B"]
    assert t[["rank_50", "rank_20", "times_in_top_n"]].to_numpy().tolist() == [[1, 1, 2], [1, 1, 2]]
    out = compare_thresholds(frame, Profile(), (50, 20), 3)
    t = out.wards.set_index("ward_code")
    assert t.index.tolist() == list("ABCDEF")  # 20%'s top 3 holds all six (rank 3 tie): each shown with its ranks
    assert t.loc["E", ["rank_50", "rank_20", "times_in_top_n"]].tolist() == [5, 3, 1]
    assert t.loc["C", "borough_name"] == "North" and t.loc["F", "ward_name"] == "Ward F"


def test_weights_and_overrides_of_the_profile_are_kept(frame):
    # m2 weighted 2 at 20%: A 1, B 2 -> B alone first.
    out = compare_thresholds(frame, Profile(weights={"m2": 2}), (20, 50), 1)
    assert out.summary["in_top_n"].tolist() == [1, 2]  # 50%: A 3, B 3, tied first
    assert out.wards["ward_code"].tolist() == ["B", "A"]
    # m1 at its own 50% while the threshold varies: at 20% m1 flags A B C, m2 flags B -> B 2, A 1, C 1.
    out = compare_thresholds(frame, Profile(overrides={"m1": 50}), (20, 35), 2)
    assert out.summary[["in_top_n", "edge_rank", "edge_tied"]].to_numpy().tolist() == [[3, 2, 2], [2, 1, 2]]
    assert out.tie_notes()[0].startswith("At 20%, ties make the top 2 hold 3 wards: 2 wards share rank 2")


def test_a_measure_at_weight_zero_stays_out(frame):
    # 20%: only A is flagged (m1); 50%: m1 flags A B C, one point each, so they tie first.
    out = compare_thresholds(frame, Profile(weights={"m2": 0}), (20, 50), 1)
    assert out.summary["in_top_n"].tolist() == [1, 3]
    assert out.wards["ward_code"].tolist() == ["A", "B", "C"]


def test_every_threshold_agrees_with_plain_scoring_on_the_real_data_smoothing_included(loaded_engine):
    real = load_measure_frame(loaded_engine)
    only_weapons = dict.fromkeys(real.measures.index, 0.0) | {"crime_weapons_rate": 1.0}  # so smoothing shows
    profile = Profile(threshold_pct=12, weights=only_weapons, smoothing={"crime_weapons_rate": "spatial_eb"})
    out = compare_thresholds(real, profile, (5, 10, 15), 30)
    smoothed = score(real, Profile(threshold_pct=10, weights=only_weapons, smoothing=profile.smoothing)).table["rank"]
    unsmoothed = score(real, Profile(threshold_pct=10, weights=only_weapons)).table["rank"]
    at_10 = out.wards.set_index("ward_code")[rank_column(10)]
    assert at_10.to_dict() == smoothed.reindex(at_10.index).to_dict()
    assert set(at_10.index[at_10 <= 30]) == set(smoothed.index[smoothed <= 30])
    assert out.summary.loc[1, "in_top_n"] == (smoothed <= 30).sum()
    assert set(smoothed.index[smoothed <= 30]) != set(unsmoothed.index[unsmoothed <= 30])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("5, 10, 15", (5.0, 10.0, 15.0)),
        ("5% 7.5% 10%", (5.0, 7.5, 10.0)),
        ("15;5", (15.0, 5.0)),  # the order typed: the first is what the others are compared with
        ("10, 10, 20", (10.0, 20.0)),
        (" 1\n100 ", (1.0, 100.0)),
    ],
)
def test_parse_thresholds(text, expected):
    assert parse_thresholds(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "two or more"),
        ("10", "two or more"),
        ("10, 10", "two or more"),
        ("5, ten", "'ten' is not a number"),
        ("0, 10", "0% is not a threshold"),
        ("10, 150", "150% is not a threshold"),
        ("10, nan", "not a finite number"),
        ("=cmd(), 5", "is not a number"),
        (", ".join(str(i) for i in range(1, 10)), "at most 8"),
    ],
)
def test_parse_thresholds_refuses(text, message):
    with pytest.raises(Invalid, match=message) as err:
        parse_thresholds(text)
    assert {p.field for p in err.value.problems} == {"thresholds"}


@pytest.mark.parametrize("kwargs", [{"thresholds": ()}, {"thresholds": (0, 10)}, {"top_n": 0}, {"top_n": 2.5}])
def test_compare_rejects_bad_arguments(frame, kwargs):
    with pytest.raises(ValueError):
        compare_thresholds(frame, Profile(), **{"thresholds": (10, 20), "top_n": 3, **kwargs})
