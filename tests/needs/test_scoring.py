"""Scoring against a hand-made frame whose every expected flag, score and rank was worked out by hand."""

from __future__ import annotations

import io
import json
import math
import pickle

import numpy as np
import pandas as pd
import pytest

from vru_core.needs import cli as scoring_cli
from vru_core.needs import kernel
from vru_core.needs.cli import build_parser, main
from vru_core.needs.measures import MeasureFrame
from vru_core.needs.rank_bands import csv_extra, csv_note
from vru_core.needs.scoring import (
    EXPLAIN_COLUMNS,
    Profile,
    explain,
    flag_matrix,
    ranked_csv,
    ranked_table,
    score,
)

NAN = math.nan
WARDS = [  # code, name, borough code, borough name
    ("W01", "Oakfield", "B1", "Northborough"),
    ("W02", "Elmstead", "B1", "Northborough"),
    ("W03", "Ashford", "B1", "Northborough"),
    ("W04", "Birchwood", "B1", "Northborough"),
    ("W05", "Pinecrest", "B2", "Eastborough"),
    ("W06", "Hazelmere", "B2", "Eastborough"),
    ("W07", "Cedarwood", "B2", "Eastborough"),
    ("W08", "Willowbank", "B3", "Southborough"),
    ("W09", "Mapleton", "B3", "Southborough"),
    ("W10", "Larchmont", "B3", "Southborough"),
]
# knife: high is worse, all distinct.  feel_safe: low is worse, W07/W08 tied at 60.
# imd: high is worse, W01/W02 missing.  unemp: borough figure (B1 5, B2 7, B3 6) copied to its wards.
VALUES = {
    "knife": [10, 9, 8, 7, 6, 5, 4, 3, 2, 1],
    "feel_safe": [90, 85, 80, 75, 70, 65, 60, 60, 55, 50],
    "imd": [NAN, NAN, 30, 25, 40, 20, 15, 35, 10, 5],
    "unemp": [5, 5, 5, 5, 7, 7, 7, 6, 6, 6],
}
MEASURES = [  # code, label, family, unit, direction, geography
    ("knife", "Knife crime", "crime", "per 1,000", "high_is_worse", "ward"),
    ("feel_safe", "% who feel safe", "perceptions", "%", "low_is_worse", "ward"),
    ("imd", "IMD score", "deprivation", "score", "high_is_worse", "ward"),
    ("unemp", "Unemployment rate", "deprivation", "%", "high_is_worse", "borough"),
]
CODES = [m[0] for m in MEASURES]


def make_frame() -> MeasureFrame:
    wards = pd.DataFrame(WARDS, columns=["ward_code", "ward_name", "borough_code", "borough_name"]).set_index(
        "ward_code"
    )
    wards["population"] = 10_000.0
    wards["in_mps_data"] = True
    measures = pd.DataFrame(MEASURES, columns=["code", "label", "family", "unit", "direction", "geography"])
    measures["source"] = [f"Source of {c}" for c in CODES]
    measures["publisher"] = "Test publisher"
    measures["period"] = [f"Period {i}" for i in range(1, 5)]
    measures["licence"] = "OGL v3"
    measures["notes"] = ""
    measures["default_weight"] = 1.0
    values = pd.DataFrame(VALUES, index=wards.index, dtype="float64")[CODES]
    return MeasureFrame(wards=wards, measures=measures.set_index("code"), values=values)


@pytest.fixture
def frame() -> MeasureFrame:
    return make_frame()


def _with_extra_measure(frame: MeasureFrame, code: str, default_weight: float) -> MeasureFrame:
    """The frame with one more measure (high is worse, distinct values), as if added later."""
    row = frame.measures.iloc[0].copy()
    row["label"], row["default_weight"] = f"Added {code}", default_weight
    measures = pd.concat([frame.measures, row.to_frame(code).T]).astype(frame.measures.dtypes)
    values = frame.values.assign(**{code: range(len(frame.values), 0, -1)}).astype("float64")
    return MeasureFrame(wards=frame.wards, measures=measures, values=values)


def flagged(result, code: str) -> set[str]:
    column = result.flags[code]
    return set(column.index[column.to_numpy()])


# ---- flags --------------------------------------------------------------------------------------

FLAG_CASES = [
    (10, "knife", {"W01"}),
    (20, "knife", {"W01", "W02"}),
    (30, "knife", {"W01", "W02", "W03"}),
    (10, "feel_safe", {"W10"}),  # low is worse
    (20, "feel_safe", {"W10", "W09"}),
    (30, "feel_safe", {"W10", "W09"}),  # k = 3 would split the W07/W08 tie (r = 4 for both): neither flagged
    (40, "feel_safe", {"W10", "W09", "W07", "W08"}),  # k = 4: the whole tie fits
    (10, "imd", set()),  # n = 8 with a value: k = floor(0.8) = 0, no ward is in the worst 10%
    (20, "imd", {"W05"}),  # k = floor(1.6) = 1
    (30, "imd", {"W05", "W08"}),  # k = floor(2.4) = 2
    (100, "imd", {"W03", "W04", "W05", "W06", "W07", "W08", "W09", "W10"}),  # missing never flagged
    (10, "unemp", set()),  # the worst borough has 3 wards (r = 3 > k = 1): a borough is never split
    (30, "unemp", {"W05", "W06", "W07"}),  # k = 3: the worst borough's wards, all together
    (40, "unemp", {"W05", "W06", "W07"}),  # k = 4: the next borough (r = 6) does not fit
    (60, "unemp", {"W05", "W06", "W07", "W08", "W09", "W10"}),
]


