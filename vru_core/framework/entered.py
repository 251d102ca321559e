"""Entered indicator values: typed in a form or uploaded as CSV, validated as a whole, saved in one go.

Every problem in an upload is reported (row, field, message) and nothing is written unless every
row is clean. A value for an indicator, period and area that already exists is replaced, and the
replacement is listed before saving and recorded in the audit log with the old value.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import re
from dataclasses import dataclass, field

from sqlalchemy import Engine
from sqlmodel import select

from vru_core.framework.computed import LONDON
from vru_core.models import Borough, Indicator, IndicatorValue
from vru_core.platform.audit import record
from vru_core.platform.auth import Actor, Permission, require
from vru_core.platform.db import session_scope

CSV_COLUMNS = ("indicator_code", "period", "value", "source", "source_date", "area_code", "note")
REQUIRED_COLUMNS = ("indicator_code", "period", "value", "source", "source_date")
PERIOD_RE = re.compile(r"^(\d{4})-(\d{2})$")
TEMPLATE = (
    "indicator_code,period,value,source,source_date,area_code,note\n"
    "youth_good_opinion_police,2025-12,55,MOPAC Youth Voice Survey 2025,2026-02-15,london,\n"
)


@dataclass(frozen=True)
class Problem:
    row: int  # 1 = the first data row (line 2 of a CSV file)
    field: str
    message: str

    def __str__(self) -> str:
        return f"row {self.row}, {self.field}: {self.message}"


class ValuesInvalid(ValueError):
    """Raised with every problem found; nothing has been written."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems))


@dataclass
class CheckedValues:
    rows: list[dict] = field(default_factory=list)  # clean rows ready to save
    problems: list[Problem] = field(default_factory=list)
    replaces: list[dict] = field(default_factory=list)  # existing values the rows would replace

    @property
    def ok(self) -> bool:
        return not self.problems


def parse_period(text: str) -> str:
    """ "YYYY-MM" (the month the period ends), month 01..12, years 1990..2100; raises ValueError."""
    m = PERIOD_RE.match(text.strip())
    if not m or not 1 <= int(m.group(2)) <= 12 or not 1990 <= int(m.group(1)) <= 2100:
        raise ValueError(f"{text!r} is not a period: use YYYY-MM, the month the period ends (e.g. 2026-03)")
    return text.strip()


def read_csv(content: bytes | str) -> list[dict]:
    """CSV text -> row dicts (column names lower-cased and trimmed). Missing columns are a problem row 0."""
    text = content.decode("utf-8-sig") if isinstance(content, bytes) else content
    reader = csv.DictReader(io.StringIO(text))
    fields = [f.strip().lower() for f in reader.fieldnames or []]
    missing = [c for c in REQUIRED_COLUMNS if c not in fields]
    if missing:
        raise ValuesInvalid([Problem(0, c, "column missing from the file") for c in missing])
    return [{k.strip().lower(): (v or "").strip() for k, v in row.items() if k is not None} for row in reader]


