"""Impact estimates: a known injected effect is recovered, placebos stay near 10% significant, refusals say why."""

from __future__ import annotations

import shutil

import numpy as np
import pandas as pd
import pytest

from tests.impact.conftest import FUNDED_WARDS, approve, make_award
from vru_core.impact import awards as impact
from vru_core.impact.panel import load_panel
from vru_core.impact.synth import (
    MIN_PRE_MONTHS,
    CannotEstimate,
    Design,
    Estimate,
    estimate,
    interval,
    p_value,
)
from vru_core.impact.validation import Trial, monte_carlo, summarise
from vru_core.needs import crime
from vru_core.platform.config import get_settings

TRUE_EFFECT = -30.0  # counts x 0.7
TOLERANCE = 12.0  # percentage points: about one root-mean-square error of the method (README benchmark)


def _copy_with_effect(tmp_path, wards, first_month: str, factor: float):
    """A copy of the bundled data where violence with injury in `wards` from `first_month` is scaled by factor."""
    src = get_settings().bundled_data_dir
    for name in ("ward_population_census2021.csv", "london_wards_2022.geojson"):
        shutil.copy(src / name, tmp_path / name)
    col = first_month.replace("-", "")
    for _, name in crime.RELEASES:
        raw = pd.read_csv(src / name)
        months = [c for c in raw.columns if c.isdigit() and c >= col]
        rows = (raw["MinorText"] == "VIOLENCE WITH INJURY") & raw["WardCode"].isin(wards)
        raw.loc[rows, months] = (raw.loc[rows, months].fillna(0) * factor).round().astype("int64")
        raw.to_csv(tmp_path / name, index=False)
    return tmp_path


@pytest.mark.parametrize("template", ["sqlite"], indirect=True)
def test_injected_effect_is_recovered_from_a_copy_of_the_bundled_data(engine, actors, tmp_path):
    award_id = make_award(engine, actors["commissioner"])
    data_dir = _copy_with_effect(tmp_path, FUNDED_WARDS, "2025-01", 0.7)
    injected = impact.estimate_award(engine, award_id, "vwi", data_dir=data_dir)
    original = impact.estimate_award(engine, award_id, "vwi")
    assert abs(injected.effect_pct - TRUE_EFFECT) <= TOLERANCE, injected.to_json()
    assert injected.ci_high_pct < 0 and injected.p_value < 0.10
    assert original.ci_low_pct <= 0 <= original.ci_high_pct  # the real series alone shows no effect here
    assert set(injected.treated_wards) == set(FUNDED_WARDS)
    assert injected.pre_months == 18 and injected.post_months == 15
    # The comparison wards are unfunded and do not touch a funded ward.
    from vru_core.needs.spatial import neighbours

    assert not set(injected.donor_wards) & (set(FUNDED_WARDS) | neighbours(FUNDED_WARDS))


def test_placebo_awards_are_significant_about_one_time_in_ten(panel):
    """Few repetitions here (the README's figures come from `python -m bench --only bench.impact`)."""
    results = monte_carlo(panel, Trial(), reps=8, seed=11)
    summary = summarise(results, 0.0)
    assert summary["estimated"] == 8
    assert summary["share_significant"] <= 0.25  # 10% expected; 3 of 8 would already be unlikely
    assert summary["coverage"] >= 0.75
    assert abs(summary["bias_pct_points"]) < 10


def _city_ward(panel) -> str:
    import json

    features = json.loads((get_settings().bundled_data_dir / "london_wards_2022.geojson").read_text())["features"]
    return next(f["properties"]["ward_code"] for f in features if f["properties"]["ward_code"] not in set(panel.codes))


def _pre_rate(panel, start="2025-01") -> np.ndarray:
    return panel.rates[:, np.array(panel.months) < start].mean(axis=1)


REFUSALS = [
    ("pre_months", lambda p: Design(FUNDED_WARDS, "2024-05", "2026-03"), "months of data before the start"),
    ("post_months", lambda p: Design(FUNDED_WARDS, "2026-02", "2026-12"), "months of data after the start"),
    ("no_figures", lambda p: Design((_city_ward(p),), "2025-01", "2026-03"), "City of London"),
    (
        "few_donors",
        lambda p: Design(FUNDED_WARDS, "2025-01", "2026-03", excluded=frozenset(p.codes[15:])),
        "Too few comparison wards",
    ),
    (
        "poor_fit",
        lambda p: Design((p.codes[int(np.argmax(_pre_rate(p)))],), "2025-01", "2026-03"),
        "Poor pre-period fit",
    ),
]


@pytest.mark.parametrize(("case", "design", "says"), REFUSALS, ids=[r[0] for r in REFUSALS])
def test_refusals_say_why(panel, case, design, says):
    with pytest.raises(CannotEstimate) as refused:
        estimate(panel, design(panel))
    assert says in str(refused.value)


def test_too_few_offences_is_refused():
    weapons = load_panel("weapons")
    counts = weapons.counts.loc[:, [m for m in weapons.months if m < "2025-01"]].mean(axis=1)
    quiet = counts.idxmin()
    with pytest.raises(CannotEstimate, match="Too few offences"):
        estimate(weapons, Design((quiet,), "2025-01", "2026-03"))


