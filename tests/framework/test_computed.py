"""Computed indicators against sums done here on the raw MPS CSVs (csv module, release rule restated)."""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from pathlib import Path

import pytest

from vru_core.framework.computed import computed_values

DATA = Path(__file__).resolve().parents[2] / "data"
RELEASES = [DATA / "mps_ward_crime_202307_202506.csv", DATA / "mps_ward_crime_202403_202603.csv"]  # oldest first
CATEGORY = {
    "vwi": ("VIOLENCE AGAINST THE PERSON", {"VIOLENCE WITH INJURY"}),
    "robbery_personal": ("ROBBERY", {"ROBBERY OF PERSONAL PROPERTY"}),
    "weapons": ("POSSESSION OF WEAPONS", None),
    "sexual": ("SEXUAL OFFENCES", None),
}


@pytest.fixture(scope="module")
def raw() -> dict:
    """Per month: the release the documented rule picks, and per category the ward counts from it."""
    releases = []
    for path in RELEASES:
        with path.open(newline="", encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh))
        months = [c for c in rows[0] if c.isdigit() and len(c) == 6]
        releases.append((rows, months))
    # The rule: newest release, unless its London total (all categories) for the month is below half of
    # the older release's total for that month.
    totals = [{m: sum(int(r[m] or 0) for r in rows) for m in months} for rows, months in releases]
    chosen = {}
    for m in sorted({m for _, months in releases for m in months}):
        having = [i for i, (_, months) in enumerate(releases) if m in months]
        best = max(totals[i][m] for i in having)
        chosen[m] = next(i for i in reversed(having) if totals[i][m] >= 0.5 * best)
    counts: dict = {cat: defaultdict(lambda: defaultdict(int)) for cat in CATEGORY}  # cat -> month -> ward -> n
    for m, i in chosen.items():
        rows, _ = releases[i]
        for r in rows:
            for cat, (major, minors) in CATEGORY.items():
                if r["MajorText"] == major and (minors is None or r["MinorText"] in minors):
                    counts[cat][m][r["WardCode"]] += int(r[m] or 0)
    return {"months": sorted(chosen), "counts": counts}


@pytest.fixture(scope="module")
def ward_borough() -> dict[str, str]:
    features = json.loads((DATA / "london_wards_2022.geojson").read_text(encoding="utf-8"))["features"]
    return {f["properties"]["ward_code"]: f["properties"]["borough_code"] for f in features}


def _label(yyyymm: str) -> str:
    return f"{yyyymm[:4]}-{yyyymm[4:]}"


def _window(raw, end_index: int) -> list[str]:
    return raw["months"][end_index - 11 : end_index + 1]


@pytest.mark.parametrize("category", list(CATEGORY))
@pytest.mark.parametrize("end", [11, 20, 23, -1])  # the first full window, around the release overlap, the latest
def test_london_rolling_sum(loaded_engine, raw, category, end):
    end = end % len(raw["months"])
    months = _window(raw, end)
    expected = sum(sum(raw["counts"][category][m].values()) for m in months)
    values = computed_values(loaded_engine, f"crime_rolling12:{category}")
    got = values[(values["area_code"] == "london") & (values["period"] == _label(months[-1]))]["value"]
    assert len(got) == 1
    assert got.iloc[0] == expected


@pytest.mark.parametrize("category", ["vwi", "weapons"])
@pytest.mark.parametrize("borough", ["E09000033", "E09000017", "E09000022"])  # Westminster, Hillingdon, Lambeth
def test_borough_rolling_sum_uses_the_store_borough(loaded_engine, raw, ward_borough, category, borough):
    months = _window(raw, len(raw["months"]) - 1)
    expected = sum(
        n for m in months for ward, n in raw["counts"][category][m].items() if ward_borough.get(ward) == borough
    )
    values = computed_values(loaded_engine, f"crime_rolling12:{category}")
    got = values[(values["area_code"] == borough) & (values["period"] == _label(months[-1]))]["value"]
    assert got.iloc[0] == expected


def test_first_value_is_the_first_full_window(loaded_engine, raw):
    values = computed_values(loaded_engine, "crime_rolling12:vwi")
    london = values[values["area_code"] == "london"]
    assert london["period"].min() == _label(raw["months"][11])
    assert london["period"].max() == _label(raw["months"][-1])
    assert len(london) == len(raw["months"]) - 11


def test_every_area_is_london_or_a_borough_of_the_boundary_file(loaded_engine, ward_borough):
    """No MPS pseudo-borough such as "Aviation Security (SO18)": Heathrow Villages counts in Hillingdon."""
    assert ward_borough["E05013570"] == "E09000017"
    values = computed_values(loaded_engine, "crime_rolling12:vwi")
    assert set(values["area_code"]) - {"london"} <= set(ward_borough.values())
    assert "E09000017" in set(values["area_code"])


@pytest.mark.parametrize("end", [11, -1])
def test_concentration_share_in_top_tenth_of_wards(loaded_engine, raw, end):
    end = end % len(raw["months"])
    months = _window(raw, end)
    per_ward = defaultdict(int)
    for m in months:
        for ward, n in raw["counts"]["vwi"][m].items():
            per_ward[ward] += n
    ordered = sorted(per_ward.values(), reverse=True)
    k = 0.10 * len(ordered)  # a fractional ward counts pro rata
    whole = int(k)
    top = sum(ordered[:whole]) + (k - whole) * (ordered[whole] if whole < len(ordered) else 0)
    expected = top / sum(ordered) * 100
    values = computed_values(loaded_engine, "concentration:vwi:10")
    got = values[values["period"] == _label(months[-1])]["value"].iloc[0]
    assert got == pytest.approx(expected, rel=1e-9)