@pytest.mark.parametrize(("pct", "code", "expected"), FLAG_CASES)
def test_flags_by_hand(frame, pct, code, expected):
    assert flagged(score(frame, Profile(threshold_pct=pct)), code) == expected


@pytest.mark.parametrize(
    ("pct", "knife", "knife_threshold", "feel_safe", "feel_safe_threshold"),
    [
        (15, {"W01"}, 3, {"W09"}, 40),  # k = floor(1.5) = 1
        (20, {"W01", "W02"}, 2, {"W09", "W10"}, 50),  # k = 2
        (50, {"W01", "W02"}, 2, {"W09", "W10", "W08"}, 60),  # k = 5: the shared best value has r = 10 on both
    ],
)
def test_a_value_most_wards_share_is_never_flagged(pct, knife, knife_threshold, feel_safe, feel_safe_threshold):
    frame = make_frame()
    frame.values["knife"] = [3.0, 2.0] + [0.0] * 8  # high is worse: eight wards at the best value 0 (r = 10)
    frame.values["feel_safe"] = [100.0] * 7 + [60.0, 40.0, 50.0]  # low is worse: W09 r = 1, W10 r = 2, W08 r = 3
    result = score(frame, Profile(threshold_pct=pct))
    assert flagged(result, "knife") == knife
    assert flagged(result, "feel_safe") == feel_safe
    n_flagged = result.thresholds["n_flagged"]
    assert n_flagged["knife"] <= 10 * pct / 100 and n_flagged["feel_safe"] <= 10 * pct / 100
    assert result.thresholds.loc["knife", "threshold_value"] == knife_threshold
    assert result.thresholds.loc["feel_safe", "threshold_value"] == feel_safe_threshold
    assert result.percentiles.loc["W03", "knife"] == 100.0 and result.percentiles.loc["W01", "feel_safe"] == 100.0


@pytest.mark.parametrize("pct", [10, 20, 30, 100])
def test_missing_values_are_never_flagged(frame, pct):
    result = score(frame, Profile(threshold_pct=pct))
    assert not result.flags.loc[["W01", "W02"], "imd"].any()
    assert result.percentiles.loc[["W01", "W02"], "imd"].isna().all()


@pytest.mark.parametrize("pct", [10, 20, 30, 40])
def test_borough_measure_flags_whole_boroughs(frame, pct):
    result = score(frame, Profile(threshold_pct=pct))
    boroughs = frame.wards["borough_code"]
    for _, group in result.flags["unemp"].groupby(boroughs):
        assert group.all() or not group.any()


THRESHOLD_CASES = [  # pct, code, threshold value (least extreme flagged value; NaN if none), n with value, n flagged
    (10, "knife", 10, 10, 1),  # k = 1
    (10, "feel_safe", 50, 10, 1),  # k = 1, low is worse
    (10, "imd", NAN, 8, 0),  # k = floor(0.8) = 0: nothing flagged, so no threshold value
    (10, "unemp", NAN, 10, 0),  # k = 1 < r = 3 of the worst borough
    (20, "imd", 40, 8, 1),  # k = floor(1.6) = 1
    (30, "feel_safe", 55, 10, 2),  # k = 3: W10 (50), W09 (55); the W07/W08 tie at 60 has r = 4
    (40, "feel_safe", 60, 10, 4),  # k = 4: the tie at 60 fits
    (30, "imd", 35, 8, 2),  # k = floor(2.4) = 2: W05 (40), W08 (35)
    (100, "imd", 5, 8, 8),  # k = 8: every ward with a value
    (40, "unemp", 7, 10, 3),  # k = 4: B2 (r = 3) only; B3 has r = 6
    (60, "unemp", 6, 10, 6),  # k = 6: B2 and B3
]


@pytest.mark.parametrize(("pct", "code", "value", "n", "n_flagged"), THRESHOLD_CASES)
def test_thresholds_table(frame, pct, code, value, n, n_flagged):
    t = score(frame, Profile(threshold_pct=pct)).thresholds
    assert list(t.columns) == ["threshold_pct", "threshold_value", "n_wards_with_value", "n_flagged", "weight"]
    assert list(t.index) == CODES
    row = t.loc[code]
    assert (row["threshold_pct"], row["n_wards_with_value"], row["n_flagged"]) == (pct, n, n_flagged)
    if math.isnan(value):
        assert math.isnan(row["threshold_value"])
    else:
        assert row["threshold_value"] == value


PERCENTILE_CASES = [  # 100 * worst-rank / n, r = number of wards at least as bad (ties included)
    ("W01", "knife", 10.0),  # r = 1
    ("W10", "knife", 100.0),  # r = 10
    ("W07", "feel_safe", 40.0),  # tie W07/W08 at 60 behind W10, W09: r = 4
    ("W08", "feel_safe", 40.0),
    ("W06", "feel_safe", 50.0),  # four wards worse, no tie: r = 5
    ("W05", "imd", 12.5),  # r = 1 of 8
    ("W03", "imd", 37.5),  # r = 3 of 8
    ("W05", "unemp", 30.0),  # B2's three wards tie: r = 3
    ("W08", "unemp", 60.0),  # B2 and B3: r = 6
    ("W01", "unemp", 100.0),  # B1 is the best borough: r = 10
]


@pytest.mark.parametrize(("ward", "code", "expected"), PERCENTILE_CASES)
def test_percentiles(frame, ward, code, expected):
    assert score(frame, Profile()).percentiles.at[ward, code] == pytest.approx(expected)


