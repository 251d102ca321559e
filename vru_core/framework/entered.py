"""Entered indicator values: typed in a form or uploaded as CSV, validated as a whole, saved in one go.

Every problem in an upload is reported (row, field, message) and nothing is written unless every
row is clean. A value for an indicator, period and area that already exists is replaced, and the
replacement is listed before saving and recorded in the audit log with the old value. The save names
the versions the analyst was shown (`CheckedValues.versions`): a value changed by a colleague since
is a conflict, not an overwrite.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from sqlalchemy import Engine
from sqlmodel import select

from vru_core.framework.computed import LONDON
from vru_core.models import Borough, Indicator, IndicatorValue
from vru_core.platform.audit import record, record_save, snapshot
from vru_core.platform.auth import Actor, Permission, require
from vru_core.platform.db import session_scope
from vru_core.platform.errors import Invalid, NotFound, Problem, Stale
from vru_core.platform.inputs import (
    check_text,
    date_in_range,
    latest_date,
    parse_iso_date,
    parse_number,
    read_csv_upload,
)
from vru_core.platform.locking import advance_version, claim, write_lock

CSV_COLUMNS = ("indicator_code", "period", "value", "source", "source_date", "area_code", "note")
REQUIRED_COLUMNS = ("indicator_code", "period", "value", "source", "source_date")
PERIOD_RE = re.compile(r"^([0-9]{4})-([0-9]{2})$")
MAX_UPLOAD_BYTES = 2 * 1024 * 1024  # thousands of values; a bigger file is a mistake
LOCK = "framework.indicator_values"
TEMPLATE = (
    "indicator_code,period,value,source,source_date,area_code,note\n"
    "youth_good_opinion_police,2025-12,55,MOPAC Youth Voice Survey 2025,2026-02-15,london,\n"
)


@dataclass
class CheckedValues:
    rows: list[dict] = field(default_factory=list)  # clean rows ready to save
    problems: list[Problem] = field(default_factory=list)
    replaces: list[dict] = field(default_factory=list)  # existing values the rows would replace
    versions: dict[tuple, int | None] = field(default_factory=dict)  # (code, period, area) -> version seen, None = new

    @property
    def ok(self) -> bool:
        return not self.problems


def parse_period(text: str) -> str:
    """ "YYYY-MM" (the month the period ends), month 01..12, from 1990 to ten years ahead; raises Invalid."""
    m = PERIOD_RE.match(str(text).strip())
    if not m or not 1 <= int(m.group(2)) <= 12:
        raise Invalid(
            [
                Problem(
                    None, "period", f"{text!r} is not a period: use YYYY-MM, the month the period ends (e.g. 2026-03)"
                )
            ]
        )
    first = dt.date(int(m.group(1)), int(m.group(2)), 1)
    if first < dt.date(1990, 1, 1) or first > latest_date():
        raise Invalid([Problem(None, "period", f"{text!r} is not a period from 1990 to ten years ahead")])
    return str(text).strip()


def read_csv(content: bytes | str) -> list[dict]:
    """CSV -> row dicts (column names lower-cased and trimmed), each with its file line as "row".

    Refuses (Invalid) what cannot be read: size, encoding, NUL bytes, a duplicated or missing column."""
    table = read_csv_upload(content, max_bytes=MAX_UPLOAD_BYTES, required=REQUIRED_COLUMNS)
    if not table.ok or table.problems:
        raise Invalid(table.problems)
    return [
        {**{k: (v or "").strip() for k, v in record.items() if k in CSV_COLUMNS}, "row": line}
        for line, record in table.records()
    ]


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
                    IndicatorValue.indicator_code,
                    IndicatorValue.period,
                    IndicatorValue.area_code,
                    IndicatorValue.value,
                    IndicatorValue.version,
                )
            ).all()
        }
    if not rows:
        out.problems.append(Problem(None, "file", "no rows to save"))
    seen: dict[tuple, int] = {}
    for index, raw in enumerate(rows, start=1):
        i = raw.get("row") or index  # the file line for a CSV, else the position in the list
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
        except Invalid as exc:
            problems += [Problem(i, "period", p.message) for p in exc.problems]
        value, value_problem = parse_number(raw.get("value"))
        if value_problem:
            problems.append(Problem(i, "value", value_problem))
        source, source_problem = check_text(raw.get("source"), max_length=500)
        if source_problem:
            problems.append(Problem(i, "source", "say where the figure comes from" if not source else source_problem))
        source_date, date_problem = parse_iso_date(raw.get("source_date"))
        if date_problem is None and source_date is not None:
            date_problem = date_in_range(source_date)
        if date_problem:
            problems.append(Problem(i, "source_date", f"{date_problem}: when was it published?"))
        note, note_problem = check_text(raw.get("note"), required=False, max_length=1000)
        if note_problem:
            problems.append(Problem(i, "note", note_problem))
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
            "note": note,
        }
        out.rows.append(row)
        out.versions[key] = existing[key].version if key in existing else None
        if key in existing:
            out.replaces.append({**row, "row": i, "old_value": existing[key].value})
    return out


def save_values(
    *, engine: Engine, actor: Actor, rows: list[dict], versions: dict[tuple, int | None] | None = None
) -> CheckedValues:
    """Check all rows, then write all of them (new or replacing) with an audit entry each, or none.

    `versions`: the `CheckedValues.versions` the analyst was shown; a value added or changed since is a
    conflict (Stale, naming the row), not an overwrite. Without it, the versions read by this call's own
    check are used (the check and the write then run back to back)."""
    require(actor, Permission.INDICATORS_WRITE)
    checked = check_values(engine, rows)
    if not checked.ok:
        raise Invalid(checked.problems)
    expected = checked.versions if versions is None else versions
    lines = [r.get("row") or i for i, r in enumerate(rows, start=1)]
    with session_scope(engine) as session:
        write_lock(session, LOCK)  # one writer of values at a time: no two inserts of one period race
        conflicts, pending = [], []
        for line, row in zip(lines, checked.rows, strict=True):
            key = (row["indicator_code"], row["period"], row["area_code"])
            current = session.exec(
                select(IndicatorValue).where(
                    IndicatorValue.indicator_code == key[0],
                    IndicatorValue.period == key[1],
                    IndicatorValue.area_code == key[2],
                )
            ).first()
            wanted = expected.get(key)
            now = None if current is None else current.version
            if now != wanted:
                who = f" by {current.entered_by}" if current is not None else ""
                conflicts.append(
                    Problem(
                        line,
                        "value",
                        f"{' '.join(key)} was {'added' if wanted is None else 'changed'}{who} since you checked "
                        f"(stored value now {'none' if current is None else f'{current.value:g}'}); check again",
                    )
                )
            pending.append((row, current))
        if conflicts:
            listed = "; ".join(str(p) for p in conflicts[:10])
            raise Stale(
                f"Nothing was saved: {len(conflicts)} value(s) changed since you checked them: {listed}", conflicts
            )
        for row, current in pending:
            before = None
            if current is None:
                current = IndicatorValue(**row, entered_by=actor.username)
            else:
                before = _snapshot(current)
                advance_version(
                    session, current, before["version"], entity_type="indicator_value", entity_id=current.id
                )
                for k, v in row.items():
                    setattr(current, k, v)
                current.entered_by = actor.username
                current.entered_at = dt.datetime.now(dt.UTC)
            session.add(current)
            session.flush()
            record_save(
                session,
                actor=actor,
                entity_type="indicator_value",
                entity_id=current.id,
                before=before,
                after=_snapshot(current),
            )
    return checked


def _snapshot(v: IndicatorValue) -> dict:
    columns = ("indicator_code", "period", "area_code", "value", "source", "source_date", "note", "version")
    return snapshot(v, *columns)


def delete_value(
    *, engine: Engine, actor: Actor, indicator_code: str, period: str, version: int, area_code: str = LONDON
) -> None:
    """Remove one entered value, at the `version` the analyst saw; its last state stays in the audit log."""
    require(actor, Permission.INDICATORS_WRITE)
    with session_scope(engine) as session:
        found = session.exec(
            select(IndicatorValue.id).where(
                IndicatorValue.indicator_code == indicator_code,
                IndicatorValue.period == period,
                IndicatorValue.area_code == area_code,
            )
        ).first()
        if found is None:
            raise NotFound(f"no value for {indicator_code} {period} {area_code}")
        current = claim(session, IndicatorValue, found, version, entity_type="indicator_value")
        record(
            session,
            actor=actor,
            action="delete",
            entity_type="indicator_value",
            entity_id=current.id,
            before={**_snapshot(current), "version": version},
        )
        session.delete(current)
