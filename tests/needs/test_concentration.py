"""vru_core.needs.concentration: hand-made curves and the real homicide curve against raw sums."""

from __future__ import annotations

import csv

import numpy as np
import pandas as pd
import pytest

from tests import raw
from vru_core.needs import concentration as conc
from vru_core.needs import crime
from vru_core.platform.config import REPO_ROOT

DATA = REPO_ROOT / "data"
NEWER = DATA / "mps_ward_crime_202403_202603.csv"

# counts 5, 3, 2, 0 over four wards -> ward_share 0, .25, .5, .75, 1; offence_share 0, .5, .8, 1, 1
TINY = pd.Series({"A": 2, "B": 5, "C": 0, "D": 3})


@pytest.fixture
def tiny_curve() -> pd.DataFrame:
    return conc.lorenz_from_counts(TINY)


def test_tiny_curve_points(tiny_curve):
    assert tiny_curve["ward_share"].tolist() == [0, 0.25, 0.5, 0.75, 1]
    assert tiny_curve["offence_share"].tolist() == pytest.approx([0, 0.5, 0.8, 1, 1])
    assert pd.isna(tiny_curve["ward_code"].iloc[0])
    assert tiny_curve["ward_code"].iloc[1:].tolist() == ["B", "D", "A", "C"]
    assert tiny_curve["n_wards"].tolist() == [0, 1, 2, 3, 4]


@pytest.mark.parametrize(
    "ward_share, expected",
    [(0.0, 0.0), (0.125, 0.25), (0.25, 0.5), (0.375, 0.65), (0.5, 0.8), (0.75, 1.0), (1.0, 1.0)],
)
def test_share_in_top_wards_tiny(tiny_curve, ward_share, expected):
    assert conc.share_in_top_wards(tiny_curve, ward_share) == pytest.approx(expected)


@pytest.mark.parametrize(
    "offence_share, expected",
    [(0.0, 0.0), (0.25, 0.125), (0.5, 0.25), (0.65, 0.375), (0.8, 0.5), (0.9, 0.625), (1.0, 0.75)],
)
def test_ward_share_for_offence_share_tiny(tiny_curve, offence_share, expected):
    assert conc.ward_share_for_offence_share(tiny_curve, offence_share) == pytest.approx(expected)


@pytest.mark.parametrize("offence_share, n", [(0.0, 0), (0.3, 1), (0.5, 1), (0.51, 2), (0.8, 2), (0.81, 3), (1.0, 3)])
def test_wards_for_offence_share_tiny(tiny_curve, offence_share, n):
    assert conc.wards_for_offence_share(tiny_curve, offence_share) == n


@pytest.mark.parametrize(
    "counts, expected",
    [
        ([5, 3, 2, 0], 0.4),  # mean absolute difference / (2 * mean): 32 / (2 * 16 * 2.5)
        ([1, 1, 1, 1], 0.0),
        ([7, 0, 0, 0], 0.75),  # all in one of N wards: (N - 1) / N
        ([1, 0], 0.5),
    ],
)
def test_gini(counts, expected):
    assert conc.gini(conc.lorenz_from_counts(counts)) == pytest.approx(expected)


def _gini_pairs(x: np.ndarray) -> float:
    return float(np.abs(x[:, None] - x[None, :]).sum() / (2 * len(x) ** 2 * x.mean()))


def test_gini_matches_pairwise_formula_random():
    rng = np.random.default_rng(7)
    x = rng.poisson(3.0, size=200).astype(float)
    assert conc.gini(conc.lorenz_from_counts(x)) == pytest.approx(_gini_pairs(x))


def test_tie_order_does_not_change_curve():
    x = pd.Series([3, 1, 1, 1, 0, 0, 2], index=list("abcdefg"))
    a = conc.lorenz_from_counts(x)
    b = conc.lorenz_from_counts(x.sample(frac=1, random_state=3))
    assert a["offence_share"].tolist() == pytest.approx(b["offence_share"].tolist())


@pytest.mark.parametrize("bad", [[0, 0, 0], [], [1, -1], [1.0, float("nan")]])
def test_rejects_degenerate_counts(bad):
    with pytest.raises(ValueError):
        conc.lorenz_from_counts(bad)


@pytest.mark.parametrize("fn, arg", [(conc.share_in_top_wards, 1.2), (conc.ward_share_for_offence_share, -0.1)])
def test_share_arguments_checked(tiny_curve, fn, arg):
    with pytest.raises(ValueError):
        fn(tiny_curve, arg)


# ---------------------------------------------------------------------------------------------
# Real data
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def series() -> crime.MonthlySeries:
    return crime.load_monthly(DATA)


@pytest.fixture(scope="module")
def raw_homicide_latest12() -> dict[str, int]:
    cols = raw.month_columns(raw.NEWER)[-12:]  # the latest 12 months
    out: dict[str, int] = {}
    with NEWER.open(newline="", encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            out.setdefault(r["WardCode"], 0)
            if r["MajorText"] == "VIOLENCE AGAINST THE PERSON" and r["MinorText"] == "HOMICIDE":
                out[r["WardCode"]] += sum(int(r[c]) for c in cols)
    return out


@pytest.mark.parametrize("category", ["homicide", "vwi", "weapons"])
@pytest.mark.parametrize("months", [None, "all"])
def test_real_curve_shape(series, category, months):
    curve = conc.lorenz(series, category, months)
    assert len(curve) == len(raw.mps_wards()) + 1  # every MPS ward, zero-count wards included, plus (0, 0)
    assert (curve.loc[0, "ward_share"], curve.loc[0, "offence_share"]) == (0.0, 0.0)
    assert curve["ward_share"].iloc[-1] == 1.0
    assert curve["offence_share"].iloc[-1] == pytest.approx(1.0)
    assert (np.diff(curve["ward_share"]) > 0).all()
    assert (np.diff(curve["offence_share"]) >= 0).all()
    assert (curve["offence_share"] >= curve["ward_share"] - 1e-12).all()  # above the diagonal
    assert 0.0 <= conc.gini(curve) < 1.0


def test_real_homicide_latest12_against_raw(series, raw_homicide_latest12):
    curve = conc.lorenz(series, "homicide")
    counts = np.sort(np.array(list(raw_homicide_latest12.values()), dtype=float))[::-1]
    assert len(counts) == len(raw.mps_wards())
    assert curve.attrs["total"] == counts.sum()
    assert curve["count"].iloc[1:].tolist() == counts.tolist()
    # the strategy's "top 12% of wards": with 679 wards 81.48 wards, the first 81 in full and 0.48 of the 82nd
    k = 0.12 * len(counts)
    i = int(k)
    expected = (counts[:i].sum() + (k - i) * counts[i]) / counts.sum()
    assert conc.share_in_top_wards(curve, 0.12) == pytest.approx(expected)
    # wards holding 52% of homicides: smallest number of busiest wards reaching 52%
    cum = np.cumsum(counts) / counts.sum()
    assert conc.wards_for_offence_share(curve, 0.52) == int(np.argmax(cum >= 0.52)) + 1


def test_window_argument(series):
    latest = crime.last_12_months(series)
    a = conc.lorenz(series, "homicide")
    b = conc.lorenz(series, "homicide", latest)
    c = conc.lorenz(series, "homicide", list(latest.months))
    assert a["offence_share"].tolist() == b["offence_share"].tolist() == c["offence_share"].tolist()
    full = conc.lorenz(series, "homicide", "all")
    assert full.attrs["months"] == series.months
    assert full.attrs["total"] > a.attrs["total"]