def test_override_replaces_global_threshold_for_one_measure(frame):
    result = score(frame, Profile(threshold_pct=10, overrides={"imd": 40}))
    assert flagged(result, "imd") == {"W05", "W08", "W03"}  # n = 8, k = floor(3.2) = 3
    assert flagged(result, "knife") == {"W01"}  # k = 1 at the global 10%
    assert result.thresholds.loc["imd", "threshold_pct"] == 40
    assert result.thresholds.loc["knife", "threshold_pct"] == 10
    assert result.table.loc["W08", "score"] == 1  # imd only (knife r = 8, feel_safe r = 4, unemp r = 6)


# ---- scores and ranks -------------------------------------------------------------------------------

SCORE_CASES = [
    # profile, expected {ward: (score, rank, flagged_count)}, expected order of the first wards
    # Flags at 10%: knife {W01} (k = 1); feel_safe {W10} (k = 1); imd none (k = floor(0.8) = 0);
    # unemp none (k = 1, the worst borough has r = 3).
    # Flags at 30%: knife {W01, W02, W03} (k = 3); feel_safe {W10, W09} (k = 3, the W07/W08 tie has r = 4);
    # imd {W05, W08} (k = floor(2.4) = 2); unemp {W05, W06, W07} (k = 3, B2 has r = 3).
    # Flags at 40%: knife {W01..W04} (k = 4); feel_safe {W10, W09, W07, W08} (k = 4, the tie fits);
    # imd {W05, W08, W03} (k = floor(3.2) = 3); unemp {W05, W06, W07} (k = 4, B3 has r = 6).
    (
        Profile(),  # W01 1 (knife), W10 1 (feel_safe), the other eight 0
        {"W01": (1, 1, 1), "W10": (1, 1, 1), "W03": (0, 3, 0), "W05": (0, 3, 0), "W06": (0, 3, 0), "W07": (0, 3, 0)},
        ["W10", "W01", "W03", "W04", "W07", "W02", "W06", "W09", "W05", "W08"],  # ties by ward name
    ),
    (
        # weight 0: unemp flags W05, W06, W07 (30% override, k = 3) but neither scores nor counts
        Profile(weights={"knife": 2, "unemp": 0}, overrides={"unemp": 30}),
        {"W01": (2, 1, 1), "W10": (1, 2, 1), "W05": (0, 3, 0), "W06": (0, 3, 0), "W07": (0, 3, 0)},
        ["W01", "W10", "W03", "W04", "W07"],  # zeros by name: Ashford, Birchwood, Cedarwood
    ),
    (
        # at 30%: W05 2 (imd + unemp, 2 measures) before W03, W02, W01 (knife x 2, 1 measure) on equal score 2
        Profile(threshold_pct=30, weights={"knife": 2}),
        {"W05": (2, 1, 2), "W01": (2, 1, 1), "W06": (1, 5, 1), "W08": (1, 5, 1), "W04": (0, 10, 0)},
        ["W05", "W03", "W02", "W01", "W07", "W06", "W10", "W09", "W08", "W04"],
    ),
    (
        # at 40%: W07 0.5 + 1 = 1.5; W03 1 + 0.25 and W05 0.25 + 1 = 1.25; W01, W02, W04, W06 1;
        # W08 0.5 + 0.25 = 0.75; W09, W10 0.5
        Profile(threshold_pct=40, weights={"feel_safe": 0.5, "imd": 0.25}),
        {
            "W07": (1.5, 1, 2),
            "W03": (1.25, 2, 2),
            "W05": (1.25, 2, 2),
            "W06": (1, 4, 1),
            "W08": (0.75, 8, 2),
            "W10": (0.5, 9, 1),
        },
        ["W07", "W03", "W05", "W04", "W02", "W06", "W01", "W08", "W10", "W09"],
    ),
    (
        Profile(threshold_pct=30),  # W05 2 (imd, unemp); W04 0; every other ward exactly 1
        {"W05": (2, 1, 2), "W03": (1, 2, 1), "W07": (1, 2, 1), "W08": (1, 2, 1), "W01": (1, 2, 1), "W04": (0, 10, 0)},
        ["W05", "W03", "W07", "W02", "W06", "W10", "W09", "W01", "W08", "W04"],
    ),
]


@pytest.mark.parametrize(("profile", "expected", "order"), SCORE_CASES)
def test_scores_ranks_and_order(frame, profile, expected, order):
    table = score(frame, profile).table
    for ward, (s, rank, count) in expected.items():
        assert (table.at[ward, "score"], table.at[ward, "rank"], table.at[ward, "flagged_count"]) == (s, rank, count)
    assert list(table.index[: len(order)]) == order


def test_table_shape_and_ranks_of_zero_scores(frame):
    table = score(frame, Profile()).table
    assert table.index.name == "ward_code"
    assert list(table.columns) == [
        "ward_name",
        "borough_code",
        "borough_name",
        "score",
        "rank",
        "flagged_count",
        "measures_available",
    ]
    assert sorted(table["rank"]) == [1, 1, 3, 3, 3, 3, 3, 3, 3, 3]  # W01, W10 score 1; eight wards score 0
    assert table.at["W01", "measures_available"] == 3  # imd missing
    assert table.at["W03", "measures_available"] == 4


def test_measures_available_counts_only_measures_in_use(frame):
    table = score(frame, Profile(weights={"unemp": 0})).table
    assert table.at["W01", "measures_available"] == 2


