"""Bundled data -> store. Idempotent: reloads only when the bundled files (or this loader) change.

Run `python -m vru_core.needs.load` (add `--force` to reload anyway); the app calls `ensure_loaded` on start.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from sqlalchemy import Engine, delete, insert, select

from vru_core.models import AppMeta, Borough, MeasureDefinition, MeasureValue, Ward
from vru_core.platform.config import get_settings
from vru_core.platform.db import get_engine, session_scope, upgrade
from vru_core.platform.errors import StoreReadOnly

LOADER_VERSION = "1"
FINGERPRINT_KEY = "bundle_fingerprint"

WARDS_FILE = "london_wards_2022.geojson"
BOROUGHS_FILE = "london_boroughs.geojson"
POPULATION_FILE = "ward_population_census2021.csv"
IMD_FILE = "ward_imd2025.csv"
LOW_INCOME_FILE = "ward_children_low_income_fye2015_2023.csv"
UNEMPLOYMENT_FILE = "borough_unemployment_rate_2023_2024.csv"
CRIME_FILES = ("mps_ward_crime_202307_202506.csv", "mps_ward_crime_202403_202603.csv")
BUNDLED_FILES = (WARDS_FILE, BOROUGHS_FILE, POPULATION_FILE, IMD_FILE, LOW_INCOME_FILE, UNEMPLOYMENT_FILE, *CRIME_FILES)

OGL = "Open Government Licence v3.0"
BEST_FIT_NOTE = (
    "Summarised from LSOAs with the ONS LSOA 2021 to ward best-fit lookup, so ward figures are "
    "approximate (rougher for wards with 3 or fewer LSOAs). 20 City of London wards receive no "
    "best-fit LSOA and are missing."
)


class DataFileError(ValueError):
    """A bundled or uploaded data file that cannot be loaded; the message names file, row and code."""


@dataclass
class LoadReport:
    loaded: bool
    fingerprint: str
    boroughs: int = 0
    wards: int = 0
    measures: int = 0
    values: int = 0
    notes: list[str] = field(default_factory=list)


def bundle_fingerprint(data_dir: Path) -> str:
    digest = hashlib.sha256(LOADER_VERSION.encode())
    for name in BUNDLED_FILES:
        digest.update(name.encode())
        digest.update((data_dir / name).read_bytes())
    return digest.hexdigest()[:16]


def check_codes(frame: pd.DataFrame, column: str, known: set[str], file: str) -> None:
    """Refuse a file holding codes we do not know, naming each row (file line number) and code."""
    unknown = frame.loc[~frame[column].isin(known), column]
    if len(unknown):
        shown = ", ".join(f"line {int(i) + 2}: {code!r}" for i, code in unknown.head(10).items())
        more = f" (and {len(unknown) - 10} more)" if len(unknown) > 10 else ""
        raise DataFileError(f"{file}: unknown {column} {shown}{more}")


def _read_geo(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["features"]


def read_geography(data_dir: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Boroughs and wards (with GeoJSON geometry text) from the bundled boundary files."""
    boroughs = pd.DataFrame(
        [
            {
                "code": f["properties"]["borough_code"],
                "name": f["properties"]["borough_name"],
                "geometry": json.dumps(f["geometry"], separators=(",", ":")),
            }
            for f in _read_geo(data_dir / BOROUGHS_FILE)
        ]
    )
    wards = pd.DataFrame(
        [
            {
                "code": f["properties"]["ward_code"],
                "name": f["properties"]["ward_name"],
                "borough_code": f["properties"]["borough_code"],
                "in_mps_data": bool(f["properties"]["in_mps_crime_data"]),
                "geometry": json.dumps(f["geometry"], separators=(",", ":")),
            }
            for f in _read_geo(data_dir / WARDS_FILE)
        ]
    )
    check_codes(wards, "borough_code", set(boroughs["code"]), WARDS_FILE)
    population = pd.read_csv(data_dir / POPULATION_FILE, dtype={"ward_code": str})
    check_codes(population, "ward_code", set(wards["code"]), POPULATION_FILE)
    population = population.set_index("ward_code")
    wards["population"] = wards["code"].map(population["usual_residents"])
    wards["population_lsoas"] = wards["code"].map(population["n_lsoas"])
    return boroughs, wards