def check_values(engine: Engine, rows: list[dict]) -> CheckedValues:
    """Validate every row; nothing is written. Rows are dicts with the CSV_COLUMNS keys (strings or typed)."""
    out = CheckedValues()
    with engine.connect() as conn:
        indicators = {r.code: r for r in conn.execute(select(Indicator.code, Indicator.kind, Indicator.name)).all()}
        boroughs = set(conn.execute(select(Borough.code)).scalars())
        existing = {
            (r.indicator_code, r.period, r.area_code): r
            for r in conn.execute(
                select(
                    IndicatorValue.indicator_code, IndicatorValue.period, IndicatorValue.area_code, IndicatorValue.value
                )
            ).all()
        }
    if not rows:
        out.problems.append(Problem(0, "file", "no rows to save"))
    seen: dict[tuple, int] = {}
    for i, raw in enumerate(rows, start=1):
        problems: list[Problem] = []
        code = str(raw.get("indicator_code") or "").strip()
        if not code:
            problems.append(Problem(i, "indicator_code", "missing"))
        elif code not in indicators:
            problems.append(Problem(i, "indicator_code", f"unknown indicator {code!r}"))
        elif indicators[code].kind != "entered":
            problems.append(
                Problem(i, "indicator_code", f"{code!r} is not entered by hand: its values are {indicators[code].kind}")
            )
        period = None
        try:
            period = parse_period(str(raw.get("period") or ""))
        except ValueError as exc:
            problems.append(Problem(i, "period", str(exc)))
        value = _number(raw.get("value"))
        if value is None:
            problems.append(Problem(i, "value", f"{raw.get('value')!r} is not a number"))
        source = str(raw.get("source") or "").strip()
        if not source:
            problems.append(Problem(i, "source", "say where the figure comes from"))
        source_date = _date(raw.get("source_date"))
        if source_date is None:
            problems.append(
                Problem(
                    i, "source_date", f"{raw.get('source_date')!r} is not a date (YYYY-MM-DD): when was it published?"
                )
            )
        area = str(raw.get("area_code") or "").strip() or LONDON
        if area != LONDON and area not in boroughs:
            problems.append(Problem(i, "area_code", f"{area!r} is neither 'london' nor a borough code"))
        if problems:
            out.problems.extend(problems)
            continue
        key = (code, period, area)
        if key in seen:
            out.problems.append(Problem(i, "period", f"same indicator, period and area as row {seen[key]}"))
            continue
        seen[key] = i
        row = {
            "indicator_code": code,
            "period": period,
            "area_code": area,
            "value": value,
            "source": source,
            "source_date": source_date,
            "note": str(raw.get("note") or "").strip(),
        }
        out.rows.append(row)
        if key in existing:
            out.replaces.append({**row, "row": i, "old_value": existing[key].value})
    return out


def _number(v) -> float | None:
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        f = float(v)
    else:
        try:
            f = float(str(v).strip())
        except (TypeError, ValueError):
            return None
    return f if math.isfinite(f) else None


def _date(v) -> dt.date | None:
    if isinstance(v, dt.datetime):
        return v.date()
    if isinstance(v, dt.date):
        return v
    try:
        return dt.date.fromisoformat(str(v).strip())
    except ValueError:
        return None


def save_values(*, engine: Engine, actor: Actor, rows: list[dict]) -> CheckedValues:
    """Check all rows, then write all of them (new or replacing) with an audit entry each, or none."""
    require(actor, Permission.INDICATORS_WRITE)
    checked = check_values(engine, rows)
    if not checked.ok:
        raise ValuesInvalid(checked.problems)
    with session_scope(engine) as session:
        for row in checked.rows:
            current = session.exec(
                select(IndicatorValue).where(
                    IndicatorValue.indicator_code == row["indicator_code"],
                    IndicatorValue.period == row["period"],
                    IndicatorValue.area_code == row["area_code"],
                )
            ).first()
            before = None
            if current is None:
                current = IndicatorValue(**row, entered_by=actor.username)
            else:
                before = _snapshot(current)
                for k, v in row.items():
                    setattr(current, k, v)
                current.entered_by = actor.username
                current.entered_at = dt.datetime.now(dt.UTC)
            session.add(current)
            session.flush()
            record(
                session,
                actor=actor,
                action="create" if before is None else "update",
                entity_type="indicator_value",
                entity_id=current.id,
                before=before,
                after=_snapshot(current),
            )
    return checked


def _snapshot(v: IndicatorValue) -> dict:
    return {
        "indicator_code": v.indicator_code,
        "period": v.period,
        "area_code": v.area_code,
        "value": v.value,
        "source": v.source,
        "source_date": v.source_date,
        "note": v.note,
    }


def delete_value(*, engine: Engine, actor: Actor, indicator_code: str, period: str, area_code: str = LONDON) -> None:
    require(actor, Permission.INDICATORS_WRITE)
    with session_scope(engine) as session:
        current = session.exec(
            select(IndicatorValue).where(
                IndicatorValue.indicator_code == indicator_code,
                IndicatorValue.period == period,
                IndicatorValue.area_code == area_code,
            )
        ).first()
        if current is None:
            raise KeyError(f"no value for {indicator_code} {period} {area_code}")
        record(
            session,
            actor=actor,
            action="delete",
            entity_type="indicator_value",
            entity_id=current.id,
            before=_snapshot(current),
        )
        session.delete(current)