def test_equal_sums_reached_differently_share_a_rank():
    frame = make_frame()
    frame.values.loc["W05", "feel_safe"] = 49  # W05 is now the worst on feel_safe (0.1) as well as imd (0.2)
    # imd at 20%: k = floor(1.6) = 1, W05 (40); knife and feel_safe at 10%: k = 1, W01 and W05
    profile = Profile(weights={"knife": 0.3, "feel_safe": 0.1, "imd": 0.2, "unemp": 0}, overrides={"imd": 20})
    table = score(frame, profile).table
    assert 0.1 + 0.2 != 0.3  # the float trap: W01 scores 0.3 (knife), W05 0.1 + 0.2
    assert table.at["W05", "score"] == table.at["W01", "score"] == 0.3
    assert table.at["W05", "rank"] == table.at["W01", "rank"] == 1
    assert list(table.index[:2]) == ["W05", "W01"]  # W05 is flagged on more measures


def test_weight_zero_measure_still_reports_its_flags(frame):
    result = score(frame, Profile(weights={"unemp": 0}, overrides={"unemp": 30}))
    assert flagged(result, "unemp") == {"W05", "W06", "W07"}  # k = 3, B2 r = 3
    assert result.thresholds.loc["unemp", "weight"] == 0
    row = explain(result, "W06").set_index("code").loc["unemp"]
    assert row["flagged"] and row["contribution"] == 0


def test_unknown_direction_is_an_error(frame):
    broken = MeasureFrame(
        frame.wards, frame.measures.assign(direction=["high_is_worse", "low", "high_is_worse", "x"]), frame.values
    )
    with pytest.raises(ValueError, match="direction"):
        score(broken, Profile())


def test_profile_codes_not_in_the_frame_are_ignored(frame):
    result = score(frame, Profile(weights={"gone": 3}, overrides={"gone": 50}))
    assert result.table["score"].equals(score(frame, Profile()).table["score"])


# ---- explain, export -----------------------------------------------------------------------------------


def test_explain_rows(frame):
    profile = Profile(threshold_pct=30)
    out = explain(score(frame, profile), "W05")
    assert list(out.columns) == EXPLAIN_COLUMNS
    assert list(out["code"]) == CODES
    rows = out.set_index("code")
    assert rows.loc["unemp", "geography"] == "borough"
    assert rows.loc["knife", "geography"] == "ward"
    expected = {  # code: value, threshold value, beyond, percentile, flagged, contribution (30%)
        "knife": (6, 8, -2, 50.0, False, 0),  # k = 3: W01-W03 (10, 9, 8); W05 r = 5
        "feel_safe": (70, 55, -15, 60.0, False, 0),  # k = 3: W10, W09 (55); 5 wards lower (worse): r = 6
        "imd": (40, 35, 5, 12.5, True, 1),  # k = 2: W05 (40), W08 (35); r = 1 of 8
        "unemp": (7, 7, 0, 30.0, True, 1),  # k = 3: B2's three wards tie at 7, r = 3
    }
    for code, (value, thr, beyond, pct, is_flagged, contribution) in expected.items():
        r = rows.loc[code]
        assert (r["value"], r["threshold_value"], r["beyond_threshold"]) == (value, thr, beyond)
        assert r["percentile"] == pytest.approx(pct)
        assert (bool(r["flagged"]), r["contribution"]) == (is_flagged, contribution)
    assert rows["contribution"].sum() == score(frame, profile).table.at["W05", "score"] == 2
    assert rows.loc["imd", "period"] == "Period 3" and rows.loc["imd", "source"] == "Source of imd"


def test_explain_measure_that_flags_no_ward(frame):
    # At 10%: imd k = floor(0.8) = 0 and unemp k = 1 < r = 3, so neither has a threshold value.
    rows = explain(score(frame, Profile()), "W05").set_index("code")
    for code, pct in (("imd", 12.5), ("unemp", 30.0)):  # W05: imd r = 1 of 8; unemp r = 3 of 10
        r = rows.loc[code]
        assert r["value"] == {"imd": 40, "unemp": 7}[code]
        assert math.isnan(r["threshold_value"]) and math.isnan(r["beyond_threshold"])
        assert r["percentile"] == pytest.approx(pct)
        assert not r["flagged"] and r["contribution"] == 0


def test_explain_missing_value_and_unknown_ward(frame):
    result = score(frame, Profile())
    rows = explain(result, "W01").set_index("code")
    assert math.isnan(rows.loc["imd", "value"]) and math.isnan(rows.loc["imd", "percentile"])
    assert not rows.loc["imd", "flagged"] and rows.loc["imd", "contribution"] == 0
    assert result.explain("W01").equals(explain(result, "W01"))
    with pytest.raises(KeyError, match="W99"):
        explain(result, "W99")


def test_ranked_table_columns_and_order(frame):
    result = score(frame, Profile(threshold_pct=30))  # W05 first: imd and unemp (see SCORE_CASES)
    out = ranked_table(result)
    assert list(out.columns) == [
        "ward_code",
        "ward_name",
        "borough_name",
        "score",
        "rank",
        "flagged_count",
        *CODES,
        *(f"flag_{c}" for c in CODES),
    ]
    assert list(out["ward_code"]) == list(result.table.index)
    assert all(out[f"flag_{c}"].dtype == bool for c in CODES)
    first = out.iloc[0]
    assert (first["ward_code"], first["imd"], first["flag_imd"], first["flag_knife"]) == ("W05", 40, True, False)


def test_ranked_csv_has_provenance_and_reads_back(frame):
    result = score(frame, Profile(threshold_pct=20, weights={"knife": 2}, overrides={"imd": 30}))
    text = ranked_csv(result)
    comments = [line for line in text.splitlines() if line.startswith("#")]
    assert text.startswith("# ") and all(line.startswith("# ") for line in comments)
    header = "\n".join(comments)
    assert "worst 20%" in header and "imd=30%" in header and "knife=2" in header
    assert "ties are never split" in header and "ties at the threshold included" not in header  # the current rule
    for i, code in enumerate(CODES, start=1):
        assert f"Period {i}" in header and f"Source of {code}" in header
    back = pd.read_csv(io.StringIO(text), comment="#")
    expected = ranked_table(result)
    assert list(back.columns) == list(expected.columns)
    assert list(back["ward_code"]) == list(expected["ward_code"])
    assert back["score"].tolist() == expected["score"].tolist()


