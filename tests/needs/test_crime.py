"""vru_core.needs.crime against independent computations on the raw MPS CSVs (csv module, no helpers)."""

from __future__ import annotations

import calendar
import csv
import math
import os
import shutil
import time
from pathlib import Path

import pandas as pd
import pytest

from tests import raw as raw_data
from vru_core.needs import crime
from vru_core.needs.load import read_geography
from vru_core.needs.sources import crime as crime_source
from vru_core.needs.sources.base import Bundle
from vru_core.platform.config import REPO_ROOT

DATA = REPO_ROOT / "data"
OLDER = DATA / "mps_ward_crime_202307_202506.csv"
NEWER = DATA / "mps_ward_crime_202403_202603.csv"
POP = DATA / "ward_population_census2021.csv"
GEOGRAPHY = read_geography(DATA)  # (boroughs, wards with their Census 2021 population)

# Independent restatement of the category mapping (major, minors or None = all).
MAPPING = {
    "vwi": ("VIOLENCE AGAINST THE PERSON", {"VIOLENCE WITH INJURY"}),
    "robbery_personal": ("ROBBERY", {"ROBBERY OF PERSONAL PROPERTY"}),
    "weapons": ("POSSESSION OF WEAPONS", None),
    "sexual": ("SEXUAL OFFENCES", None),
    "drug_trafficking": ("DRUG OFFENCES", {"TRAFFICKING OF DRUGS"}),
    "public_order": ("PUBLIC ORDER OFFENCES", None),
    "homicide": ("VIOLENCE AGAINST THE PERSON", {"HOMICIDE"}),
    "vap": ("VIOLENCE AGAINST THE PERSON", None),
    "burglary": ("BURGLARY", None),
}

# The windows, from the newer release's own month columns (it holds the latest 24 months).
LATEST_12 = raw_data.month_columns(raw_data.NEWER)[-12:]
PREVIOUS_12 = raw_data.month_columns(raw_data.NEWER)[-24:-12]


def _month_name(month: str) -> str:  # "2026-03" -> "March 2026", written out independently of the code
    return f"{calendar.month_name[int(month[5:])]} {month[:4]}"


def _short(month: str) -> str:  # "2026-03" -> "Mar 2026"
    return f"{calendar.month_abbr[int(month[5:])]} {month[:4]}"


LATEST_PERIOD = (
    f"12 months to {_month_name(raw_data.all_months()[-1])} "
    f"({_short(raw_data.all_months()[-12])} – {_short(raw_data.all_months()[-1])})"
)

# Every ward outside the MPS data (the City of London's), with a Census population or without one.
CITY_WARDS = sorted(set(raw_data.ward_properties()) - raw_data.mps_wards())
HEATHROW = "E05013570"


