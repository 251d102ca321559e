"""Sensitivity: every scenario must agree with plain scoring, and the summary must describe the ranks."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from vru_core.needs.measures import MeasureFrame
from vru_core.needs.scoring import Profile, score
from vru_core.needs.sensitivity import sensitivity

N_WARDS = 12


def make_frame() -> MeasureFrame:
    """W01 is the worst on every real measure, W12 the best; 'decoy' is worst for W12 only."""
    codes = [f"W{i:02d}" for i in range(1, N_WARDS + 1)]
    rng = np.random.default_rng(3)
    wards = pd.DataFrame(
        {
            "ward_name": [f"Ward {c}" for c in codes],
            "borough_code": ["B1"] * 6 + ["B2"] * 6,
            "borough_name": ["North"] * 6 + ["South"] * 6,
            "population": 10_000.0,
            "in_mps_data": True,
        },
        index=pd.Index(codes, name="ward_code"),
    )
    middle = N_WARDS - 2
    values = pd.DataFrame(
        {
            "violence": [100.0, *rng.permutation(middle) + 10.0, 0.0],
            "feel_safe": [1.0, *rng.permutation(middle) + 20.0, 99.0],  # low is worse
            "robbery": [50.0, *np.round(rng.uniform(5, 40, middle), 0), 1.0],
            "decoy": [0.0] * (N_WARDS - 1) + [9.0],
        },
        index=wards.index,
    )
    values.loc["W05", "robbery"] = np.nan
    measures = pd.DataFrame(
        {
            "label": ["Violence", "Feel safe", "Robbery", "Decoy"],
            "family": ["crime", "perceptions", "crime", "other"],
            "unit": "rate",
            "direction": ["high_is_worse", "low_is_worse", "high_is_worse", "high_is_worse"],
            "geography": "ward",
            "source": "test",
            "publisher": "test",
            "period": "2025",
            "licence": "OGL",
            "notes": "",
            "default_weight": [1.0, 1.0, 1.0, 0.0],
        },
        index=pd.Index(list(values.columns), name="code"),
    )
    return MeasureFrame(wards=wards, measures=measures, values=values)


@pytest.fixture(scope="module")
def frame() -> MeasureFrame:
    return make_frame()


@pytest.fixture(scope="module")
def result(frame):
    return sensitivity(frame, Profile(threshold_pct=10, weights={"robbery": 2}), top_n=3, n_weight_draws=10)


def test_rank_range_contains_base_rank(result, frame):
    t = result.table
    assert ((t["best_rank"] <= t["base_rank"]) & (t["base_rank"] <= t["worst_rank"])).all()
    assert ((t["best_rank"] <= t["median_rank"]) & (t["median_rank"] <= t["worst_rank"])).all()
    base = score(frame, Profile(threshold_pct=10, weights={"robbery": 2})).table["rank"]
    assert t.set_index("ward_code")["base_rank"].to_dict() == base.to_dict()
    assert result.ranks[0].to_dict() == base.to_dict()  # scenario 0 is the base profile


def test_every_scenario_agrees_with_plain_scoring(result, frame):
    for row in result.scenarios.itertuples():
        profile = Profile(threshold_pct=row.threshold, weights=result.weights.loc[row.scenario].to_dict())
        expected = score(frame, profile).table["rank"]
        assert result.ranks[row.scenario].to_dict() == expected.to_dict(), row.label


@pytest.mark.parametrize(
    ("thresholds", "base_threshold", "draws", "expected"),
    [
        ((5, 10, 15, 20), 10, 20, 1 + 4 * 21 - 1),  # the base threshold's unjittered run is the base itself
        ((5, 10, 15, 20), 12, 20, 1 + 4 * 21),
        ((10,), 10, 0, 1),
        ((10, 10, 20), 10, 2, 1 + 2 * 3 - 1),  # repeated thresholds count once
    ],
)
def test_scenario_count(frame, thresholds, base_threshold, draws, expected):
    out = sensitivity(frame, Profile(threshold_pct=base_threshold), thresholds=thresholds, n_weight_draws=draws)
    assert len(out.scenarios) == expected == out.ranks.shape[1] == len(out.weights)
    assert list(out.scenarios.columns) == ["scenario", "threshold", "draw", "label"]
    assert list(out.scenarios["scenario"]) == list(range(expected))
    assert set(out.scenarios["threshold"]) == {*map(float, thresholds), float(base_threshold)}


def test_deterministic_with_seed(frame):
    a = sensitivity(frame, Profile(), seed=42, top_n=3)
    b = sensitivity(frame, Profile(), seed=42, top_n=3)
    pd.testing.assert_frame_equal(a.table, b.table)
    pd.testing.assert_frame_equal(a.ranks, b.ranks)
    pd.testing.assert_frame_equal(a.weights, b.weights)
    c = sensitivity(frame, Profile(), seed=43, top_n=3)
    assert not a.weights.equals(c.weights)


def test_ward_worst_on_every_measure_is_robust(frame):
    out = sensitivity(frame, Profile(), top_n=1)
    first = out.table.iloc[0]
    assert (first["ward_code"], first["share_in_top_n"], first["best_rank"], first["worst_rank"]) == ("W01", 1, 1, 1)
    assert out.robust_wards == ["W01"]


def test_weight_zero_stays_zero(result):
    assert (result.weights["decoy"] == 0).all()
    # W12 is only ever flagged on the decoy, so it scores 0 and shares the last rank in every scenario.
    assert (result.ranks.loc["W12"] == result.ranks.max()).all()


def test_no_jitter_means_draws_equal_the_base_weights(frame):
    out = sensitivity(frame, Profile(), weight_jitter=0.0, n_weight_draws=3)
    for _, group in out.scenarios.groupby("threshold"):
        ranks = out.ranks[group["scenario"].tolist()]
        assert ranks.nunique(axis=1).eq(1).all()


def test_jittered_weights_stay_in_range(frame):
    base = Profile(weights={"robbery": 2})
    out = sensitivity(frame, base, weight_jitter=0.25, n_weight_draws=50)
    weights = out.weights
    assert weights["robbery"].between(1.5, 2.5).all() and weights["violence"].between(0.75, 1.25).all()
    assert weights["robbery"].nunique() > 40


def test_overrides_are_kept_in_every_scenario(frame):
    base = Profile(threshold_pct=10, overrides={"violence": 50})
    out = sensitivity(frame, base, thresholds=(5, 20), n_weight_draws=2)
    for row in out.scenarios.itertuples():
        profile = Profile(
            threshold_pct=row.threshold, weights=out.weights.loc[row.scenario].to_dict(), overrides={"violence": 50}
        )
        assert out.ranks[row.scenario].to_dict() == score(frame, profile).table["rank"].to_dict()


def test_table_columns_order_and_shares(result):
    t = result.table
    assert list(t.columns) == [
        "ward_code",
        "ward_name",
        "borough_name",
        "base_rank",
        "best_rank",
        "worst_rank",
        "median_rank",
        "share_in_top_n",
        "robust",
    ]
    assert t["share_in_top_n"].between(0, 1).all()
    assert t["robust"].equals(t["share_in_top_n"] >= 0.8)
    keys = list(zip(-t["share_in_top_n"], t["median_rank"], strict=True))
    assert keys == sorted(keys)
    expected_share = (result.ranks <= 3).mean(axis=1)
    assert t.set_index("ward_code")["share_in_top_n"].to_dict() == expected_share.to_dict()
    assert result.robust_wards == t.loc[t["robust"], "ward_code"].tolist()


@pytest.mark.parametrize(
    "kwargs",
    [
        {"thresholds": (0, 10)},
        {"thresholds": (10, 150)},
        {"weight_jitter": -0.1},
        {"weight_jitter": 1.5},
        {"n_weight_draws": -1},
        {"n_weight_draws": 2.5},
        {"top_n": 0},
        {"min_share": 1.2},
    ],
)
def test_rejects_bad_arguments(frame, kwargs):
    with pytest.raises(ValueError):
        sensitivity(frame, Profile(), **kwargs)


def test_a_value_most_wards_share_is_never_flagged_and_ties_share_the_better_rank(frame):
    # decoy counted (weight 1): 11 wards tie at its best value 0 (r = 12), W12 alone is worst (r = 1).
    out = sensitivity(frame, Profile(weights={"decoy": 1}), thresholds=(5, 10, 15, 20), n_weight_draws=0)
    assert out.scenarios["threshold"].tolist() == [10, 5, 15, 20]  # base (10%), then 5%, 15%, 20% (10% is the base)
    others = [f"W{i:02d}" for i in range(2, N_WARDS)]
    # 5%: k = floor(0.6) = 0 (robbery, n = 11: floor(0.55) = 0): nothing flagged, all twelve score 0 and share rank 1.
    assert (out.ranks[1] == 1).all()
    # 10% and 15%: k = floor(1.2) = floor(1.8) = 1 (robbery floor(1.1), floor(1.65) = 1). W01 is worst on
    # violence, feel_safe and robbery (3); W12 on decoy (1); the zeros' tie (r = 12) is not flagged, so the
    # other ten score 0 and share rank 3 (not 12, and not all flagged as under a rule that includes ties).
    for scenario in (0, 2):
        ranks = out.ranks[scenario]
        assert (ranks["W01"], ranks["W12"]) == (1, 2)
        assert (ranks[others] == 3).all()
    # 20%: k = floor(2.4) = 2: W01 still scores 3 (worst on three measures), the most any ward can; ties share rank 1.
    assert out.ranks.loc["W01", 3] == 1


def test_ties_share_the_better_rank_as_in_plain_scoring(frame):
    # Profile(): decoy weight 0. At 5% nothing is flagged (k = 0), so every ward ties on 0 with rank 1.
    out = sensitivity(frame, Profile(), thresholds=(5,), n_weight_draws=3)
    five = out.scenarios.loc[out.scenarios["threshold"] == 5, "scenario"].tolist()
    assert len(five) == 4 and (out.ranks[five] == 1).all().all()
    assert (out.table["best_rank"] == 1).all()