# ---- profile ----------------------------------------------------------------------------------------


def _complete(threshold_pct: float = 10.0, overrides: dict | None = None, **weights: float) -> Profile:
    """A complete profile over the test measures: every default weight (1) unless given."""
    return Profile(
        threshold_pct=threshold_pct,
        weights={c: float(weights.get(c, 1.0)) for c in CODES},
        overrides=overrides or {},
        measure_set=frozenset(CODES),
    )


def _only(threshold_pct: float = 10.0, **weights: float) -> Profile:
    """A complete profile in which only the named measures are on."""
    return _complete(threshold_pct, **{c: float(weights.get(c, 0.0)) for c in CODES})


QUERY_CASES = [  # params, expected profile
    ({}, _complete()),  # a bare address: the default profile
    ({"t": "15"}, _complete(15)),
    ({"t": "abc"}, _complete()),
    ({"t": "nan"}, _complete()),
    ({"t": "150"}, _complete(100)),
    ({"t": "-5"}, _complete()),
    ({"t": "0"}, _complete()),
    ({"t": ["5", "12.5"]}, _complete(12.5)),
    # links this app writes (p=2): a measure not listed weighs 0
    ({"p": "2", "w": "knife:2"}, _only(knife=2)),
    ({"p": "2", "w": "none"}, _only()),
    ({"p": "2", "w": "knife:abc,zzz:3,imd:-2,feel_safe:99,:4,unemp,,knife"}, _only(feel_safe=10)),
    ({"p": "2", "t": "20", "w": "imd:0.5,unemp:1"}, _only(20, imd=0.5, unemp=1)),
    # older links (no p): a measure not listed keeps its default weight
    ({"w": "knife:2,imd:0"}, Profile(weights={"knife": 2, "imd": 0})),
    ({"w": "knife:abc,zzz:3,imd:-2,feel_safe:99,:4,unemp,,knife"}, Profile(weights={"imd": 0, "feel_safe": 10})),
    ({"w": "knife:inf"}, Profile()),
    ({"o": "knife:0,imd:250,nope:5,unemp:x"}, _complete(overrides={"imd": 100})),
    ({"o": "imd:30", "b": "Eastborough", "ward": "W05"}, _complete(overrides={"imd": 30})),
    ({"t": None, "w": None, "o": 7}, _complete()),
]


@pytest.mark.parametrize(("params", "expected"), QUERY_CASES)
def test_from_query_params_is_forgiving(frame, params, expected):
    assert Profile.from_query_params(params, frame.measures) == expected


ALL_ON = ",".join(f"{c}:1" for c in CODES)
ROUND_TRIP_CASES = [
    (_complete(), {"t": "10", "p": "2", "w": ALL_ON}),
    (Profile(), {"t": "10", "p": "2", "w": ALL_ON}),  # a legacy profile's link lists its resolved weights
    (_only(15, knife=2), {"t": "15", "p": "2", "w": "knife:2"}),
    (_only(), {"t": "10", "p": "2", "w": "none"}),
    (
        Profile(
            threshold_pct=12.5,
            weights={"feel_safe": 0.5, "knife": 1, "unemp": 3, "imd": 0},
            overrides={"unemp": 30, "knife": 5},
            measure_set=frozenset(CODES),
        ),
        {"t": "12.5", "p": "2", "w": "knife:1,feel_safe:0.5,unemp:3", "o": "knife:5,unemp:30"},  # display order
    ),
]


@pytest.mark.parametrize(("profile", "params"), ROUND_TRIP_CASES)
def test_query_params_round_trip(frame, profile, params):
    assert profile.to_query_params(frame.measures) == params
    assert profile.to_query_params(frame) == params  # a MeasureFrame works too
    back = Profile.from_query_params(params, frame.measures)
    assert score(frame, back).table.equals(score(frame, profile).table)
    assert back.resolved_weights(frame).equals(profile.resolved_weights(frame))
    assert back.measure_set == frozenset(CODES)  # a link always reads back as a complete profile


def test_a_complete_profile_keeps_its_ranking_when_a_measure_is_added(frame):
    """Issue 11 rule 4: a measure added later is off in a saved profile and in an old link."""
    profile = _only(20, knife=2, imd=1)
    params = profile.to_query_params(frame)
    stored = Profile.from_dict(profile.to_dict())
    assert stored == profile
    before = score(frame, profile).table
    grown = _with_extra_measure(frame, "newest", default_weight=3.0)
    for later in (stored, Profile.from_query_params(params, grown)):
        assert later.weight_for("newest", 3.0) == 0.0
        after = score(grown, later).table
        assert after["score"].equals(before["score"].reindex(after.index))
    assert stored.newer_measures(grown) == ["newest"]
    legacy = Profile.from_dict({"threshold_pct": 20, "weights": {"knife": 2}})  # saved before complete profiles
    assert legacy.measure_set is None and legacy.weight_for("newest", 3.0) == 3.0 and legacy.newer_measures(grown) == []


def test_a_complete_profile_refuses_weights_outside_its_measures():
    with pytest.raises(ValueError, match="outside"):
        Profile(weights={"knife": 1, "other": 2}, measure_set=frozenset({"knife"}))
    with pytest.raises(ValueError, match="list of measure codes"):
        Profile.from_dict({"weights": {}, "measures": "knife"})