def _definition(
    code: str,
    label: str,
    family: str,
    unit: str,
    direction: str,
    geography: str,
    source: str,
    publisher: str,
    period: str,
    notes: str,
    default_weight: float = 1.0,
    licence: str = OGL,
) -> dict:
    return {
        "code": code,
        "label": label,
        "family": family,
        "unit": unit,
        "direction": direction,
        "geography": geography,
        "source": source,
        "publisher": publisher,
        "period": period,
        "licence": licence,
        "notes": notes,
        "default_weight": default_weight,
    }


def other_measures(data_dir: Path, ward_codes: set[str], borough_codes: set[str]) -> list[tuple[dict, pd.Series]]:
    """Every non-crime ward or borough measure in the bundle, as (definition, values by area code)."""
    out: list[tuple[dict, pd.Series]] = []

    imd = pd.read_csv(data_dir / IMD_FILE, dtype={"ward_code": str})
    check_codes(imd, "ward_code", ward_codes, IMD_FILE)
    imd = imd.set_index("ward_code")
    imd_source = "English Indices of Deprivation 2025, File 1 (IMD rank by LSOA 2021), summarised to ward"
    mhclg = "Ministry of Housing, Communities & Local Government"
    out.append(
        (
            _definition(
                "imd_rank",
                "Deprivation: population-weighted mean IMD rank",
                "deprivation",
                "rank of 33,755 LSOAs (1 = most deprived)",
                "low_is_worse",
                "ward",
                imd_source,
                mhclg,
                "IMD 2025",
                "Rank-based (File 1 has no scores). " + BEST_FIT_NOTE,
            ),
            imd["imd2025_popweighted_mean_rank"],
        )
    )
    out.append(
        (
            _definition(
                "imd_pct_most_deprived_10",
                "Deprivation: % of residents in England's most deprived 10% of LSOAs",
                "deprivation",
                "% of residents",
                "high_is_worse",
                "ward",
                imd_source,
                mhclg,
                "IMD 2025",
                BEST_FIT_NOTE,
            ),
            imd["pct_pop_in_most_deprived_10pct"],
        )
    )

    income = pd.read_csv(data_dir / LOW_INCOME_FILE, dtype={"ward_code": str})
    check_codes(income, "ward_code", ward_codes, LOW_INCOME_FILE)
    latest = int(income["fye"].max())
    income = income[income["fye"] == latest].set_index("ward_code")
    out.append(
        (
            _definition(
                "children_low_income_u16",
                "Children under 16 in low-income families (%)",
                "deprivation",
                "% of children under 16",
                "high_is_worse",
                "ward",
                "Children in low income families (relative low income, before housing costs), local area statistics",
                "DWP/HMRC, compiled by the GLA for the London Datastore",
                f"Financial year ending {latest} ({latest - 1}/{str(latest)[2:]}, provisional)",
                "Suppressed or nil cells are missing. No data for Stratford Olympic Park (E05013925). "
                "Rates use ONS ward population estimates.",
            ),
            income["children_low_income_u16_pct"],
        )
    )

    population = pd.read_csv(data_dir / POPULATION_FILE, dtype={"ward_code": str}).set_index("ward_code")
    out.append(
        (
            _definition(
                "pct_aged_under_25",
                "Residents aged under 25 (%)",
                "population",
                "% of residents",
                "high_is_worse",
                "ward",
                "Census 2021 usual residents by age (6 bands), LSOA best fit to ward",
                "Office for National Statistics",
                "Census 2021 (March 2021)",
                "Context, not harm: a high share of children and young people means more potential "
                "demand for youth provision. Off (weight 0) by default. " + BEST_FIT_NOTE,
                default_weight=0.0,
            ),
            population["pct_aged_0_15"] + population["pct_aged_16_24"],
        )
    )

    unemployment = pd.read_csv(data_dir / UNEMPLOYMENT_FILE, dtype={"area_code": str})
    unemployment = unemployment[unemployment["area_code"] != "E12000007"]  # the London total row
    check_codes(unemployment, "area_code", borough_codes, UNEMPLOYMENT_FILE)
    period = sorted(unemployment["period"].unique())[-1]
    unemployment = unemployment[unemployment["period"] == period].set_index("area_code")
    out.append(
        (
            _definition(
                "unemployment_rate",
                "Unemployment rate (borough)",
                "deprivation",
                "% of economically active 16-64",
                "high_is_worse",
                "borough",
                "ONS model-based estimates of unemployment (Nomis), via Trust for London / WPI Economics, "
                "London's Poverty Profile 2025",
                "Office for National Statistics",
                f"{period} (12 months October to September)",
                "Borough figure applied to every ward of the borough: it cannot tell wards of one borough "
                "apart. Not published for the City of London.",
            ),
            unemployment["unemployment_rate_pct"],
        )
    )
    return out