def test_pre_period_months_are_counted_from_the_data(panel):
    """The minimum is about the data, not the calendar: the first estimable start is 12 months in."""
    first = pd.Period(panel.months[0], "M")
    too_early = Design(FUNDED_WARDS, str(first + MIN_PRE_MONTHS - 1), "2026-03")
    with pytest.raises(CannotEstimate, match=f"Only {MIN_PRE_MONTHS - 1} months"):
        estimate(panel, too_early)


@pytest.mark.parametrize("template", ["sqlite"], indirect=True)
@pytest.mark.parametrize(
    ("changes", "says"),
    [({"geography_level": "london", "areas": ""}, "London-wide"), ({}, "withdrawn")],
    ids=["london_wide", "withdrawn"],
)
def test_register_refusals(engine, actors, changes, says):
    award_id = make_award(engine, actors["commissioner"], **changes)
    if says == "withdrawn":
        from vru_core.register import lifecycle, reads

        version = reads.award_detail(engine, award_id).version
        lifecycle.transition_award(
            engine=engine, actor=actors["commissioner"], award_id=award_id, version=version, to_status="withdrawn"
        )
    with pytest.raises(CannotEstimate, match=says):
        impact.estimate_award(engine, award_id)


@pytest.mark.parametrize("template", ["sqlite"], indirect=True)
def test_other_awards_wards_are_never_comparison_wards(engine, actors, panel):
    award_id = make_award(engine, actors["commissioner"])
    candidates = set(impact.estimate_award(engine, award_id).donor_wards)
    taken = sorted(candidates)[:3]
    make_award(engine, actors["commissioner"], wards=taken, start="2024-09-01", end="2025-08-31")
    impact._estimate_cached.cache_clear()
    again = impact.estimate_award(engine, award_id)
    assert not set(again.donor_wards) & set(taken)


@pytest.mark.parametrize("template", ["sqlite"], indirect=True)
def test_a_stream_combines_its_awards_and_lists_the_refused(engine, actors):
    commissioner = actors["commissioner"]
    good = make_award(engine, commissioner)
    late = make_award(engine, commissioner, wards=("E05013806",), start="2026-02-01", end="2026-12-31")
    proposed = make_award(engine, commissioner, funding_stream="young_londoners_fund")  # not in the group
    for award_id in (good, late):
        approve(engine, commissioner, award_id)
    register = impact.load_register(engine)
    ids = impact.group_awards(register, stream="young_londoners_fund")
    assert sorted(ids) == sorted([good, late])
    # a funding round's awards (vru_core.rounds.award_ids): only its committed ones are taken
    assert impact.group_awards(register, among=[late, proposed]) == [late]
    group = impact.estimate_for_awards(engine, ids, "vwi", register=register)
    single = impact.estimate_award(engine, good, register=register)
    assert list(group.estimates) == [good] and late in group.refused and "after the start" in group.refused[late]
    assert group.effect_pct == pytest.approx(single.effect_pct)
    assert (group.ci_low_pct, group.ci_high_pct, group.p_value) == pytest.approx(
        (single.ci_low_pct, single.ci_high_pct, single.p_value)
    )
    with pytest.raises(CannotEstimate, match="None of the 1 awards"):
        impact.estimate_for_awards(engine, [late], register=register)


def _fake(effect: float, nulls, synthetic: float) -> Estimate:
    return Estimate(
        outcome="vwi",
        effect_pct=effect,
        ci_low_pct=0,
        ci_high_pct=0,
        p_value=1,
        treated_wards=("W1",),
        donor_wards=("D1",),
        pre_months=12,
        post_months=6,
        start="2025-01",
        end="2025-06",
        pre_rmspe=1,
        fit_ratio=1,
        pre_gap_pct=0,
        offences_post=0,
        synthetic_offences_post=synthetic,
        weights=pd.Series(dtype=float),
        series=pd.DataFrame(),
        null_errors=np.asarray(nulls, dtype=float),
    )


def test_combining_weights_awards_by_their_synthetic_offences():
    rng = np.random.default_rng(0)
    a = _fake(-20.0, rng.normal(0, 5, 40), synthetic=300.0)
    b = _fake(10.0, rng.normal(0, 5, 40), synthetic=100.0)
    effect, low, high, p = impact.combine([a, b], seed=1)
    assert effect == pytest.approx(0.75 * -20 + 0.25 * 10)
    assert low < effect < high
    assert impact.combine([a, b], seed=1) == (effect, low, high, p)  # seeded


@pytest.mark.parametrize("seed", range(20))
def test_the_interval_excludes_zero_exactly_when_p_is_below_ten_percent(seed):
    rng = np.random.default_rng(seed)
    null = rng.normal(0, 10, int(rng.integers(20, 60)))
    effect = float(rng.normal(0, 15))
    low, high = interval(effect, null)
    p = p_value(effect, null)
    assert (not low <= 0 <= high) == (p < 0.10)


def test_the_same_award_gets_the_same_estimate_every_time(panel):
    design = Design(FUNDED_WARDS, "2025-01", "2026-03")
    first, second = estimate(panel, design), estimate(panel, design)
    assert first.to_json() == second.to_json()
    assert np.array_equal(first.null_errors, second.null_errors)
