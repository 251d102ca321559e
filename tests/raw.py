"""Figures read straight from the raw files in data/ (json and csv modules, no project code), so that
tests compare the app with the data instead of with numbers typed into the tests."""

from __future__ import annotations

import csv
import functools
import json
import re
from pathlib import Path

from vru_core.platform.config import REPO_ROOT

DATA = REPO_ROOT / "data"
WARDS_FILE = DATA / "london_wards_2022.geojson"
BOROUGHS_FILE = DATA / "london_boroughs.geojson"
POPULATION_FILE = DATA / "ward_population_census2021.csv"
OLDER = DATA / "mps_ward_crime_202307_202506.csv"  # the two MPS releases, oldest first
NEWER = DATA / "mps_ward_crime_202403_202603.csv"
_MONTH = re.compile(r"^\d{6}$")


def rows(path: Path) -> list[dict[str, str]]:
    return _rows(str(path))


@functools.cache
def _rows(path: str) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@functools.cache
def ward_properties() -> dict[str, dict]:
    """Ward code -> the boundary file's properties (ward_name, borough_code, in_mps_crime_data, ...)."""
    features = json.loads(WARDS_FILE.read_text(encoding="utf-8"))["features"]
    return {f["properties"]["ward_code"]: f["properties"] for f in features}


def n_wards() -> int:
    return len(ward_properties())


def n_boroughs() -> int:
    return len(json.loads(BOROUGHS_FILE.read_text(encoding="utf-8"))["features"])


def mps_wards() -> set[str]:
    """Every ward code in either MPS release."""
    return {r["WardCode"] for path in (OLDER, NEWER) for r in rows(path)}


def unpoliced_boroughs() -> set[str]:
    """Boroughs none of whose wards is in the MPS data (the City of London, policed by its own force)."""
    props = ward_properties().values()
    policed = {p["borough_code"] for p in props if p["ward_code"] in mps_wards()}
    return {p["borough_code"] for p in props} - policed


def population() -> dict[str, float | None]:
    """Census 2021 usual residents by ward code (None where the file leaves it blank)."""
    return {
        r["ward_code"]: float(r["usual_residents"]) if r["usual_residents"] else None for r in rows(POPULATION_FILE)
    }


def month_columns(path: Path) -> list[str]:
    """A release's YYYYMM columns, in file order."""
    return [c for c in rows(path)[0] if _MONTH.match(c)]


def all_months() -> list[str]:
    """Every month either release covers, "YYYY-MM", ascending."""
    return sorted({f"{c[:4]}-{c[4:]}" for path in (OLDER, NEWER) for c in month_columns(path)})


def non_blank(path: Path, column: str) -> int:
    return sum(1 for r in rows(path) if r[column].strip())
