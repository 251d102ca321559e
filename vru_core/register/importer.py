"""Bulk entry from CSV: check every row first and list every problem, then write it all in one transaction.

The award identifier is the key: re-importing a file creates nothing new and changes nothing that is
already the same; a row whose identifier exists with different values updates that award (audited).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from types import SimpleNamespace

from sqlalchemy import Engine, insert, select

from vru_core.models import Award, AwardArea, AwardObjective, Organisation
from vru_core.models.common import utcnow
from vru_core.platform.audit import record, record_many
from vru_core.platform.auth import Actor, Permission, require
from vru_core.platform.db import session_scope
from vru_core.platform.locking import write_lock
from vru_core.register.codes_360 import REGRANT_TYPES
from vru_core.register.service import (
    LOCATION_FIELDS,
    REGISTER_LOCK,
    STATUSES,
    area_rows,
    award_snapshot,
    paid_pence,
    resolve_organisation,
    snapshot_from_session,
    write_links,
)
from vru_core.register.validation import (
    AWARD_FIELDS,
    AwardData,
    Problem,
    Reference,
    ValidationFailed,
    clean_award,
    to_pence,
)

TEMPLATE_COLUMNS = AWARD_FIELDS
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
}

Progress = Callable[[float, str], None]


def template_csv() -> str:
    return ",".join(TEMPLATE_COLUMNS) + "\r\n"


@dataclass
class ImportPlan:
    """What a file would do: every problem found, or the rows to create and update."""

    problems: list[Problem] = field(default_factory=list)
    to_create: list[AwardData] = field(default_factory=list)
    to_update: list[tuple[int, AwardData]] = field(default_factory=list)
    unchanged: int = 0
    rows: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    unchanged: int


MAX_IMPORT_BYTES = 10 * 1024 * 1024  # about 25,000 awards; a bigger file is a mistake or an attack


def _read_rows(content: bytes | str) -> tuple[list[tuple[int, dict]], list[Problem]]:
    size = len(content.encode() if isinstance(content, str) else content)
    if size > MAX_IMPORT_BYTES:
        limit = MAX_IMPORT_BYTES / 1024 / 1024
        return [], [
            Problem("file", f"is {size / 1024 / 1024:.1f} MB; the limit is {limit:.0f} MB: split the file", None)
        ]
    if isinstance(content, bytes):
        try:
            content = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            return [], [Problem("file", "not UTF-8 text: save the spreadsheet as 'CSV UTF-8'", 1)]
    # csv.reader, not DictReader: DictReader skips blank lines silently, which shifted every later row number.
    reader = csv.reader(io.StringIO(content, newline=""))
    header = [h.strip() for h in (next(reader, None) or [])]
    if not header:
        return [], [Problem("file", "the file is empty: start from the template", 1)]
    problems = [
        Problem(col, "required column is missing from the header", 1) for col in REQUIRED_COLUMNS if col not in header
    ]
    problems += [
        Problem(col or "(blank)", f"unknown column; the template's columns are: {', '.join(TEMPLATE_COLUMNS)}", 1)
        for col in header
        if col not in TEMPLATE_COLUMNS
    ]
    if len(set(header)) != len(header):
        problems.append(Problem("file", "a column appears twice in the header", 1))
    rows = []
    start = reader.line_num + 1
    for cells in reader:
        line = start  # the file line the record starts on (a quoted newline makes a record span lines)
        start = reader.line_num + 1
        if len(cells) > len(header):
            problems.append(Problem("file", f"{len(cells) - len(header)} more cells than the header has columns", line))
        if not any(cell.strip() for cell in cells):
            continue  # blank line
        rows.append((line, {name: (cells[i] if i < len(cells) else None) for i, name in enumerate(header)}))
    return rows, problems


def _signature(award, org_id: str, objectives: list[int], areas: list[tuple], place: tuple = ()) -> tuple:
    """Everything an import row can set, in a cheap comparable form (status and flags excluded)."""
    return (
        *place,
        award.regrant_type,
        award.title,
        award.description,
        org_id,
        award.amount_pence,
        award.award_date,
        award.planned_start,
        award.planned_end,
        award.funding_stream_code,
        award.priority_area_code,
        award.geography_level,
        tuple(sorted(objectives)),
        tuple(sorted(areas)),
    )


def check_csv(engine: Engine, content: bytes | str, *, progress: Progress | None = None) -> ImportPlan:
    """Validate every row against the rules and the store; write nothing."""
    rows, problems = _read_rows(content)
    plan = ImportPlan(problems=problems, rows=len(rows))
    if any(p.row == 1 for p in problems):
        return plan
    ref = Reference.load(engine)
    with engine.connect() as conn:
        orgs = dict(conn.execute(select(Organisation.org_id, Organisation.name)).all())
        existing = {
            a.identifier: a
            for a in conn.execute(
                select(
                    Award.id,
                    Award.identifier,
                    Award.title,
                    Award.description,
                    Award.amount_pence,
                    Award.award_date,
                    Award.planned_start,
                    Award.planned_end,
                    Award.funding_stream_code,
                    Award.priority_area_code,
                    Award.geography_level,
                    Award.regrant_type,
                    Award.status,
                    Award.version,
                    Award.is_example,
                    Organisation.org_id,
                    Organisation.postal_code,
                    Organisation.location_code,
                ).join(Organisation, Organisation.id == Award.organisation_id)
            ).all()
        }
        links_obj: dict[int, list[int]] = {}
        links_area: dict[int, list[tuple]] = {}
        if existing:
            for award_id, number in conn.execute(select(AwardObjective.award_id, AwardObjective.objective_number)):
                links_obj.setdefault(award_id, []).append(number)
            for award_id, code, kind, pence in conn.execute(
                select(AwardArea.award_id, AwardArea.area_code, AwardArea.area_type, AwardArea.amount_pence).order_by(
                    AwardArea.award_id, AwardArea.area_code
                )
            ):
                links_area.setdefault(award_id, []).append((code, kind, pence))
    seen: dict[str, int] = {}
    org_names: dict[str, tuple[str, int]] = {}
    org_places: dict[str, tuple[tuple, int]] = {}
    step = max(1, len(rows) // 50)
    for i, (line, raw) in enumerate(rows):
        if progress and i % step == 0:
            progress(0.5 * i / max(len(rows), 1), f"Checking row {i + 1:,} of {len(rows):,}")
        clean, row_problems = clean_award(raw, ref, row=line, statuses=STATUSES)
        plan.problems += row_problems
        identifier = (raw.get("identifier") or "").strip()
        if not identifier:
            if not any(p.field == "identifier" for p in row_problems):
                plan.problems.append(Problem("identifier", "required: the award's unique identifier", line))
            continue
        if identifier in seen:
            plan.problems.append(
                Problem(
                    "identifier", f"duplicate identifier {identifier!r}: already used on row {seen[identifier]}", line
                )
            )
            continue
        seen[identifier] = line
        if clean is None:
            continue
        org = clean.organisation
        stored_name = orgs.get(org["org_id"])
        if stored_name is not None and stored_name != org["name"]:
            plan.problems.append(
                Problem("recipient_name", f"{org['org_id']} is already recorded as {stored_name!r}", line)
            )
            continue
        if org["org_id"] in org_names and org_names[org["org_id"]][0] != org["name"]:
            first_name, first_line = org_names[org["org_id"]]
            plan.problems.append(
                Problem("recipient_name", f"{org['org_id']} is named {first_name!r} on row {first_line}", line)
            )
            continue
        org_names.setdefault(org["org_id"], (org["name"], line))
        place = tuple(org.get(k) for k in LOCATION_FIELDS)
        if any(place) and org_places.setdefault(org["org_id"], (place, line))[0] != place:
            plan.problems.append(
                Problem(
                    "recipient_postcode",
                    f"{org['org_id']} is based elsewhere on row {org_places[org['org_id']][1]}",
                    line,
                )
            )
            continue
        current = existing.get(identifier)
        if current is None:
            plan.to_create.append(clean)
            continue
        if clean.status and clean.status != current.status:
            plan.problems.append(
                Problem(
                    "status",
                    f"{identifier} is {current.status} in the register; change status on the award page "
                    "(approval freezes the need evidence)",
                    line,
                )
            )
            continue
        stored_place = (current.postal_code, current.location_code)
        stored = _signature(
            current, current.org_id, links_obj.get(current.id, []), links_area.get(current.id, []), stored_place
        )
        proposed = _signature(
            _as_award(clean, identifier, current.status, current.version),
            org["org_id"],
            clean.objectives,
            area_rows(clean),
            tuple(org.get(k) or was for k, was in zip(LOCATION_FIELDS, stored_place, strict=True)),
        )
        if stored == proposed:
            plan.unchanged += 1
        else:
            plan.to_update.append((current.id, clean))
    plan.problems.sort(
        key=lambda p: (p.row or 0, TEMPLATE_COLUMNS.index(p.field) if p.field in TEMPLATE_COLUMNS else 99)
    )
    return plan


def _as_award(data: AwardData, identifier: str, status: str, version: int) -> SimpleNamespace:
    """The award fields `award_snapshot` reads, without the cost of an ORM object per row."""
    return SimpleNamespace(
        identifier=identifier,
        title=data.title,
        description=data.description,
        amount_pence=to_pence(data.amount),
        award_date=data.award_date,
        planned_start=data.planned_start,
        planned_end=data.planned_end,
        funding_stream_code=data.funding_stream_code,
        priority_area_code=data.priority_area_code,
        geography_level=data.geography_level,
        regrant_type=data.regrant_type,
        status=status,
        version=version,
        is_example=False,
    )


BATCH = 1000


def import_csv(
    *, engine: Engine, actor: Actor, content: bytes | str, progress: Progress | None = None, is_example: bool = False
) -> ImportResult:
    """All or nothing: any problem raises ValidationFailed listing every one, and nothing is written."""
    require(actor, Permission.REGISTER_WRITE)
    plan = check_csv(engine, content, progress=progress)
    if not plan.ok:
        raise ValidationFailed(plan.problems)
    now = utcnow()
    with session_scope(engine) as session:
        write_lock(session, REGISTER_LOCK)  # organisations and identifiers are read-then-insert
        org_pk: dict[str, int] = dict(session.exec(select(Organisation.org_id, Organisation.id)).all())
        placed: set[str] = set()
        for data in [*plan.to_create, *(d for _, d in plan.to_update)]:
            org = data.organisation
            has_place = any(org.get(k) for k in LOCATION_FIELDS) and org["org_id"] not in placed
            if org["org_id"] not in org_pk or has_place:  # new, or where it is based is (re)stated
                org_pk[org["org_id"]], _ = resolve_organisation(session, actor=actor, org=org, is_example=is_example)
                if has_place:
                    placed.add(org["org_id"])
        total = len(plan.to_create) + len(plan.to_update)
        for start in range(0, len(plan.to_create), BATCH):
            batch = plan.to_create[start : start + BATCH]
            rows = [
                {
                    "identifier": d.identifier,
                    "title": d.title,
                    "description": d.description,
                    "organisation_id": org_pk[d.organisation["org_id"]],
                    "amount_pence": to_pence(d.amount),
                    "award_date": d.award_date,
                    "planned_start": d.planned_start,
                    "planned_end": d.planned_end,
                    "funding_stream_code": d.funding_stream_code,
                    "priority_area_code": d.priority_area_code,
                    "geography_level": d.geography_level,
                    "regrant_type": d.regrant_type,
                    "status": d.status or "proposed",
                    "version": 1,
                    "is_example": is_example,
                    "created_at": now,
                    "created_by": actor.username,
                    "updated_at": now,
                    "updated_by": actor.username,
                }
                for d in batch
            ]
            table = Award.__table__
            returned = session.execute(insert(table).returning(table.c.id, table.c.identifier), rows).all()
            ids = {identifier: award_id for award_id, identifier in returned}
            objective_rows, link_rows, audit_rows = [], [], []
            for d, row in zip(batch, rows, strict=True):
                award_id = ids[d.identifier]
                objective_rows += [{"award_id": award_id, "objective_number": n} for n in d.objectives]
                link_rows += [
                    {"award_id": award_id, "area_code": c, "area_type": t, "amount_pence": p}
                    for c, t, p in area_rows(d)
                ]
                after = award_snapshot(SimpleNamespace(**row), d.objectives, area_rows(d), d.organisation["org_id"])
                audit_rows.append(
                    {
                        "action": "create",
                        "entity_type": "award",
                        "entity_id": award_id,
                        "after": after,
                        "note": "import",
                    }
                )
            if objective_rows:
                session.execute(insert(AwardObjective.__table__), objective_rows)
            if link_rows:
                session.execute(insert(AwardArea.__table__), link_rows)
            record_many(session, actor=actor, entries=audit_rows)
            if progress:
                progress(0.5 + 0.5 * (start + len(batch)) / max(total, 1), f"Saved {start + len(batch):,} new awards")
        if plan.to_update:
            _apply_updates(session, actor, plan.to_update, org_pk)
        record(
            session,
            actor=actor,
            action="import",
            entity_type="register",
            entity_id="csv",
            after={"created": len(plan.to_create), "updated": len(plan.to_update), "unchanged": plan.unchanged},
        )
    if progress:
        progress(1.0, "Done")
    return ImportResult(created=len(plan.to_create), updated=len(plan.to_update), unchanged=plan.unchanged)


def _apply_updates(session, actor: Actor, updates: list[tuple[int, AwardData]], org_pk: dict[str, int]) -> None:
    for award_id, data in updates:
        award = session.get(Award, award_id)
        paid = paid_pence(session, award_id)
        if to_pence(data.amount) < paid:
            raise ValidationFailed(
                [Problem("amount_awarded", f"{award.identifier}: less than the £{paid / 100:,.2f} already paid")]
            )
        before = snapshot_from_session(session, award)
        award.title, award.description = data.title, data.description
        award.organisation_id = org_pk[data.organisation["org_id"]]
        award.amount_pence = to_pence(data.amount)
        award.award_date, award.planned_start, award.planned_end = data.award_date, data.planned_start, data.planned_end
        award.funding_stream_code, award.priority_area_code = data.funding_stream_code, data.priority_area_code
        award.geography_level, award.regrant_type = data.geography_level, data.regrant_type
        award.version += 1
        award.updated_by, award.updated_at = actor.username, utcnow()
        session.add(award)
        write_links(session, award_id, data)
        after = award_snapshot(award, data.objectives, area_rows(data), data.organisation["org_id"])
        record(
            session,
            actor=actor,
            action="update",
            entity_type="award",
            entity_id=award_id,
            before=before,
            after=after,
            note="import",
        )
