"""Measure definitions and values: the matrix every need score is computed from."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import pandas as pd
import sqlalchemy as sa
from sqlalchemy import Engine, delete, func, insert
from sqlmodel import col, select

from vru_core.models import AppMeta, Borough, MeasureDefinition, MeasureValue, Ward
from vru_core.platform.audit import record
from vru_core.platform.auth import Actor, Permission, require
from vru_core.platform.csvsafe import safe_csv
from vru_core.platform.db import read_frame, session_scope
from vru_core.platform.errors import Invalid, NotFound, Problem, Refused
from vru_core.platform.inputs import check_text, parse_number, read_csv_upload
from vru_core.platform.locking import write_lock

HIGH_IS_WORSE = "high_is_worse"
LOW_IS_WORSE = "low_is_worse"
DIRECTIONS = (HIGH_IS_WORSE, LOW_IS_WORSE)
GEOGRAPHIES = ("ward", "borough")
FAMILIES = ("crime", "perceptions", "health", "deprivation", "population", "other")


@dataclass(frozen=True)
class MeasureFrame:
    """Everything scoring needs, already joined.

    wards: index ward_code; columns ward_name, borough_code, borough_name, population (float, NaN
        where unknown), in_mps_data (bool).
    measures: index measure code, in display order; columns label, family, unit, direction,
        geography, source, publisher, period, licence, notes, default_weight.
    values: index ward_code (same order as wards), columns = measures.index, float64, NaN = missing.
        Borough-level measures are already copied to every ward of their borough.
    """

    wards: pd.DataFrame
    measures: pd.DataFrame
    values: pd.DataFrame


def data_version(engine: Engine) -> str:
    """Changes whenever measures or values change: the key pages cache loaded data on."""
    bundle = select(AppMeta.value).where(AppMeta.key == "bundle_fingerprint").scalar_subquery()
    n_values = select(func.count()).select_from(MeasureValue).scalar_subquery()
    query = select(bundle, func.count(), func.max(MeasureDefinition.created_at), n_values).select_from(
        MeasureDefinition
    )
    with engine.connect() as conn:
        return ":".join(str(part) for part in conn.execute(query).one())


def list_measures(engine: Engine) -> pd.DataFrame:
    """Definitions in display order, with how many areas have a value."""
    query = (
        select(MeasureDefinition, func.count(col(MeasureValue.area_code)).label("n_values"))
        .outerjoin(MeasureValue, col(MeasureValue.measure_code) == col(MeasureDefinition.code))
        .group_by(col(MeasureDefinition.code))
        .order_by(col(MeasureDefinition.position), col(MeasureDefinition.code))
    )
    return read_frame(engine, query, [*MeasureDefinition.model_fields, "n_values"]).set_index("code")


WARD_COLUMNS = (
    "ward_code",
    "ward_name",
    "borough_code",
    "borough_name",
    "population",
    "population_lsoas",
    "in_mps_data",
)


def load_wards(engine: Engine) -> pd.DataFrame:
    query = (
        sa.select(  # seven columns: more than sqlmodel's select() is typed for
            col(Ward.code),
            col(Ward.name),
            col(Ward.borough_code),
            col(Borough.name),
            col(Ward.population),
            col(Ward.population_lsoas),
            col(Ward.in_mps_data),
        )
        .join(Borough, col(Borough.code) == col(Ward.borough_code))
        .order_by(col(Borough.name), col(Ward.name))
    )
    wards = read_frame(engine, query, WARD_COLUMNS).set_index("ward_code")
    wards["population"] = wards["population"].astype("float64")
    return wards


def borough_names(engine: Engine) -> dict[str, str]:
    """Borough code -> name, in name order."""
    with engine.connect() as conn:
        rows = conn.execute(select(col(Borough.code), col(Borough.name)).order_by(col(Borough.name))).all()
    return {row[0]: row[1] for row in rows}  # (Result.tuples() is deprecated: rows are tuples now)


def load_measure_frame(engine: Engine) -> MeasureFrame:
    """Wards x measures from the store, borough-level values copied to each ward of the borough."""
    wards = load_wards(engine)
    definitions = list_measures(engine)
    measures = definitions[[c for c in MEASURE_COLUMNS if c in definitions.columns]]
    query = select(col(MeasureValue.measure_code), col(MeasureValue.area_code), col(MeasureValue.value))
    values = read_frame(engine, query, ["measure_code", "area_code", "value"])
    wide = values.pivot(index="area_code", columns="measure_code", values="value") if len(values) else pd.DataFrame()
    matrix = pd.DataFrame(index=wards.index, columns=measures.index, dtype="float64")
    for code, geography in measures["geography"].items():
        if code not in wide.columns:
            continue
        column = wide[code]
        keys = wards["borough_code"] if geography == "borough" else wards.index.to_series()
        matrix[code] = keys.map(column).astype("float64").to_numpy()
    return MeasureFrame(wards=wards, measures=measures, values=matrix)


#: A measure's definition as the store holds it (models.MeasureDefinition): every field but notes is required.
DEFINITION_FIELDS = (
    "code",
    "label",
    "family",
    "unit",
    "direction",
    "geography",
    "source",
    "publisher",
    "period",
    "licence",
    "notes",
    "default_weight",
)
REQUIRED_DEFINITION_FIELDS = DEFINITION_FIELDS[: DEFINITION_FIELDS.index("notes")]
MEASURE_COLUMNS = (*DEFINITION_FIELDS[1:], "origin")  # the columns of MeasureFrame.measures

# ---- analysts' own measures (CSV upload) -------------------------------------------------------

MAX_UPLOAD_BYTES = 5 * 1024 * 1024


def validate_definition(definition: dict, existing_codes: set[str]) -> list[Problem]:
    problems = []
    for name in REQUIRED_DEFINITION_FIELDS:
        if not str(definition.get(name) or "").strip():
            problems.append(Problem(None, name, "is required"))
    for name in (*REQUIRED_DEFINITION_FIELDS, "notes"):
        _, problem = check_text(definition.get(name), required=False, max_length=2000)
        if problem:
            problems.append(Problem(None, name, problem))
    code = str(definition.get("code") or "")
    if code and not re.fullmatch(r"[a-z][a-z0-9_]{1,63}", code):
        problems.append(Problem(None, "code", "use 2-64 lower-case letters, digits and _ (start with a letter)"))
    if code in existing_codes:
        problems.append(Problem(None, "code", f"a measure {code!r} already exists"))
    if definition.get("direction") and definition["direction"] not in DIRECTIONS:
        problems.append(Problem(None, "direction", f"must be one of {', '.join(DIRECTIONS)}"))
    if definition.get("geography") and definition["geography"] not in GEOGRAPHIES:
        problems.append(Problem(None, "geography", f"must be one of {', '.join(GEOGRAPHIES)}"))
    if definition.get("family") and definition["family"] not in FAMILIES:
        problems.append(Problem(None, "family", f"must be one of {', '.join(FAMILIES)}"))
    weight = definition.get("default_weight", 0.0)
    if not isinstance(weight, (int, float)) or not math.isfinite(weight) or weight < 0:
        problems.append(Problem(None, "default_weight", "must be a number >= 0"))
    return problems


#: The column naming each row's area: area_code, or ward_code as the app's own exports (and the template) call it.
CODE_COLUMNS = ("area_code", "ward_code")


def _area_codes(header: list[str], geography: str) -> tuple[list[int], list[Problem]]:
    """Where the code columns are in the header, or why the header will not do."""
    at = [header.index(c) for c in CODE_COLUMNS if c in header]
    if not at:
        return at, [
            Problem(1, "area_code", "required column is missing from the header: area_code (or ward_code for wards)")
        ]
    if geography == "borough" and "area_code" not in header:
        return [], [
            Problem(1, "ward_code", "a borough-level measure needs borough codes (E09…) in an area_code column")
        ]
    return at, []


def parse_values_csv(data: bytes, *, geography: str, known_codes: set[str]) -> tuple[pd.DataFrame, list[Problem]]:
    """Read `area_code,value` (or `ward_code,value`) rows, other columns ignored, listing every problem found.

    A file with both area_code and ward_code is read when they agree on every row; a row where they differ
    is refused by its line (which one is meant cannot be known)."""
    table = read_csv_upload(data, max_bytes=MAX_UPLOAD_BYTES, required=("value",))
    header = table.header
    code_at, header_problems = _area_codes(header, geography) if header else ([], [])
    problems: list[Problem] = [*table.problems, *header_problems]
    if not table.ok or header_problems:
        return pd.DataFrame(columns=["area_code", "value", "line"]), problems
    value_at = header.index("value")
    rows: list[dict] = []
    seen: dict[str, int] = {}
    kind = "ward" if geography == "ward" else "borough"
    for line_no, cells in table.rows:
        if len(cells) != len(header):  # more cells is often an unquoted "1,200": never guess which one is meant
            problems.append(Problem(line_no, "row", f"has {len(cells)} cells, the header has {len(header)}"))
            continue
        given = list(dict.fromkeys(code for code in (cells[i].strip() for i in code_at) if code))
        code = given[0] if given else ""
        raw = cells[value_at].strip()
        if len(given) > 1:
            problems.append(
                Problem(
                    line_no,
                    "ward_code",
                    f"{given[1]!r} differs from area_code {given[0]!r}: keep one, or make them agree",
                )
            )
        elif code not in known_codes:
            problems.append(Problem(line_no, "area_code", f"{code!r} is not a known {kind} code (May 2022 {kind}s)"))
        elif code in seen:
            problems.append(Problem(line_no, "area_code", f"{code!r} already given on row {seen[code]}"))
        else:
            seen[code] = line_no
        if raw == "":
            continue  # a missing value is allowed: it is simply never flagged
        value, problem = parse_number(raw)
        if problem or value is None:
            problems.append(Problem(line_no, "value", problem or f"{raw!r} is not a number"))
            continue
        rows.append({"area_code": code, "value": value, "line": line_no})
    if not rows and not problems:
        problems.append(Problem(None, "file", "has no values"))
    return pd.DataFrame(rows, columns=["area_code", "value", "line"]), problems


def values_template(engine: Engine, *, geography: str = "ward") -> bytes:
    """A CSV to fill in: every ward (ward_code, ward_name, borough_name) or borough (area_code, borough_name),
    and an empty value column. Names are formula-safe (vru_core.platform.csvsafe); the upload ignores them."""
    if geography == "ward":
        wards = load_wards(engine).reset_index()
        table = wards[["ward_code", "ward_name", "borough_name"]].sort_values(
            ["borough_name", "ward_name", "ward_code"]
        )
    else:
        table = pd.DataFrame(list(borough_names(engine).items()), columns=["area_code", "borough_name"])
    return safe_csv(table.assign(value=""))


def add_measure(*, engine: Engine, actor: Actor, definition: dict, data: bytes) -> int:
    """Validate an analyst's measure and its values, then store both in one transaction (or nothing)."""
    require(actor, Permission.MEASURES_WRITE)
    definition = {k: (v.strip() if isinstance(v, str) else v) for k, v in definition.items()}
    definition.setdefault("notes", "")
    definition.setdefault("default_weight", 0.0)  # joins the default profile switched off, unless chosen
    with session_scope(engine) as session:
        existing = set(session.exec(select(MeasureDefinition.code)).all())
        table = Ward if definition.get("geography") == "ward" else Borough
        known = set(session.exec(select(table.code)).all())
    problems = validate_definition(definition, existing)
    values, value_problems = parse_values_csv(data, geography=definition.get("geography", "ward"), known_codes=known)
    problems += value_problems
    if problems:
        raise Invalid(problems)
    with session_scope(engine) as session:
        write_lock(session, "measures.add")  # two analysts adding one code at once: the second is told
        if session.get(MeasureDefinition, definition["code"]) is not None:
            raise Invalid([Problem(None, "code", f"a measure {definition['code']!r} already exists")])
        position = (session.exec(select(func.max(MeasureDefinition.position))).one() or 0) + 1
        fields = {k: definition[k] for k in DEFINITION_FIELDS}
        session.add(MeasureDefinition(**fields, position=position, origin="uploaded", created_by=actor.username))
        session.flush()
        session.execute(
            insert(MeasureValue),
            [{"measure_code": fields["code"], "area_code": r.area_code, "value": r.value} for r in values.itertuples()],
        )
        record(
            session,
            actor=actor,
            action="create",
            entity_type="measure",
            entity_id=fields["code"],
            after={**fields, "n_values": len(values)},
        )
    return len(values)


def delete_measure(*, engine: Engine, actor: Actor, code: str) -> None:
    """Remove an uploaded measure; bundled ones come from the data files and stay."""
    require(actor, Permission.MEASURES_WRITE)
    with session_scope(engine) as session:
        measure = session.get(MeasureDefinition, code)
        if measure is None:
            raise NotFound(f"No measure {code!r}")
        if measure.origin != "uploaded":
            raise Refused(f"{code!r} comes with the bundled data and cannot be deleted")
        before = measure.model_dump()
        session.execute(delete(MeasureValue).where(col(MeasureValue.measure_code) == code))
        session.delete(measure)
        record(session, actor=actor, action="delete", entity_type="measure", entity_id=code, before=before)