@pytest.mark.parametrize(
    "kwargs",
    [
        {"threshold_pct": 0},
        {"threshold_pct": -1},
        {"threshold_pct": 100.5},
        {"threshold_pct": math.nan},
        {"threshold_pct": math.inf},
        {"weights": {"knife": -1}},
        {"weights": {"knife": math.nan}},
        {"weights": {"knife": math.inf}},
        {"weights": {"": 1}},
        {"overrides": {"knife": 0}},
        {"overrides": {"knife": 120}},
    ],
)
def test_profile_rejects_bad_values(kwargs):
    with pytest.raises(ValueError):
        Profile(**kwargs)


def test_profile_is_frozen_hashable_picklable():
    p = Profile(threshold_pct=20, weights={"knife": 2, "imd": 0}, overrides={"unemp": 30})
    same = Profile(threshold_pct=20.0, weights={"imd": 0.0, "knife": 2.0}, overrides={"unemp": 30.0})
    assert p == same and hash(p) == hash(same) and p.key() == same.key()
    assert {p: 1}[same] == 1
    assert pickle.loads(pickle.dumps(p)) == p
    assert p != Profile(threshold_pct=20, weights={"knife": 2})
    with pytest.raises(TypeError):
        p.weights["knife"] = 3  # type: ignore[index]
    assert p.weight_for("knife", 1) == 2 and p.weight_for("feel_safe", 1.5) == 1.5
    assert p.threshold_for("unemp") == 30 and p.threshold_for("knife") == 20


def test_profile_dict_round_trip_through_json():
    p = Profile(threshold_pct=7.5, weights={"knife": 2.5}, overrides={"imd": 25})
    assert Profile.from_dict(json.loads(json.dumps(p.to_dict()))) == p
    assert Profile.from_dict({}) == Profile()


@pytest.mark.parametrize(
    "data",
    [
        {"threshold_pct": 0},
        {"threshold_pct": "ten"},
        {"weights": {"knife": "heavy"}},
        {"weights": ["knife", 2]},
        {"overrides": {"imd": 500}},
        "not a mapping",
    ],
)
def test_profile_from_dict_rejects_bad_data(data):
    with pytest.raises(ValueError):
        Profile.from_dict(data)


# ---- the kernel against an obviously correct reference ---------------------------------------------------


def reference(badness: np.ndarray, pct: np.ndarray):
    """The flag rule, written out naively in pure Python.

    k = floor(n * X / 100) (rounded to 9 places first); r = how many wards are at least as bad
    (itself and its ties included); flagged iff r <= k; threshold = the least bad flagged value.
    """
    n, m = badness.shape
    flags = np.zeros((n, m), dtype=bool)
    ranks = np.full((n, m), np.nan)
    n_valid = np.zeros(m, dtype=int)
    thresholds = np.full(m, np.nan)
    for j in range(m):
        column = [float(x) for x in badness[:, j]]
        valid = [x for x in column if not math.isnan(x)]
        n_valid[j] = len(valid)
        k = math.floor(round(len(valid) * float(pct[j]) / 100, 9))
        flagged_values = []
        for i, x in enumerate(column):
            if not math.isnan(x):
                r = sum(1 for y in valid if y >= x)
                ranks[i, j] = r
                flags[i, j] = r <= k
                if r <= k:
                    flagged_values.append(x)
        if flagged_values:
            thresholds[j] = min(flagged_values)
    return flags, ranks, n_valid, thresholds


POOL = np.array(
    [
        0.0,
        -0.0,
        1.0,
        np.nextafter(1.0, 2.0),  # differs from 1.0 only in the lowest bit
        -1.0,
        2.5,
        3.0,
        -7.25,
        1e-310,  # subnormal
        5e-324,
        1e300,
        np.inf,
        -np.inf,
        math.nan,
    ]
)


@pytest.mark.parametrize("seed", range(40))
def test_flag_matrix_matches_reference(seed):
    rng = np.random.default_rng(seed)
    n, m = int(rng.integers(1, 60)), int(rng.integers(1, 6))
    kind = seed % 4
    if kind == 0:  # lots of ties and NaNs
        badness = rng.choice([1.0, 2.0, 3.0, math.nan], size=(n, m))
    elif kind == 1:  # awkward floats: signed zeros, infinities, near-ties, subnormals
        badness = rng.choice(POOL, size=(n, m))
    elif kind == 2:  # continuous values with a few NaNs
        badness = rng.normal(size=(n, m))
        badness[rng.random((n, m)) < 0.2] = math.nan
    else:  # rounded decimals: inexact in binary and tied
        badness = np.round(rng.normal(scale=3, size=(n, m)), 1)
    pct = rng.choice([0.5, 5, 10, 12.5, 33.3, 50, 99, 100], size=m)
    before = badness.copy()
    got = flag_matrix(badness, pct)
    want = reference(badness, pct)
    np.testing.assert_array_equal(got[0], want[0])
    np.testing.assert_array_equal(got[1], want[1])
    np.testing.assert_array_equal(got[2], want[2])
    np.testing.assert_array_equal(got[3], want[3])
    np.testing.assert_array_equal(badness, before)  # input untouched


