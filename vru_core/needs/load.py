"""Bundled data -> store. Idempotent: reloads only when the bundled files (or this loader) change.

The measures come from the registry in :mod:`vru_core.needs.sources` (one module per source); this
module reads the boundaries, asks the registry for every measure and writes all of it in one transaction.

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
from sqlalchemy import Engine, delete, insert
from sqlmodel import Session, col, select

from vru_core.models import AppMeta, Borough, MeasureDefinition, MeasureValue, Ward
from vru_core.needs import sources
from vru_core.needs.sources import population as population_source
from vru_core.needs.sources.base import Bundle, DataFileError, check_codes
from vru_core.platform.config import get_settings
from vru_core.platform.db import get_engine, session_scope, upgrade
from vru_core.platform.errors import StoreReadOnly

LOADER_VERSION = "1"
FINGERPRINT_KEY = "bundle_fingerprint"

WARDS_FILE = "london_wards_2022.geojson"
BOROUGHS_FILE = "london_boroughs.geojson"


def bundled_files() -> tuple[str, ...]:
    """Every file a load reads: the boundaries, then each registered source's files."""
    return (WARDS_FILE, BOROUGHS_FILE, *(f.name for f in sources.DATA_FILES))


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
    for name in bundled_files():
        digest.update(name.encode())
        digest.update((data_dir / name).read_bytes())
    return digest.hexdigest()[:16]


def _read_geo(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["features"]


def read_geography(data_dir: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Boroughs and wards (with GeoJSON geometry text and Census 2021 population) from the bundled files."""
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
    population = population_source.FILE.read(data_dir, set(wards["code"]), columns=("usual_residents", "n_lsoas"))
    population = population.set_index("ward_code")
    wards["population"] = wards["code"].map(population["usual_residents"])
    wards["population_lsoas"] = wards["code"].map(population["n_lsoas"])
    return boroughs, wards


def build_measures(data_dir: Path, wards: pd.DataFrame, boroughs: pd.DataFrame) -> list[tuple[dict, pd.Series]]:
    """Every registered measure in display order, as (definition, values by area code)."""
    return sources.derive(Bundle(data_dir, wards, boroughs))


def _whole(value: object) -> int | None:
    return None if pd.isna(value) else int(value)  # type: ignore[call-overload]


def _write(session: Session, boroughs: pd.DataFrame, wards: pd.DataFrame, measures: list) -> int:
    """Replace the geography and every bundled measure (uploaded ones stay); returns the number of values."""
    for row in boroughs.to_dict("records"):
        session.merge(Borough(**row))
    session.flush()
    for row in wards.to_dict("records"):
        row["population"], row["population_lsoas"] = _whole(row["population"]), _whole(row["population_lsoas"])
        session.merge(Ward(**row))
    session.flush()
    bundled = select(MeasureDefinition.code).where(col(MeasureDefinition.origin) == "bundled")
    session.execute(delete(MeasureValue).where(col(MeasureValue.measure_code).in_(bundled)))
    session.execute(delete(MeasureDefinition).where(col(MeasureDefinition.origin) == "bundled"))
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
    return len(value_rows)


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
        report.values = _write(session, boroughs, wards, measures)
        report.measures = len(measures)
        session.merge(AppMeta(key=FINGERPRINT_KEY, value=fingerprint))
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
