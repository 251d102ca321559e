"""One mapping between an award's fields (form, CSV template) and its stored columns, for every path.

The service, the importer, the reads and the re-import export all go through these helpers, so a new
award field is added here once: `award_columns` (clean fields -> columns), `apply_columns` (onto a row),
`award_snapshot` (the audit log's view), `template_row` (the stored award as an import row).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import delete, insert
from sqlmodel import Session, col

from vru_core.models import Award, AwardArea, AwardObjective
from vru_core.register.validation import AWARD_FIELDS, AwardData, to_pence, to_pounds

# The columns a person sets (identifier, status and bookkeeping are the lifecycle's).
EDITABLE_COLUMNS = (
    "title",
    "description",
    "organisation_id",
    "amount_pence",
    "award_date",
    "planned_start",
    "planned_end",
    "funding_stream_code",
    "priority_area_code",
    "geography_level",
    "regrant_type",
)
# The import template: the award's fields plus the version the row was exported at (optional).
TEMPLATE_COLUMNS = (*AWARD_FIELDS, "version")
Areas = list[tuple[str, str, int | None]]  # (area code, ward | borough, split in pence or None)


def award_columns(clean: AwardData, organisation_id: int) -> dict[str, Any]:
    """A cleaned award's editable columns, in store units (pence)."""
    return {
        "title": clean.title,
        "description": clean.description,
        "organisation_id": organisation_id,
        "amount_pence": to_pence(clean.amount),
        "award_date": clean.award_date,
        "planned_start": clean.planned_start,
        "planned_end": clean.planned_end,
        "funding_stream_code": clean.funding_stream_code,
        "priority_area_code": clean.priority_area_code,
        "geography_level": clean.geography_level,
        "regrant_type": clean.regrant_type,
    }


def apply_columns(award: Award, columns: Mapping[str, Any]) -> None:
    for name in EDITABLE_COLUMNS:
        setattr(award, name, columns[name])


def area_rows(data: AwardData) -> Areas:
    area_type = "borough" if data.geography_level == "borough" else "ward"
    return [
        (code, area_type, None if amount is None else to_pence(amount))
        for code, amount in zip(data.areas, data.area_amounts, strict=True)
    ]


def signature(columns: Mapping[str, Any], org_id: str, objectives: list[int], areas: Areas, place: tuple = ()) -> tuple:
    """Everything an import row can set, in a cheap comparable form (status and flags excluded); `place`
    is where the organisation is based (postal code, location code)."""
    return (
        *place,
        *(columns[c] for c in EDITABLE_COLUMNS if c != "organisation_id"),
        org_id,
        tuple(sorted(objectives)),
        tuple(sorted(areas)),
    )


def award_snapshot(award: Any, objectives: list[int], areas: Areas, org_id: str) -> dict:
    """What the audit log keeps of an award: every field a person can change, in readable units.

    `award` is a row or anything with the same attributes (an import's batch row)."""
    areas = sorted(areas)
    return {
        "identifier": award.identifier,
        "title": award.title,
        "description": award.description,
        "recipient_org_id": org_id,
        "amount_awarded": to_pounds(award.amount_pence),
        "award_date": award.award_date,
        "planned_start": award.planned_start,
        "planned_end": award.planned_end,
        "funding_stream": award.funding_stream_code,
        "priority_area": award.priority_area_code,
        "objectives": sorted(objectives),
        "geography_level": award.geography_level,
        "regrant_type": award.regrant_type,
        "areas": [code for code, _, _ in areas],
        "area_amounts": [to_pounds(p) for _, _, p in areas] if any(p is not None for _, _, p in areas) else [],
        "status": award.status,
        "version": award.version,
        "is_example": award.is_example,
    }


def replace_links(session: Session, links: Mapping[int, AwardData]) -> None:
    """Set the objectives and areas of many awards at once (delete then insert, two statements each)."""
    ids = list(links)
    if not ids:
        return
    session.execute(delete(AwardObjective).where(col(AwardObjective.award_id).in_(ids)))
    session.execute(delete(AwardArea).where(col(AwardArea.award_id).in_(ids)))
    objectives = [{"award_id": i, "objective_number": n} for i, d in links.items() for n in d.objectives]
    areas = [
        {"award_id": i, "area_code": c, "area_type": t, "amount_pence": p}
        for i, d in links.items()
        for c, t, p in area_rows(d)
    ]
    if objectives:
        session.execute(insert(AwardObjective), objectives)
    if areas:
        session.execute(insert(AwardArea), areas)


def template_row(snapshot: Mapping[str, Any], organisation: Mapping[str, Any]) -> dict[str, str]:
    """A stored award as a row of the import template (with its version), for editing in a spreadsheet."""
    row = {
        **{k: snapshot.get(k) for k in TEMPLATE_COLUMNS},
        "recipient_name": organisation.get("name", ""),
        "recipient_type": organisation.get("org_type", ""),
        "charity_number": organisation.get("charity_number") or "",
        "company_number": organisation.get("company_number") or "",
        "objectives": ";".join(str(n) for n in snapshot.get("objectives") or []),
        "areas": ";".join(snapshot.get("areas") or []),
        "area_amounts": ";".join(str(a) for a in snapshot.get("area_amounts") or []),
    }
    return {k: _cell(row.get(k)) for k in TEMPLATE_COLUMNS}


def _cell(value: Any) -> str:
    """A template cell: missing values (None, NaN, pandas' NA) are blank."""
    try:
        if value is None or value != value:
            return ""
    except TypeError:  # pandas.NA refuses to be a bool
        return ""
    return str(value)
