"""vru_core.needs.trends: synthetic series for the rising/falling rule, raw CSVs for the monthly sums."""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path

import pandas as pd
import pytest

from tests import raw
from vru_core.needs import crime, trends
from vru_core.platform.config import REPO_ROOT

DATA = REPO_ROOT / "data"
OLDER = DATA / "mps_ward_crime_202307_202506.csv"
NEWER = DATA / "mps_ward_crime_202403_202603.csv"
VWI = ("VIOLENCE AGAINST THE PERSON", "VIOLENCE WITH INJURY")

# (ward, previous_12, latest_12, eligible at min_count=20)
CASES = [
    ("W01", 20, 20, True),  # exactly 2 * 20
    ("W02", 19, 20, False),  # one short
    ("W03", 0, 40, True),  # new hotspot; pct_change undefined
    ("W04", 0, 0, False),
    ("W05", 100, 150, True),  # +50%
    ("W06", 100, 50, True),  # -50%
    ("W07", 5, 15, False),  # +200% but tiny: must not top the list
    ("W08", 15, 3, False),  # -80% but tiny
    ("W09", 400, 440, True),  # +10%, but +40 in counts
    ("W10", 60, 30, True),  # -50%, smaller fall than W06 in counts
    ("W11", 30, 30, True),  # no change
]


def _write_release(path: Path, months: list[str], rows: list[tuple[str, list[int]]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["MajorText", "MinorText", "WardName", "WardCode", "LookUp_BoroughName", *months])
        for ward, vals in rows:
            w.writerow([*VWI, f"Name {ward}", ward, "Borough", *vals])


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory) -> crime.MonthlySeries:
    d = tmp_path_factory.mktemp("trend")
    months = [str(p).replace("-", "") for p in pd.period_range("2024-01", "2025-12", freq="M")]
    rows = []
    for ward, prev, latest, _ in CASES:
        vals = [0] * 24
        # spread each total over its window so monthly values differ but sums are exact
        for k in range(prev):
            vals[k % 12] += 1
        for k in range(latest):
            vals[12 + (k * 5) % 12] += 1
        rows.append((ward, vals))
    _write_release(d / "only.csv", months, rows)
    return crime.load_monthly(d, categories=["vwi"], releases=[("only", "only.csv")])


@pytest.fixture(scope="module")
def table(synthetic) -> pd.DataFrame:
    return trends.rising_falling(synthetic, "vwi", min_count=20)


@pytest.mark.parametrize("ward, prev, latest, eligible", CASES)
def test_rising_falling_row(table, ward, prev, latest, eligible):
    row = table.set_index("ward_code").loc[ward]
    assert row["previous_12"] == prev and row["latest_12"] == latest
    assert row["change"] == latest - prev
    assert bool(row["eligible"]) is eligible
    if prev == 0:
        assert math.isnan(row["pct_change"])
    else:
        assert row["pct_change"] == pytest.approx((latest - prev) / prev * 100)
    if prev + latest == 0:
        assert math.isnan(row["z"])
    else:
        assert row["z"] == pytest.approx((latest - prev) / math.sqrt(latest + prev))


@pytest.mark.parametrize(
    "min_count, n_eligible",
    [(0, 11), (1, 10), (10, 9), (20, 7), (75, 3), (1000, 0)],
)
def test_min_count_threshold(synthetic, min_count, n_eligible):
    df = trends.rising_falling(synthetic, "vwi", min_count=min_count)
    assert int(df["eligible"].sum()) == n_eligible
    assert "eligible if" in df.attrs["rule"]


def test_windows_from_data(synthetic, table):
    assert table.attrs["latest_period"] == "12 months to December 2025 (Jan 2025 – Dec 2025)"
    assert table.attrs["previous_period"] == "12 months to December 2024 (Jan 2024 – Dec 2024)"


def test_sorted_eligible_first_then_pct(table):
    assert table["eligible"].tolist() == sorted(table["eligible"].tolist(), reverse=True)
    elig = table[table["eligible"]]["pct_change"].dropna().tolist()
    assert elig == sorted(elig, reverse=True)


@pytest.mark.parametrize(
    "fn, by, expected",
    [
        (trends.top_rising, "pct_change", ["W05", "W09"]),  # W03 has no % (prev 0): last
        (trends.top_rising, "change", ["W05", "W03", "W09"]),  # W03/W09 tie on +40: by code
        (trends.top_falling, "pct_change", ["W06", "W10"]),
        (trends.top_falling, "change", ["W06", "W10"]),
    ],
)
def test_top_lists_only_eligible(table, fn, by, expected):
    got = fn(table, 10, by=by)["ward_code"].tolist()
    assert got[: len(expected)] == expected
    assert not {"W07", "W08", "W02", "W04", "W11"} & set(got)