@pytest.mark.parametrize("seed", range(40))
def test_flag_matrix_never_flags_more_than_x_pct_nor_splits_a_tie(seed):
    rng = np.random.default_rng(1000 + seed)
    n, m = int(rng.integers(1, 80)), 6
    # Few distinct values, mostly 0 in some columns: big tie groups, the case the rule exists for.
    badness = rng.choice([0.0, 0.0, 0.0, 0.0, 1.0, 2.0, 3.0, math.nan], size=(n, m))
    badness[:, 0] = 0.0  # one column entirely tied
    pct = rng.choice([5, 10, 15, 20, 33.3, 50, 99], size=m)
    flags, _, n_valid, threshold = flag_matrix(badness, pct)
    for j in range(m):
        col, flagged_col = badness[:, j], flags[:, j]
        k = math.floor(round(int(n_valid[j]) * float(pct[j]) / 100, 9))
        assert flagged_col.sum() <= k <= n_valid[j] * pct[j] / 100 + 1e-9
        assert not flagged_col[np.isnan(col)].any()
        for value in set(col[~np.isnan(col)].tolist()):  # a tie group is flagged whole or not at all
            group = flagged_col[col == value]
            assert group.all() or not group.any()
        if flagged_col.any():
            assert threshold[j] == col[flagged_col].min()
        else:
            assert math.isnan(threshold[j])
    assert not flags[:, 0].any()  # all n tied: r = n > k = floor(n * X / 100) for every X < 100


EDGE_CASES = [  # column, worst-ranks (wards at least as bad, ties included), whether the exact path must be taken
    ([0.0, -0.0, 1.0], [3, 3, 1], False),  # signed zeros tie: both r = 3
    ([1.0, np.nextafter(1.0, 2.0), 1.0], [3, 1, 3], True),  # differ only in bits the fast path packs away
    ([np.inf, 1.0, np.inf, -np.inf, math.nan], [2, 3, 2, 4, math.nan], True),  # the two infs tie: r = 2
    ([0.1 + 0.2, 0.3, 0.3, math.nan], [1, 3, 3, math.nan], False),  # really different floats stay different
]


@pytest.mark.parametrize(("column", "ranks", "exact_path"), EDGE_CASES)
def test_flag_matrix_edge_columns(monkeypatch, column, ranks, exact_path):
    calls = []
    real = kernel._exact_column
    monkeypatch.setattr(kernel, "_exact_column", lambda x: calls.append(1) or real(x))
    _, got, _, _ = flag_matrix(np.array(column).reshape(-1, 1), np.array([10.0]))
    np.testing.assert_array_equal(got[:, 0], np.array(ranks, dtype=float))
    assert bool(calls) == exact_path


@pytest.mark.parametrize("order", ["C", "F"])
def test_flag_matrix_large_random_matches_searchsorted(order):
    rng = np.random.default_rng(7)
    badness = np.round(rng.normal(size=(3000, 4)), 2)
    badness[rng.random(badness.shape) < 0.1] = math.nan
    badness = np.asarray(badness, order=order)
    _, ranks, n_valid, _ = flag_matrix(badness, np.full(4, 10.0))
    for j in range(4):
        col = badness[:, j]
        valid = np.sort(col[~np.isnan(col)])
        expected = valid.size - np.searchsorted(valid, col, side="left") + 0.0  # how many are >= the value
        expected[np.isnan(col)] = math.nan
        np.testing.assert_array_equal(ranks[:, j], expected)
        assert n_valid[j] == valid.size


def test_flag_matrix_guards_float_error_in_k():
    # 375 * 8.8 / 100 is 33.000000000000007 in floating point: still k = 33.
    badness = np.arange(375, dtype=float).reshape(-1, 1)
    flags, _, _, threshold = flag_matrix(badness, np.array([8.8]))
    assert flags.sum() == 33 and threshold[0] == 375 - 33
    # 375 * 18.4 / 100 is 68.99999999999999 in floating point (exactly 69): a bare floor would flag 68 wards.
    assert 375 * 18.4 / 100 < 69
    flags, _, _, threshold = flag_matrix(badness, np.array([18.4]))
    assert flags.sum() == 69 and threshold[0] == 375 - 69


@pytest.mark.parametrize(
    ("pct", "k"),
    [
        (15, 102),  # k = floor(684 * 0.15) = floor(102.6) = 102
        (20, 136),  # k = floor(136.8) = 136
        (50, 342),  # k = 342
    ],
)
def test_flag_matrix_most_wards_at_the_best_value(pct, k):
    # The real-data case behind the rule: 586 of 684 wards have 0 (the best value). The 98 others
    # (1..98, all distinct, r = 1..98) fit within k; the 586 tied at 0 have r = 684 > k, so none is flagged.
    badness = np.concatenate([np.arange(98, 0, -1, dtype=float), np.zeros(586)]).reshape(-1, 1)
    flags, ranks, n_valid, threshold = flag_matrix(badness, np.array([float(pct)]))
    assert n_valid[0] == 684
    assert flags.sum() == 98 <= k
    assert flags[:98, 0].all() and not flags[98:, 0].any()
    assert (ranks[98:, 0] == 684).all()
    assert threshold[0] == 1.0


@pytest.mark.parametrize(
    ("pct", "n_flagged"),
    [
        (15, 3),  # k = floor(3.0) = 3: 5 (r = 1) and the two 3s (r = 3)
        (20, 4),  # k = 4: 5, 3, 3 and 2 (r = 4)
        (50, 4),  # k = 10: still 4, the 16 zeros have r = 20
        (100, 20),  # k = 20: the zeros' tie fits, every ward is flagged
    ],
)
def test_a_shared_best_value_flags_at_most_x_pct(pct, n_flagged):
    # n = 20 wards, 16 share 0: under a rule flagging ties at the threshold, 15% would flag all 20.
    badness = np.array([5.0, 3.0, 3.0, 2.0] + [0.0] * 16).reshape(-1, 1)
    flags, _, _, _ = flag_matrix(badness, np.array([float(pct)]))
    assert flags.sum() == n_flagged <= 20 * pct / 100
    assert flags[:n_flagged, 0].all() and not flags[n_flagged:, 0].any()


