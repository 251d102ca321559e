"""Checking an award import file: every row against the rules and the register, writing nothing.

The result, an `ImportPlan`, lists every problem (row, column) and what the file would do; `seen`
records the version of each existing award it names, so `importer.import_csv` can refuse to overwrite
an award changed since (see vru_core.register.importer).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Engine, select

from vru_core.models import AuditEntry, Award, AwardArea, AwardObjective, Organisation
from vru_core.platform.csvsafe import unescape_cell
from vru_core.platform.errors import Problem
from vru_core.platform.inputs import read_csv_upload
from vru_core.platform.locking import QUIET_FIELDS
from vru_core.register.codes_360 import REGRANT_TYPES
from vru_core.register.columns import (
    EDITABLE_COLUMNS,
    TEMPLATE_COLUMNS,
    area_rows,
    award_columns,
    award_snapshot,
    signature,
)
from vru_core.register.lifecycle import LOCATION_FIELDS, organisation_problems
from vru_core.register.statuses import STATUSES
from vru_core.register.validation import AwardData, Reference, clean_award

REQUIRED_COLUMNS = (
    "identifier",
    "title",
    "recipient_org_id",
    "recipient_name",
    "amount_awarded",
    "award_date",
    "planned_start",
    "planned_end",
    "funding_stream",
    "objectives",
)
COLUMN_GUIDE = {
    "identifier": "Required. The award's unique 360Giving id, e.g. 360G-LondonVRU-00042. Re-importing the same id "
    "updates that award rather than adding another.",
    "title": "Required. Short title of the funded activity.",
    "description": "What the money pays for.",
    "recipient_org_id": "Required. GB-CHC-<charity number>, GB-COH-<8-character company number>, or another "
    "org-id.guide list (GB-LAE-<council code>, GB-EDU-<school URN>, …); 360G-LondonVRU-<own reference> for a "
    "group with no registered number.",
    "recipient_name": "Required. The organisation's registered name.",
    "recipient_type": "voluntary_community, local_authority, school, statutory or other (default voluntary_community).",
    "charity_number": "6 or 7 digits (no linked-charity suffix such as -1), or SC and 6 digits for a Scottish "
    "charity. Filled in from a GB-CHC- identifier when blank.",
    "company_number": "8 digits (or 2 letters + 6 digits), if a company. Filled in from a GB-COH- identifier.",
    "recipient_postcode": "Optional. The postcode where the organisation is based, e.g. E8 1AA.",
    "recipient_location": "Optional. The ward (E05…) or London borough (E09…) code where the organisation is "
    "based. A blank postcode or location keeps what the register already holds.",
    "amount_awarded": "Required. Pounds as a plain number: 45000 or 45000.50 (no £, commas or 'k').",
    "award_date": "Required. YYYY-MM-DD.",
    "planned_start": "Required. YYYY-MM-DD.",
    "planned_end": "Required. YYYY-MM-DD, on or after the start.",
    "funding_stream": "Required. One of the funding stream codes (see the list on this page).",
    "priority_area": "Optional. One of the ten first-year priority area codes.",
    "objectives": "Required. Objective numbers 1 to 8, separated by ';' (e.g. 3;5).",
    "geography_level": "ward, borough or london (blank: read from the area codes).",
    "areas": "Ward codes (E05…, May 2022 boundaries) or borough codes (E09…), separated by ';'. Blank for London-wide.",
    "area_amounts": "Optional split of the amount across the areas, same order, separated by ';'; must add up to "
    "the amount.",
    "regrant_type": "Only for awards to councils or intermediaries that make onward grants: a 360Giving regrant "
    f"type code ({', '.join(f'{c} {t}' for c, t in REGRANT_TYPES.items())}).",
    "status": "New awards only: proposed (default), approved, active, completed or withdrawn. Status changes to "
    "existing awards go through the award page.",
    "version": "Optional; filled in by 'Download for editing' on the Register page. An award changed in the register "
    "since that download is not updated: the row is reported as a conflict, naming who changed what.",
}

Progress = Callable[[float, str], None]


def template_csv() -> str:
    return ",".join(TEMPLATE_COLUMNS) + "\r\n"


@dataclass(frozen=True)
class Stored:
    """An award as the register held it when the file was checked (enough to audit an update)."""

    id: int
    identifier: str
    columns: dict[str, Any]
    org_id: str
    objectives: list[int]
    areas: list[tuple]
    status: str
    version: int
    is_example: bool
    place: tuple = ("", "")  # the organisation's (postal_code, location_code) as stored

    def snapshot(self) -> dict:
        return award_snapshot(
            as_row(self.identifier, self.columns, self.status, self.version, self.is_example),
            self.objectives,
            self.areas,
            self.org_id,
        )


@dataclass(frozen=True)
class Planned:
    line: int
    data: AwardData
    expected_version: int | None  # from the row's version column, if given


@dataclass
class ImportPlan:
    """What a file would do: every problem found, or the rows to create and update.

    `seen` holds each existing award the file names at the version it was checked against: pass it back
    to `import_csv` so a change made since is a conflict, not an overwrite."""

    problems: list[Problem] = field(default_factory=list)
    conflicts: list[Problem] = field(default_factory=list)  # rows whose award changed since they were exported
    to_create: list[Planned] = field(default_factory=list)
    to_update: list[tuple[Planned, Stored]] = field(default_factory=list)
    unchanged_rows: list[tuple[Planned, Stored]] = field(default_factory=list)
    rows: int = 0
    seen: dict[str, int] = field(default_factory=dict)

    @property
    def unchanged(self) -> int:
        return len(self.unchanged_rows)

    @property
    def ok(self) -> bool:
        return not self.problems and not self.conflicts


MAX_IMPORT_BYTES = 10 * 1024 * 1024  # about 25,000 awards; a bigger file is a mistake or an attack


def as_row(identifier: str, columns: Mapping[str, Any], status: str, version: int, is_example: bool):
    """The award attributes `award_snapshot` reads, without the cost of an ORM object per row."""
    return SimpleNamespace(identifier=identifier, status=status, version=version, is_example=is_example, **columns)


def _stored_awards(conn) -> tuple[dict[str, dict], dict[str, Stored]]:
    """(org_id -> name and numbers, identifier -> Stored) for the whole register, in four queries."""
    orgs = {
        org_id: {"name": name, "charity_number": charity, "company_number": company}
        for org_id, name, charity, company in conn.execute(
            select(Organisation.org_id, Organisation.name, Organisation.charity_number, Organisation.company_number)
        )
    }
    objectives: dict[int, list[int]] = {}
    areas: dict[int, list[tuple]] = {}
    for award_id, number in conn.execute(select(AwardObjective.award_id, AwardObjective.objective_number)):
        objectives.setdefault(award_id, []).append(number)
    for award_id, code, kind, pence in conn.execute(
        select(AwardArea.award_id, AwardArea.area_code, AwardArea.area_type, AwardArea.amount_pence)
    ):
        areas.setdefault(award_id, []).append((code, kind, pence))
    table = Award.__table__
    wanted = [table.c[c] for c in EDITABLE_COLUMNS]
    stored = {}
    for row in conn.execute(
        select(
            table.c.id,
            table.c.identifier,
            table.c.status,
            table.c.version,
            table.c.is_example,
            Organisation.org_id,
            Organisation.postal_code,
            Organisation.location_code,
            *wanted,
        ).join(Organisation, Organisation.id == table.c.organisation_id)
    ):
        m = row._mapping
        stored[m["identifier"]] = Stored(
            id=m["id"],
            identifier=m["identifier"],
            columns={c: m[c] for c in EDITABLE_COLUMNS},
            org_id=m["org_id"],
            objectives=objectives.get(m["id"], []),
            areas=sorted(areas.get(m["id"], [])),
            status=m["status"],
            version=m["version"],
            is_example=m["is_example"],
            place=(m["postal_code"], m["location_code"]),
        )
    return orgs, stored


def _version_cell(raw: Mapping, line: int, problems: list[Problem]) -> int | None:
    text = (raw.get("version") or "").strip()
    if not text:
        return None
    if not text.isascii() or not text.isdigit() or int(text) < 1:
        problems.append(Problem(line, "version", f"{text!r} is not a version number (leave it blank for a new award)"))
        return None
    return int(text)


def check_csv(engine: Engine, content: bytes | str, *, progress: Progress | None = None) -> ImportPlan:
    """Validate every row against the rules and the store; write nothing."""
    table = read_csv_upload(content, max_bytes=MAX_IMPORT_BYTES, required=REQUIRED_COLUMNS, known=TEMPLATE_COLUMNS)
    plan = ImportPlan(problems=list(table.problems), rows=len(table.rows))
    for line, cells in table.rows:
        if len(cells) > len(table.header):
            extra = len(cells) - len(table.header)
            plan.problems.append(Problem(line, "file", f"{extra} more cells than the header has columns"))
    if not table.ok:
        plan.problems.sort(key=lambda p: p.row or 0)
        return plan
    ref = Reference.load(engine)
    with engine.connect() as conn:
        orgs, stored = _stored_awards(conn)
    rows = table.records()
    seen_lines: dict[str, int] = {}
    org_names: dict[str, tuple[str, int]] = {}
    org_places: dict[str, tuple[tuple, int]] = {}
    step = max(1, len(rows) // 50)
    for i, (line, raw) in enumerate(rows):
        if progress and i % step == 0:
            progress(0.5 * i / max(len(rows), 1), f"Checking row {i + 1:,} of {len(rows):,}")
        raw = {k: unescape_cell(v) for k, v in raw.items()}  # a file exported here comes back as it was
        clean, row_problems = clean_award(raw, ref, row=line, statuses=STATUSES)
        version = _version_cell(raw, line, row_problems)
        plan.problems += row_problems
        identifier = (raw.get("identifier") or "").strip()
        if not identifier:
            if not any(p.field == "identifier" for p in row_problems):
                plan.problems.append(Problem(line, "identifier", "required: the award's unique identifier"))
            continue
        if identifier in seen_lines:
            plan.problems.append(
                Problem(
                    line,
                    "identifier",
                    f"duplicate identifier {identifier!r}: already used on row {seen_lines[identifier]}",
                )
            )
            continue
        seen_lines[identifier] = line
        if clean is None or row_problems:
            continue
        org = clean.organisation
        known = orgs.get(org["org_id"])
        org_problems = organisation_problems(known, org, line) if known is not None else []
        if org_problems:
            plan.problems += org_problems
            continue
        if org["org_id"] in org_names and org_names[org["org_id"]][0] != org["name"]:
            first_name, first_line = org_names[org["org_id"]]
            plan.problems.append(
                Problem(line, "recipient_name", f"{org['org_id']} is named {first_name!r} on row {first_line}")
            )
            continue
        org_names.setdefault(org["org_id"], (org["name"], line))
        place = tuple(org.get(k) for k in LOCATION_FIELDS)
        if any(place) and org_places.setdefault(org["org_id"], (place, line))[0] != place:
            where = org_places[org["org_id"]][1]
            plan.problems.append(
                Problem(line, "recipient_postcode", f"{org['org_id']} is based elsewhere on row {where}")
            )
            continue
        current = stored.get(identifier)
        planned = Planned(line, clean, version)
        if current is None:
            if version is not None:
                plan.problems.append(
                    Problem(
                        line,
                        "version",
                        f"{identifier} is not in the register (deleted since it was exported?): "
                        "clear the version to add it as a new award",
                    )
                )
                continue
            plan.to_create.append(planned)
            continue
        plan.seen[identifier] = current.version
        if clean.status and clean.status != current.status:
            plan.problems.append(
                Problem(
                    line,
                    "status",
                    f"{identifier} is {current.status} in the register; change status on the award page "
                    "(approval freezes the need evidence)",
                )
            )
            continue
        if version is not None and version != current.version:
            with engine.connect() as conn:
                by, what = last_change(conn, current.id, version)
            plan.conflicts.append(conflict(line, identifier, version, current.version, by, what))
            continue
        # A blank postcode or location keeps what is stored, so it is no change.
        new_place = tuple(org.get(k) or was for k, was in zip(LOCATION_FIELDS, current.place, strict=True))
        proposed = signature(award_columns(clean, 0), org["org_id"], clean.objectives, area_rows(clean), new_place)
        if signature(current.columns, current.org_id, current.objectives, current.areas, current.place) == proposed:
            plan.unchanged_rows.append((planned, current))
        else:
            plan.to_update.append((planned, current))
    plan.problems.sort(
        key=lambda p: (p.row or 0, TEMPLATE_COLUMNS.index(p.field) if p.field in TEMPLATE_COLUMNS else 99)
    )
    return plan


def conflict(
    line: int, identifier: str, expected: int | None, current: int | None, by: str = "", what: str = ""
) -> Problem:
    who = f" by {by}" if by else ""
    if current is None:
        return Problem(
            line,
            "identifier",
            f"{identifier} was deleted from the register{who} after this file was checked; it was not imported",
        )
    if expected is None:
        return Problem(
            line,
            "identifier",
            f"{identifier} was added to the register{who} after this file was checked "
            "(someone imported or recorded it at the same time); nothing was imported: check the file again",
        )
    changed = f" ({what})" if what else ""
    return Problem(
        line,
        "version",
        f"{identifier} was changed{who}{changed} since this row was exported or checked (version {expected}, now "
        f"{current}); it was not updated. Download it again and reapply your change",
    )


def last_change(conn: Any, award_id: int, since: int | None) -> tuple[str, str]:
    """(who, which fields) of the audited saves of an award after version `since` (a Session or a Connection)."""
    entries = conn.execute(
        select(AuditEntry.actor, AuditEntry.before, AuditEntry.after)
        .where(AuditEntry.entity_type == "award", AuditEntry.entity_id == str(award_id))
        .order_by(AuditEntry.id)
    ).all()
    later = [
        e for e in entries if isinstance((e.after or {}).get("version"), int) and e.after["version"] > (since or 0)
    ]
    if not later:
        return "", ""
    fields = sorted(
        {
            k
            for e in later
            for k in (e.after or {})
            if k not in QUIET_FIELDS and (e.before or {}).get(k) != (e.after or {}).get(k)
        }
    )
    return later[-1].actor, ", ".join(fields)
