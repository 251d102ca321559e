"""Need scores that know their uncertainty: counts, smoothing (by hand and against PySAL), rank bands, map classes."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest

from vru_core.needs.maps import classify
from vru_core.needs.measures import MeasureFrame, load_measure_frame
from vru_core.needs.rank_bands import BAND_COLUMNS, crosses, rank_bands
from vru_core.needs.scoring import Profile, score
from vru_core.needs.smoothing import counts_for, eb_rates, neighbour_matrix, smoothed_frame, spatial_eb_rates
from vru_core.needs.spatial import queen_neighbours

CRIME_RATES = [
    f"crime_{c}_rate" for c in ("vwi", "robbery_personal", "weapons", "sexual", "drug_trafficking", "public_order")
]


@pytest.fixture(scope="module")
def real(loaded_engine) -> MeasureFrame:
    return load_measure_frame(loaded_engine)


def test_counts_are_recovered_exactly_for_the_crime_rates_only(real):
    counts = counts_for(real)
    assert counts.codes == CRIME_RATES  # not the change, deprivation or borough measures
    from vru_core.needs import crime
    from vru_core.platform.config import get_settings

    series = crime.load_monthly(get_settings().bundled_data_dir)
    latest = crime.last_12_months(series)
    expected = series.window_counts("vwi", latest.months)
    got = counts.counts["crime_vwi_rate"].dropna()
    assert got.astype("int64").equals(expected.reindex(got.index).astype("int64"))


def test_empirical_bayes_matches_a_hand_computed_case():
    e = np.array([0.0, 2.0, 10.0, 5.0])
    n = np.array([100.0, 1000.0, 5000.0, 800.0])
    # By hand: m = 17/6900; rates 0, .002, .002, .00625; s2 = sum(n (r - m)^2)/6900 - m/1725
    m = 17 / 6900
    rates = e / n
    s2 = (n * (rates - m) ** 2).sum() / 6900 - m / (6900 / 4)
    expected = [m + (r - m) * s2 / (s2 + m / ni) for r, ni in zip(rates, n, strict=True)]
    assert eb_rates(e, n) == pytest.approx(expected, rel=1e-12)
    # The small area with 0 offences is pulled furthest towards the mean, and none passes it.
    assert eb_rates(e, n)[0] > 0 and abs(eb_rates(e, n)[0] - m) < abs(0 - m)


def test_empirical_bayes_with_no_extra_variation_gives_everyone_the_mean():
    e, n = np.array([1.0, 1.0, 1.0]), np.array([1000.0, 1000.0, 1000.0])
    assert eb_rates(e, n) == pytest.approx([0.001] * 3)


def test_empirical_bayes_matches_pysal_on_the_real_counts(real):
    from esda.smoothing import Empirical_Bayes

    counts = counts_for(real)
    for code in ("crime_vwi_rate", "crime_weapons_rate"):
        ok = counts.counts[code].notna() & (counts.population > 0)
        e, n = counts.counts.loc[ok, code].to_numpy(), counts.population[ok].to_numpy()
        assert eb_rates(e, n) == pytest.approx(Empirical_Bayes(e, n).r.ravel(), rel=1e-9)


def test_queen_neighbours_are_pysals(real):
    import json

    from libpysal.weights import Queen
    from shapely.geometry import shape

    from vru_core.platform.config import get_settings

    features = json.loads((get_settings().bundled_data_dir / "london_wards_2022.geojson").read_text())["features"]
    w = Queen.from_iterable(
        [shape(f["geometry"]) for f in features], ids=[f["properties"]["ward_code"] for f in features]
    )
    ours = queen_neighbours()
    assert {c: set(n) for c, n in ours.items()} == {c: set(n) for c, n in w.neighbors.items()}


def test_spatial_empirical_bayes_matches_pysal_on_a_lattice_and_on_the_wards(real):
    from esda.smoothing import Spatial_Empirical_Bayes
    from libpysal.weights import W, lat2W
    from scipy import sparse

    lattice = lat2W(3, 3, rook=False)
    e = np.array([3, 0, 8, 2, 5, 1, 9, 4, 0], dtype=float)
    n = np.array([900, 400, 2000, 700, 1500, 300, 2500, 1200, 200], dtype=float)
    rows = [i for i in range(9) for j in [i, *lattice.neighbors[i]]]
    cols = [j for i in range(9) for j in [i, *lattice.neighbors[i]]]
    matrix = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(9, 9))
    assert spatial_eb_rates(e, n, matrix) == pytest.approx(Spatial_Empirical_Bayes(e, n, lattice).r.ravel(), rel=1e-9)

    counts = counts_for(real)
    ok = counts.counts["crime_vwi_rate"].notna() & (counts.population > 0)
    codes = list(counts.counts.index[ok])
    table = queen_neighbours()
    wards = W({c: [x for x in table[c] if x in set(codes)] for c in codes}, id_order=codes, silence_warnings=True)
    e, n = counts.counts.loc[ok, "crime_vwi_rate"].to_numpy(), counts.population[ok].to_numpy()
    ours = spatial_eb_rates(e, n, neighbour_matrix(codes))
    assert ours == pytest.approx(Spatial_Empirical_Bayes(e, n, wards).r.ravel(), rel=1e-9)


def test_smoothing_is_a_per_measure_choice_of_the_profile(real):
    profile = Profile(smoothing={"crime_vwi_rate": "eb", "imd_rank": "eb"})  # imd is no count: ignored
    smoothed = smoothed_frame(real, profile.smoothing)
    assert smoothed.measures.at["crime_vwi_rate", "label"].endswith("(smoothed)")
    changed = [c for c in real.measures.index if not smoothed.values[c].equals(real.values[c])]
    assert changed == ["crime_vwi_rate"]
    counts = counts_for(real)
    valid = counts.counts["crime_vwi_rate"].notna()
    london = counts.counts["crime_vwi_rate"].sum() / counts.population[valid].sum() * 1000
    small = real.wards["population"][valid].idxmin()
    raw_gap = abs(real.values.at[small, "crime_vwi_rate"] - london)
    assert abs(smoothed.values.at[small, "crime_vwi_rate"] - london) < raw_gap  # pulled towards London
    result = score(real, profile)
    assert "crime_vwi_rate=eb" in result.ranked_csv()
    assert result.values["crime_vwi_rate"].equals(smoothed.values["crime_vwi_rate"])


@pytest.mark.parametrize(
    "stored",
    [
        {"threshold_pct": 15, "weights": {"crime_vwi_rate": 2}, "overrides": {}},  # saved before smoothing existed
        {"threshold_pct": 15, "weights": {}, "overrides": {}, "smoothing": {"crime_vwi_rate": "spatial_eb"}},
    ],
)
def test_profiles_with_and_without_smoothing_round_trip(stored, real):
    profile = Profile.from_dict(stored)
    assert profile.to_dict() == {
        **stored,
        "threshold_pct": 15.0,
        "weights": {k: float(v) for k, v in stored["weights"].items()},
    }
    back = Profile.from_query_params(profile.to_query_params(real), real)  # links are complete profiles
    assert back.resolved_weights(real).equals(profile.resolved_weights(real))
    assert (back.threshold_pct, back.smoothing, back.overrides) == (
        profile.threshold_pct,
        profile.smoothing,
        profile.overrides,
    )
    again = Profile.from_query_params(back.to_query_params(real), real)
    assert again == back and hash(again) == hash(back)


@pytest.mark.parametrize("bad", [{"smoothing": {"crime_vwi_rate": "magic"}}, {"smoothing": ["eb"]}])
def test_a_bad_smoothing_choice_is_refused(bad):
    with pytest.raises(ValueError, match="smoothing"):
        Profile.from_dict({"threshold_pct": 10, **bad})


def _synthetic(populations: np.ndarray, seed: int = 0) -> MeasureFrame:
    """Wards with the same true rate on two count measures; only their sizes differ."""
    rng = np.random.default_rng(seed)
    codes = [f"W{i:03d}" for i in range(len(populations))]
    wards = pd.DataFrame(
        {
            "ward_name": codes,
            "borough_code": "B1",
            "borough_name": "Borough",
            "population": populations,
            "in_mps_data": True,
        },
        index=pd.Index(codes, name="ward_code"),
    )
    true_rate = rng.uniform(5, 15, size=(len(codes), 2))  # per 1,000 residents
    counts = rng.poisson(true_rate * populations[:, None] / 1000)
    measures = pd.DataFrame(
        {
            "label": ["A", "B"],
            "family": "crime",
            "unit": "per 1,000 residents",
            "direction": "high_is_worse",
            "geography": "ward",
            "source": "s",
            "publisher": "p",
            "period": "t",
            "licence": "l",
            "notes": "",
            "default_weight": 1.0,
        },
        index=pd.Index(["a", "b"], name="code"),
    )
    values = pd.DataFrame(counts / populations[:, None] * 1000, index=wards.index, columns=["a", "b"])
    return MeasureFrame(wards=wards, measures=measures, values=values)


def test_rank_bands_are_narrower_for_large_wards_than_small_ones():
    populations = np.tile([500.0, 50_000.0], 100)
    frame = _synthetic(populations)
    bands = rank_bands(frame, Profile(threshold_pct=20), draws=150)
    width = bands["rank_p95"] - bands["rank_p05"]
    small, large = width[populations == 500].mean(), width[populations == 50_000].mean()
    assert small > 1.5 * large
    assert (bands["rank_p05"] <= bands["rank_median"]).all() and (bands["rank_median"] <= bands["rank_p95"]).all()


def test_rank_bands_are_seeded(real):
    profile = Profile(smoothing={"crime_weapons_rate": "spatial_eb"})
    first, second = rank_bands(real, profile, draws=40), rank_bands(real, profile, draws=40)
    assert first.equals(second)
    assert not first.equals(rank_bands(real, profile, draws=40, seed=7))
    assert list(first.columns) == BAND_COLUMNS and first.index.equals(real.wards.index)


def test_vary_profile_widens_the_bands(real):
    fixed = rank_bands(real, Profile(), draws=40)
    varied = rank_bands(real, Profile(), draws=40, vary_profile=True)
    assert (varied["rank_p95"] - varied["rank_p05"]).mean() > (fixed["rank_p95"] - fixed["rank_p05"]).mean()


def test_crosses_marks_bands_straddling_the_line():
    bands = pd.DataFrame({"rank_p05": [1, 8, 11, 3], "rank_median": [2, 10, 12, 10], "rank_p95": [5, 12, 15, 10]})
    assert crosses(bands, 10).tolist() == [False, True, False, False]


def test_map_classes_follow_mapclassify_and_cover_every_ward():
    import mapclassify

    values = pd.Series([0, 0, 0, 1, 2, 2, 3, 5, 5, 8, np.nan] * 7, dtype=float)
    classes = classify(values, k=4)
    assert classes.bins == tuple(float(b) for b in mapclassify.JenksCaspall(values.dropna().to_numpy(), k=4).bins)
    idx = classes.index(values.to_numpy())
    assert (idx[values.isna().to_numpy()] == -1).all() and (idx[values.notna().to_numpy()] >= 0).all()
    assert sum(n for _, _, n in classes.legend()) == values.notna().sum()
    assert classify(pd.Series([3.0, 3.0])).labels == ("3",)


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("k", [3, 5, 6])
def test_map_classes_match_mapclassify_wherever_it_converges(seed, k):
    import mapclassify

    values = np.random.default_rng(seed).gamma(2.0, 3.0, 300).round(1)
    assert classify(pd.Series(values), k=k).bins == tuple(float(b) for b in mapclassify.JenksCaspall(values, k=k).bins)


def test_map_classes_end_on_heavily_tied_scores():
    """The default profile's shape (most wards 0, a tail to 8): mapclassify's own loop never ends on it."""
    counts = [387, 124, 66, 36, 25, 21, 13, 8, 4]
    values = pd.Series(np.repeat(np.arange(len(counts), dtype=float), counts))
    classes = classify(values)
    assert classes.labels[0] == "0" and classes.bins[-1] == 8.0
    assert sum(classes.counts) == len(values) and all(n > 0 for n in classes.counts)
    assert list(classes.bins) == sorted(set(classes.bins))


@pytest.mark.parametrize("template", ["sqlite"], indirect=True)
def test_the_scoring_command_writes_rank_bands_by_default(engine, monkeypatch, tmp_path):
    from vru_core.needs.cli import main

    monkeypatch.setenv("VRU_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    out = tmp_path / "ranked.csv"
    assert main(["--smooth", "crime_vwi_rate=eb", "--draws", "30", "--out", str(out)]) == 0
    ranked = pd.read_csv(io.StringIO(out.read_text()), comment="#")
    for column in (*BAND_COLUMNS, "population", "count_crime_vwi_rate"):
        assert column in ranked.columns
    assert (ranked["rank_p05"] <= ranked["rank_p95"]).all()
    plain = tmp_path / "plain.csv"
    assert main(["--no-bands", "--out", str(plain)]) == 0
    assert "rank_p05" not in pd.read_csv(plain, comment="#").columns
    assert main(["--smooth", "imd_rank=eb"]) == 2


def _draws_one_at_a_time(frame, profile, draws):
    """The plain reading of the method: redraw, score and rank each draw in turn (the reference)."""
    from vru_core.needs.rank_bands import SEED
    from vru_core.needs.scoring import _prepare, flag_matrix, profile_arrays, rank_min, scoring_frame, weighted_scores
    from vru_core.needs.smoothing import RAW, Smoother, counts_for

    prepared = _prepare(scoring_frame(frame, profile))
    weights, pct = profile_arrays(prepared, profile)
    counts, rng = counts_for(frame), np.random.default_rng(SEED)
    redrawn = []
    for j, code in enumerate(prepared.codes):
        if code in counts.codes and weights[j] > 0:
            smoother = Smoother(counts, code, profile.smoothing.get(code, RAW))
            drawn = rng.poisson(smoother.counts[:, None], size=(smoother.counts.size, draws)).astype(np.float64)
            redrawn.append((j, smoother.valid, smoother.rates(drawn) * prepared.sign[j]))
    badness, out = prepared.badness.copy(), []
    for d in range(draws):
        for j, valid, rates in redrawn:
            badness[valid, j] = rates[:, d]
        flags, *_ = flag_matrix(badness, pct)
        out.append(rank_min(weighted_scores(flags, weights)))
    return np.stack(out)


@pytest.mark.parametrize(
    "settings",
    [
        {"threshold_pct": 10.0},
        {"threshold_pct": 3.0, "halve_every_other": True},
        {"threshold_pct": 25.0, "smoothing": {"crime_vwi_rate": "eb"}},
        {"threshold_pct": 10.0, "crime_off": True},  # nothing redrawn: every draw is the observed ranking
    ],
)
def test_rank_draws_in_one_pass_equal_scoring_each_draw(real, settings):
    from vru_core.needs.rank_bands import rank_draws

    codes = list(real.measures.index)
    weights = {c: (0.5 if settings.get("halve_every_other") and i % 2 else 1.0) for i, c in enumerate(codes)}
    if settings.get("crime_off"):
        weights = {c: (0.0 if c.startswith("crime_") else w) for c, w in weights.items()}
    profile = Profile.complete(
        real, weights, threshold_pct=settings["threshold_pct"], smoothing=settings.get("smoothing", {})
    )
    assert np.array_equal(rank_draws(real, profile, draws=40), _draws_one_at_a_time(real, profile, 40))


def test_kept_redraws_give_the_same_ranks_as_drawing_again(real):
    """A threshold step reuses the redrawn counts (same seed, same measures): the ranks must not change."""
    from vru_core.needs.rank_bands import _REDRAWS, rank_draws

    weights = dict.fromkeys(real.measures.index, 1.0)
    first = Profile.complete(real, weights, threshold_pct=10.0)
    rank_draws(real, first, draws=30)
    kept = len(_REDRAWS)
    for pct in (5.0, 12.0, 30.0):
        step = Profile.complete(real, weights, threshold_pct=pct)
        assert np.array_equal(rank_draws(real, step, draws=30), _draws_one_at_a_time(real, step, 30))
    assert len(_REDRAWS) == kept  # reused, not drawn again
    other = Profile.complete(real, {**weights, "crime_vwi_rate": 0.0}, threshold_pct=10.0)
    assert np.array_equal(rank_draws(real, other, draws=30), _draws_one_at_a_time(real, other, 30))