@pytest.mark.parametrize("shape", [(0, 3), (4, 0), (0, 0)])
def test_flag_matrix_empty(shape):
    flags, ranks, n_valid, threshold = flag_matrix(np.empty(shape), np.full(shape[1], 10.0))
    assert flags.shape == ranks.shape == shape
    assert n_valid.shape == threshold.shape == (shape[1],)
    assert (n_valid == 0).all()


def test_flag_matrix_all_missing_column():
    badness = np.array([[math.nan, 1.0], [math.nan, 2.0]])
    flags, ranks, n_valid, threshold = flag_matrix(badness, np.array([50.0, 50.0]))
    assert not flags[:, 0].any() and np.isnan(ranks[:, 0]).all() and math.isnan(threshold[0])
    assert list(flags[:, 1]) == [False, True] and list(n_valid) == [0, 2]


def test_flag_matrix_rejects_bad_input():
    with pytest.raises(ValueError):
        flag_matrix(np.zeros(3), np.array([10.0]))
    with pytest.raises(ValueError):
        flag_matrix(np.zeros((3, 1)), np.array([math.nan]))


# ---- command line ---------------------------------------------------------------------------------


@pytest.fixture
def cli(monkeypatch, frame):
    """main() with the store replaced by the hand-made frame and one saved profile."""
    saved = {"board": Profile(threshold_pct=30, weights={"knife": 2})}
    monkeypatch.setattr(scoring_cli, "_open_store", lambda: "engine")
    monkeypatch.setattr(scoring_cli, "_load_frame", lambda engine: frame)
    monkeypatch.setattr(scoring_cli, "_get_profile", lambda engine, name: saved.get(name))
    return main


@pytest.mark.parametrize(
    "argv", [["--weight", "knife"], ["--weight", "knife=abc"], ["--override", "=5"], ["--threshold", "ten"]]
)
def test_parser_rejects_malformed_arguments(argv, capsys):
    with pytest.raises(SystemExit) as exc:
        build_parser().parse_args(argv)
    assert exc.value.code == 2
    assert "error" in capsys.readouterr().err


def test_parser_collects_pairs():
    args = build_parser().parse_args(["--weight", "knife=2", "--weight", "imd=0", "--override", "imd=30"])
    assert args.weight == [("knife", 2.0), ("imd", 0.0)] and args.override == [("imd", 30.0)]
    assert args.out == "-" and args.threshold is None


@pytest.mark.parametrize(
    ("argv", "named"),
    [
        (["--weight", "knive=2"], "knive"),
        (["--weight", "knife=2", "--weight", "nope=1"], "nope"),
        (["--override", "gone=15"], "gone"),
    ],
)
def test_cli_unknown_code_exits_2_naming_it(cli, argv, named, capsys, tmp_path):
    assert cli([*argv, "--out", str(tmp_path / "x.csv")]) == 2
    err = capsys.readouterr().err
    assert named in err and "unknown measure" in err
    assert not (tmp_path / "x.csv").exists()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--threshold", "0"], "threshold"),
        (["--threshold", "101"], "threshold"),
        (["--weight", "knife=-1"], "knife"),
        (["--profile", "missing"], "missing"),
    ],
)
def test_cli_bad_values_exit_2(cli, argv, message, capsys):
    assert cli(argv) == 2
    assert message in capsys.readouterr().err


def test_cli_writes_ranked_csv(cli, frame, tmp_path, capsys):
    out = tmp_path / "ranked.csv"
    assert cli(["--threshold", "10", "--weight", "knife=2", "--weight", "unemp=0", "--out", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    profile = Profile(weights={"knife": 2, "unemp": 0})
    assert text == ranked_csv(score(frame, profile), extra=csv_extra(frame, profile), notes=[csv_note()])
    back = pd.read_csv(out, comment="#")
    assert list(back["ward_code"][:3]) == ["W01", "W10", "W03"]  # 2 (knife), 1 (feel_safe), then 0 by name
    assert "wrote 10 wards" in capsys.readouterr().err


def test_cli_profile_then_flags_on_top(cli, frame, capsys):
    assert cli(["--profile", "board", "--override", "imd=10"]) == 0
    expected = Profile(threshold_pct=30, weights={"knife": 2}, overrides={"imd": 10})
    extra = csv_extra(frame, expected)
    assert capsys.readouterr().out == ranked_csv(score(frame, expected), extra=extra, notes=[csv_note()])


def test_cli_list_measures(cli, capsys):
    assert cli(["--list-measures"]) == 0
    out = capsys.readouterr().out
    for heading in ("code", "label", "direction", "geography", "period", "source"):
        assert heading in out.splitlines()[0]
    assert all(code in out for code in CODES) and "Source of unemp" in out


@pytest.mark.parametrize("seed", range(6))
def test_flag_columns_gives_flag_matrix_flags(seed):
    """The rank bands' one-sort path: the same flags as the column-by-column kernel, ties and gaps included."""
    from vru_core.needs.kernel import flag_columns, flag_matrix

    rng = np.random.default_rng(seed)
    n, m = 57, 40
    data = rng.integers(0, 6 if seed % 2 else 40, size=(n, m)).astype(np.float64)  # many ties when few values
    data[rng.random((n, m)) < 0.15] = np.nan
    data[:, 0] = np.nan  # a column with no figures
    data[:, 1] = 3.0  # one big tie
    data[:5, 2] = np.inf
    data[5:9, 3] = -0.0
    pct = rng.choice([0.5, 1, 5, 10, 12.5, 33, 50, 100], size=m)
    expected, *_ = flag_matrix(data, pct)
    assert np.array_equal(flag_columns(data, pct), expected)