def _read_raw(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def raw() -> dict[str, list[dict[str, str]]]:
    return {"older": _read_raw(OLDER), "newer": _read_raw(NEWER)}


@pytest.fixture(scope="module")
def series() -> crime.MonthlySeries:
    return crime.load_monthly(DATA)


@pytest.fixture(scope="module")
def population() -> dict[str, float]:
    out = {}
    with POP.open(newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            out[row["ward_code"]] = float(row["usual_residents"]) if row["usual_residents"] else math.nan
    return out


def raw_sum(rows, category: str, yyyymm: str, ward: str | None = None) -> int:
    major, minors = MAPPING[category]
    return sum(
        int(r[yyyymm])
        for r in rows
        if r["MajorText"] == major
        and (minors is None or r["MinorText"] in minors)
        and (ward is None or r["WardCode"] == ward)
    )


def raw_london_total(rows, yyyymm: str) -> int:
    return sum(int(r[yyyymm]) for r in rows)


def month_cols(rows) -> list[str]:
    return [c for c in rows[0] if c.isdigit() and len(c) == 6]


# ---------------------------------------------------------------------------------------------
# Provenance
# ---------------------------------------------------------------------------------------------


def test_every_overlapping_month_checked_by_london_total(raw, series):
    older_cols, newer_cols = month_cols(raw["older"]), month_cols(raw["newer"])
    prov = series.provenance.set_index("month")
    overlap = [c for c in older_cols if c in newer_cols]
    # rolling 24-month releases: they overlap from the newer one's first month to the older one's last
    assert overlap == [c for c in newer_cols if c <= older_cols[-1]] and overlap[0] == newer_cols[0]
    for col in overlap:
        t_old, t_new = raw_london_total(raw["older"], col), raw_london_total(raw["newer"], col)
        expected = "older" if t_new < 0.5 * t_old else "newer"
        row = prov.loc[f"{col[:4]}-{col[4:]}"]
        assert row["release"] == expected, col
        assert row["total_older"] == t_old and row["total_newer"] == t_new


def test_provenance_gives_each_months_release_and_both_london_totals(raw, series):
    prov = series.provenance.set_index("month")
    columns = {label: month_cols(rows) for label, rows in raw.items()}
    rejected = []
    for month, row in prov.iterrows():
        col = month.replace("-", "")
        for label, rows in raw.items():
            total = row[f"total_{label}"]
            assert pd.isna(total) if col not in columns[label] else total == raw_london_total(rows, col), (month, label)
        having = [label for label in ("newer", "older") if col in columns[label]]
        if len(having) == 1:
            assert row["release"] == having[0] and "only in" in row["reason"]
        elif row["release"] == "older":
            rejected.append(month)
            assert "incomplete month" in row["reason"]
        assert row["reason"]
    # the newer release's first month is almost empty (an edge of its 24-month window), so the older is used
    assert rejected == [f"{columns['newer'][0][:4]}-{columns['newer'][0][4:]}"]
    assert row_total(prov, rejected[0], "newer") < 0.01 * row_total(prov, rejected[0], "older")


def row_total(prov: pd.DataFrame, month: str, label: str) -> int:
    return int(prov.loc[month, f"total_{label}"])


def test_months_are_contiguous_over_both_releases(series):
    months = raw_data.all_months()
    assert series.months == tuple(str(p) for p in pd.period_range(months[0], months[-1], freq="M"))
    assert list(series.provenance["month"]) == list(series.months)


# ---------------------------------------------------------------------------------------------
# Combined counts equal the chosen release's raw column
# ---------------------------------------------------------------------------------------------


def chosen_release(raw, col: str) -> str:
    """The rule, restated on the raw totals: the newer release unless its London total is below half the older's."""
    having = [label for label in ("older", "newer") if col in month_cols(raw[label])]
    if having == ["older", "newer"]:
        older, newer = raw_london_total(raw["older"], col), raw_london_total(raw["newer"], col)
        return "older" if newer < 0.5 * older else "newer"
    return having[0]


@pytest.mark.parametrize("category", list(MAPPING))
def test_every_london_month_total_matches_the_chosen_releases_raw_column(raw, series, category):
    c = series.counts[series.counts.category == category]
    by_month = c.groupby("month")["count"].sum()
    matrix = series.matrix(category)
    for label in series.months:
        col = label.replace("-", "")
        expected = raw_sum(raw[chosen_release(raw, col)], category, col)
        assert by_month[label] == expected and matrix[label].sum() == expected, (category, label)


@pytest.mark.parametrize(
    "ward, category",
    [
        ("E05014053", "vwi"),  # Abbey (Barking and Dagenham)
        ("E05013570", "vwi"),  # Heathrow Villages
        ("E05013741", "vwi"),  # Hammersmith Broadway
        ("E05009317", "robbery_personal"),  # Bethnal Green
        ("E05013730", "weapons"),  # Rushey Green
    ],
)
def test_last_12_and_previous_12_ward_counts_match_raw(raw, series, ward, category):
    latest_cols, prev_cols = LATEST_12, PREVIOUS_12
    exp_latest = sum(raw_sum(raw["newer"], category, c, ward) for c in latest_cols)
    exp_prev = sum(raw_sum(raw["newer"], category, c, ward) for c in prev_cols)
    latest = crime.last_12_months(series)
    prev = crime.previous_12_months(series)
    assert series.window_counts(category, latest.months)[ward] == exp_latest
    assert series.window_counts(category, prev.months)[ward] == exp_prev
    long = series.counts[(series.counts.ward_code == ward) & (series.counts.category == category)]
    assert long[long.month.isin(latest.months)]["count"].sum() == exp_latest


def test_long_frame_complete_and_zero_filled(raw, series):
    wards = {r["WardCode"] for r in raw["newer"]} | {r["WardCode"] for r in raw["older"]}
    # the boundary file marks the same wards as in the MPS data
    assert wards == {code for code, p in raw_data.ward_properties().items() if p["in_mps_crime_data"]}
    c = series.counts
    assert len(c) == len(wards) * len(series.months) * len(series.categories)
    assert set(c.ward_code) == wards
    assert c["count"].dtype == "int64" and (c["count"] >= 0).all()
    assert not c.isna().any().any()
    # Homicide has rows for only ~150 wards; every other ward still has explicit zeros.
    homicide_wards = {r["WardCode"] for r in raw["newer"] if r["MinorText"] == "HOMICIDE"}
    no_row = sorted(wards - homicide_wards)[0]
    h = c[(c.category == "homicide") & (c.ward_code == no_row)]
    newer_months = series.provenance.loc[series.provenance["release"] == "newer", "month"]
    assert len(h) == len(series.months) and h.loc[h.month.isin(newer_months), "count"].sum() == 0


def test_vap_is_comparable_across_releases_but_minor_split_is_not(raw):
    """The newer release moves Stalking and harassment out of Violence without injury."""
    older_cols, newer_cols = month_cols(raw["older"]), month_cols(raw["newer"])
    for col in [c for c in older_cols if c in newer_cols and chosen_release(raw, c) == "newer"]:
        old, new = raw_sum(raw["older"], "vap", col), raw_sum(raw["newer"], "vap", col)
        assert abs(new - old) / old < 0.015, col
    assert not any(r["MinorText"] == "STALKING AND HARASSMENT" for r in raw["older"])
    assert all(c.minors != ("VIOLENCE WITHOUT INJURY",) for c in crime.CATEGORIES.values())
    assert crime.CATEGORIES["vap"].minors == ()


# ---------------------------------------------------------------------------------------------
# Windows
# ---------------------------------------------------------------------------------------------


def test_windows_derived_from_data(series):
    latest = crime.last_12_months(series)
    prev = crime.previous_12_months(series)
    months = raw_data.all_months()
    assert latest.months == tuple(months[-12:]) and prev.months == tuple(months[-24:-12])
    assert latest.label == f"12 months to {_month_name(months[-1])}"
    assert latest.period == LATEST_PERIOD
    assert prev.label == f"12 months to {_month_name(months[-13])}"
    assert crime.period_labels(series)["latest"] == latest.label
    assert crime.comparison_windows(series) == (prev, latest)
    with pytest.raises(ValueError):
        crime.last_12_months(series, offset=3)


# ---------------------------------------------------------------------------------------------
# Measures
# ---------------------------------------------------------------------------------------------

RATE_CODES = [
    "crime_vwi_rate",
    "crime_robbery_personal_rate",
    "crime_weapons_rate",
    "crime_sexual_rate",
    "crime_drug_trafficking_rate",
    "crime_public_order_rate",
]


def derive_crime_measures(wards: pd.DataFrame) -> tuple[pd.DataFrame, list[dict]]:
    """The registry's crime measures over the given wards: (values, one column a measure; definitions)."""
    bundle = Bundle(DATA, wards, GEOGRAPHY[0])
    derived = [m.derive(bundle) for m in crime_source.MEASURES]
    return pd.DataFrame({d["code"]: v for d, v in derived}), [d for d, _ in derived]


def wards_with_population(change: dict[str, float] | None = None, drop: str | None = None) -> pd.DataFrame:
    wards = GEOGRAPHY[1].copy()
    for code, value in (change or {}).items():
        wards.loc[wards["code"] == code, "population"] = value
    return wards[wards["code"] != drop]


@pytest.fixture(scope="module")
def measures():
    return derive_crime_measures(wards_with_population())


@pytest.mark.parametrize(
    "ward, category",
    [
        ("E05014053", "vwi"),
        (HEATHROW, "vwi"),
        ("E05013741", "robbery_personal"),
        ("E05013730", "weapons"),
        ("E05009317", "sexual"),
        ("E05013904", "drug_trafficking"),
        ("E05014054", "public_order"),
    ],
)
def test_rate_is_count_over_population_times_1000(raw, population, measures, ward, category):
    values, _ = measures
    count = sum(raw_sum(raw["newer"], category, c, ward) for c in LATEST_12)
    assert values.loc[ward, f"crime_{category}_rate"] == pytest.approx(count / population[ward] * 1000)


@pytest.mark.parametrize("ward", ["E05014053", HEATHROW, "E05013741"])
def test_vwi_change_is_rate_difference(raw, population, measures, ward):
    values, _ = measures
    a = sum(raw_sum(raw["newer"], "vwi", c, ward) for c in LATEST_12)
    b = sum(raw_sum(raw["newer"], "vwi", c, ward) for c in PREVIOUS_12)
    assert values.loc[ward, "crime_vwi_change"] == pytest.approx((a - b) / population[ward] * 1000)


@pytest.mark.parametrize("ward", CITY_WARDS)
def test_city_of_london_wards_are_missing_not_zero(measures, ward):
    values, _ = measures
    assert ward in values.index
    assert values.loc[ward].isna().all()


def test_values_shape_and_missingness(measures):
    values, defs = measures
    assert list(values.columns) == [*RATE_CODES, "crime_vwi_change"]
    assert [d["code"] for d in defs] == list(values.columns)
    assert len(values) == raw_data.n_wards()
    assert (values.dtypes == "float64").all()
    # Every MPS ward has a population, so exactly the wards outside the MPS data (the City's) are missing.
    population = raw_data.population()
    assert all(population.get(code) for code in raw_data.mps_wards())
    assert any(population.get(c) for c in CITY_WARDS) and not all(population.get(c) for c in CITY_WARDS)
    assert values["crime_vwi_rate"].notna().sum() == len(raw_data.mps_wards())
    assert values.loc[HEATHROW].notna().all()


@pytest.mark.parametrize("pop_value", [math.nan, 0.0])
def test_ward_without_population_gets_missing_rate(pop_value):
    values, _ = derive_crime_measures(wards_with_population({"E05014053": pop_value}))
    assert values.loc["E05014053"].isna().all()
    assert values.loc["E05014054"].notna().all()


def test_crime_ward_missing_from_population_is_kept_as_missing():
    values, _ = derive_crime_measures(wards_with_population(drop="E05014053"))
    assert values.loc["E05014053"].isna().all()


def test_definitions(measures):
    _, defs = measures
    keys = {
        "code", "label", "family", "unit", "direction", "geography", "source",
        "publisher", "period", "licence", "notes", "default_weight",
    }  # fmt: skip
    for d in defs:
        assert set(d) == keys
        assert d["family"] == "crime" and d["geography"] == "ward"
        assert d["direction"] == "high_is_worse" and d["default_weight"] == 1.0
        assert d["source"] == "MPS Ward Level Crime (most recent 24 months), two releases combined"
        assert d["publisher"] == "Metropolitan Police Service (London Datastore)"
        assert d["licence"] == "Open Government Licence v3.0"
        for needle in ("Census 2021", "City of London Police", "Heathrow", "Aviation Security", "no population"):
            assert needle in d["notes"], (d["code"], needle)
    by_code = {d["code"]: d for d in defs}
    for code in RATE_CODES:
        assert by_code[code]["unit"] == "per 1,000 residents"
        assert by_code[code]["period"] == LATEST_PERIOD
    change = by_code["crime_vwi_change"]
    assert "rate difference" in change["notes"] and "not a percentage" in change["notes"]
    months = raw_data.all_months()
    assert (
        change["period"]
        == f"{_short(months[-12])} – {_short(months[-1])} vs {_short(months[-24])} – {_short(months[-13])}"
    )


# ---------------------------------------------------------------------------------------------
# Caching and the general release rule on synthetic files
# ---------------------------------------------------------------------------------------------


def test_cached_call_is_fast_and_same_object(series):
    t0 = time.perf_counter()
    again = crime.load_monthly(DATA)
    assert time.perf_counter() - t0 < 0.05
    assert again is series


def test_cache_invalidated_when_file_changes(tmp_path):
    for f in (OLDER, NEWER):
        shutil.copy(f, tmp_path / f.name)
    first = crime.load_monthly(tmp_path, categories=["homicide"])
    assert crime.load_monthly(tmp_path, categories=["homicide"]) is first
    st = (tmp_path / NEWER.name).stat()
    os.utime(tmp_path / NEWER.name, ns=(st.st_atime_ns, st.st_mtime_ns + 5_000_000_000))
    assert crime.load_monthly(tmp_path, categories=["homicide"]) is not first


HEADER = ["MajorText", "MinorText", "WardName", "WardCode", "LookUp_BoroughName"]


def _write_release(path: Path, months: list[str], rows: list[tuple[str, str, str, list[int]]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(HEADER + months)
        for major, minor, ward, vals in rows:
            w.writerow([major, minor, f"Ward {ward}", ward, "Borough", *vals])


@pytest.mark.parametrize(
    "new_total, old_total, expected",
    [
        (49, 100, "old"),  # below half of the older release -> older
        (50, 100, "new"),  # exactly half -> newer
        (100, 100, "new"),
        (200, 100, "new"),
        (0, 100, "old"),
    ],
)
def test_release_rule_on_synthetic_files(tmp_path, new_total, old_total, expected):
    vwi = ("VIOLENCE AGAINST THE PERSON", "VIOLENCE WITH INJURY")
    other = ("THEFT", "OTHER THEFT")
    # Old: 202401, 202402; new: 202402, 202403. Overlap 202402, decided on ALL-category totals.
    _write_release(
        tmp_path / "old.csv",
        ["202401", "202402"],
        [(*vwi, "W1", [5, 7]), (*other, "W1", [0, old_total - 7]), (*vwi, "W2", [1, 0])],
    )
    _write_release(
        tmp_path / "new.csv",
        ["202402", "202403"],
        [(*vwi, "W1", [3, 9]), (*other, "W1", [new_total - 3, 0])] if new_total >= 3 else [(*vwi, "W1", [0, 9])],
    )
    s = crime.load_monthly(tmp_path, categories=["vwi"], releases=[("old", "old.csv"), ("new", "new.csv")])
    prov = s.provenance.set_index("month")
    assert prov.loc["2024-02", "release"] == expected
    assert prov.loc["2024-01", "release"] == "old" and prov.loc["2024-03", "release"] == "new"
    m = s.matrix("vwi")
    assert list(m.index) == ["W1", "W2"]
    w1_feb = 7 if expected == "old" else (3 if new_total >= 3 else 0)
    assert m.loc["W1"].tolist() == [5, w1_feb, 9]
    # W2 has no row in the newer release: zero there, its older count kept.
    assert m.loc["W2"].tolist() == [1, 0, 0]


def test_unknown_category_rejected():
    with pytest.raises(KeyError):
        crime.load_monthly(DATA, categories=["knife_crime"])