def build_measures(data_dir: Path, wards: pd.DataFrame, boroughs: pd.DataFrame) -> list[tuple[dict, pd.Series]]:
    """All bundled measures in display order: crime first, then the rest."""
    from vru_core.needs.crime import derive_crime_measures, load_monthly

    for name in CRIME_FILES:
        codes = pd.read_csv(data_dir / name, usecols=["WardCode"], dtype=str)
        check_codes(codes, "WardCode", set(wards["code"]), name)
    population = wards.set_index("code")["population"].astype(float)
    crime_values, crime_definitions = derive_crime_measures(load_monthly(data_dir), population)
    measures = [(d, crime_values[d["code"]]) for d in crime_definitions]
    return measures + other_measures(data_dir, set(wards["code"]), set(boroughs["code"]))


def load_bundled(engine: Engine, *, force: bool = False, data_dir: Path | None = None) -> LoadReport:
    """Load (or reload) the bundle in one transaction; uploaded measures are never touched."""
    data_dir = data_dir or get_settings().bundled_data_dir
    fingerprint = bundle_fingerprint(data_dir)
    with session_scope(engine) as session:
        current = session.get(AppMeta, FINGERPRINT_KEY)
        if current is not None and current.value == fingerprint and not force:
            return LoadReport(loaded=False, fingerprint=fingerprint)

    boroughs, wards = read_geography(data_dir)
    measures = build_measures(data_dir, wards, boroughs)
    report = LoadReport(loaded=True, fingerprint=fingerprint, boroughs=len(boroughs), wards=len(wards))

    with session_scope(engine) as session:
        for row in boroughs.to_dict("records"):
            session.merge(Borough(**row))
        session.flush()
        for row in wards.to_dict("records"):
            row["population"] = None if pd.isna(row["population"]) else int(row["population"])
            row["population_lsoas"] = None if pd.isna(row["population_lsoas"]) else int(row["population_lsoas"])
            session.merge(Ward(**row))
        session.flush()
        bundled = select(MeasureDefinition.code).where(MeasureDefinition.origin == "bundled")
        session.execute(delete(MeasureValue).where(MeasureValue.measure_code.in_(bundled)))
        session.execute(delete(MeasureDefinition).where(MeasureDefinition.origin == "bundled"))
        session.flush()
        value_rows = []
        for position, (definition, values) in enumerate(measures):
            session.add(MeasureDefinition(**definition, position=position, origin="bundled", created_by="loader"))
            value_rows += [
                {"measure_code": definition["code"], "area_code": str(code), "value": float(v)}
                for code, v in values.items()
                if v is not None and not (isinstance(v, float) and math.isnan(v))
            ]
        session.flush()
        if value_rows:
            session.execute(insert(MeasureValue), value_rows)
        session.merge(AppMeta(key=FINGERPRINT_KEY, value=fingerprint))
        report.measures = len(measures)
        report.values = len(value_rows)
    return report


def ensure_loaded(engine: Engine) -> LoadReport:
    """What the app runs on start: migrate, then load the bundle if it is new or changed.

    A read-only (or full) store keeps what it has: the pages read it and say why nothing can be saved."""
    upgrade(engine)
    try:
        return load_bundled(engine)
    except StoreReadOnly:
        return LoadReport(loaded=False, fingerprint="")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Load the bundled London data into the VRU Hub store.")
    parser.add_argument("--force", action="store_true", help="reload even if the bundle is unchanged")
    args = parser.parse_args(argv)
    engine = get_engine()
    upgrade(engine)
    try:
        report = load_bundled(engine, force=args.force)
    except DataFileError as exc:
        print(f"error: {exc}")
        return 1
    if report.loaded:
        print(
            f"Loaded bundle {report.fingerprint}: {report.boroughs} boroughs, {report.wards} wards, "
            f"{report.measures} measures, {report.values} values."
        )
    else:
        print(f"Bundle {report.fingerprint} already loaded; nothing to do (use --force to reload).")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