def test_top_n_limits(table):
    assert len(trends.top_rising(table, 1)) == 1
    assert trends.top_rising(table, 1, by="change")["ward_code"].tolist() == ["W05"]


def test_wards_join(synthetic):
    names = pd.DataFrame({"ward_code": ["W01", "W05"], "ward_name": ["One", "Five"]})
    df = trends.rising_falling(synthetic, wards=names).set_index("ward_code")
    assert df.loc["W05", "ward_name"] == "Five" and pd.isna(df.loc["W02", "ward_name"])
    df2 = trends.rising_falling(synthetic, wards=synthetic.wards).set_index("ward_code")
    assert df2.loc["W09", "ward_name"] == "Name W09"


# ---------------------------------------------------------------------------------------------
# Monthly series on the real data, against raw sums
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def series() -> crime.MonthlySeries:
    return crime.load_monthly(DATA)


def _raw_vwi(path: Path, col: str, ward: str | None = None) -> int:
    with path.open(newline="", encoding="utf-8") as fh:
        return sum(
            int(r[col])
            for r in csv.DictReader(fh)
            if (r["MajorText"], r["MinorText"]) == VWI and (ward is None or r["WardCode"] == ward)
        )


def _release_of(series, month: str) -> Path:
    return {"older": OLDER, "newer": NEWER}[series.provenance.set_index("month").loc[month, "release"]]


@pytest.mark.parametrize("position", [0, "newer_first", "newer_second", "older_last", -1])
def test_london_monthly_matches_raw(series, position):
    months = raw.all_months()
    newer = [f"{c[:4]}-{c[4:]}" for c in raw.month_columns(NEWER)]
    older = [f"{c[:4]}-{c[4:]}" for c in raw.month_columns(OLDER)]
    named = {"newer_first": newer[0], "newer_second": newer[1], "older_last": older[-1]}
    month = named[position] if isinstance(position, str) else months[position]
    path = _release_of(series, month)
    df = trends.london_monthly(series, "vwi")
    assert list(df.columns) == ["month", "count"] and df["month"].tolist() == months
    assert df.set_index("month").loc[month, "count"] == _raw_vwi(path, month.replace("-", ""))


@pytest.mark.parametrize("ward, position", [("E05013570", "newer_first"), ("E05013570", -5), ("E05013741", 5)])
def test_ward_monthly_matches_raw(series, ward, position):
    newer_first = raw.month_columns(NEWER)[0]
    month = f"{newer_first[:4]}-{newer_first[4:]}" if position == "newer_first" else raw.all_months()[position]
    path = _release_of(series, month)
    df = trends.ward_monthly(series, ward, ("vwi", "homicide"))
    assert {"month", "category", "count"} <= set(df.columns)
    assert len(df) == 2 * len(raw.all_months())
    got = df[(df.category == "vwi") & (df.month == month)]["count"].item()
    assert got == _raw_vwi(path, month.replace("-", ""), ward)


def test_ward_monthly_unknown_ward(series):
    with pytest.raises(KeyError):
        trends.ward_monthly(series, "E05009289")  # City of London: not in MPS data


def test_borough_monthly_sums_and_heathrow_in_hillingdon(series):
    geo = json.loads((DATA / "london_wards_2022.geojson").read_text())
    mapping = {f["properties"]["ward_code"]: f["properties"]["borough_name"] for f in geo["features"]}
    df = trends.borough_monthly(series, "vwi", mapping)
    assert set(df.columns) == {"borough", "month", "count"}
    assert df["borough"].nunique() == raw.n_boroughs() - len(raw.unpoliced_boroughs())  # the City has no MPS wards
    assert df["count"].sum() == trends.london_monthly(series, "vwi")["count"].sum()
    last = raw.month_columns(NEWER)[-1]
    hill = df[(df.borough == "Hillingdon") & (df.month == f"{last[:4]}-{last[4:]}")]["count"].item()
    hill_wards = [w for w, b in mapping.items() if b == "Hillingdon"]
    assert "E05013570" in hill_wards
    assert hill == sum(_raw_vwi(NEWER, last, w) for w in hill_wards)
    # wards missing from the mapping are left out
    partial = trends.borough_monthly(series, "vwi", {"E05013570": "Hillingdon"})
    assert partial["borough"].unique().tolist() == ["Hillingdon"]
