"""Reading the strategy's structure for the pages: objectives (wording, commitments, aims), aims,
priority areas and funding streams, and one version string that changes whenever any of them does.

The writes are in :mod:`vru_core.framework.structure`; nothing here writes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd
import sqlalchemy as sa
from sqlalchemy import Engine
from sqlmodel import col, select

from vru_core.models import Aim, Commitment, FundingStream, Objective, ObjectiveAim, PriorityArea
from vru_core.platform.db import read_frame

STREAM_COLUMNS = ["code", "name", "notes", "active", "version"]


@dataclass(frozen=True)
class ObjectiveText:
    """One objective as an administrator edits it and the objective page shows it."""

    number: int
    title: str
    tagline: str
    commitments: tuple[str, ...]  # in order
    aims: tuple[str, ...]  # the codes of the aims it serves, sorted
    version: int  # what a save of this objective names


@dataclass(frozen=True)
class PriorityAreaRow:
    code: str
    title: str
    objective_number: int | None
    version: int


def objectives(engine: Engine) -> dict[int, ObjectiveText]:
    """Every objective by number, with its commitments and aims."""
    with engine.connect() as conn:
        heads = conn.execute(
            select(
                col(Objective.number), col(Objective.title), col(Objective.tagline), col(Objective.version)
            ).order_by(col(Objective.number))
        ).all()
        commitments = conn.execute(
            select(col(Commitment.objective_number), col(Commitment.text)).order_by(
                col(Commitment.objective_number), col(Commitment.position), col(Commitment.id)
            )
        ).all()
        links = conn.execute(
            select(col(ObjectiveAim.objective_number), col(ObjectiveAim.aim_code)).order_by(col(ObjectiveAim.aim_code))
        ).all()
    return {
        number: ObjectiveText(
            number=number,
            title=title,
            tagline=tagline,
            commitments=tuple(text for n, text in commitments if n == number),
            aims=tuple(code for n, code in links if n == number),
            version=version,
        )
        for number, title, tagline, version in heads
    }


def aim_titles(engine: Engine) -> dict[str, str]:
    """Aim code -> title, in the strategy's order."""
    with engine.connect() as conn:
        return dict(conn.execute(select(col(Aim.code), col(Aim.title)).order_by(col(Aim.number))).tuples().all())


def priority_areas(engine: Engine, objective: int | None = None) -> dict[str, PriorityAreaRow]:
    """Priority areas by code (sorted), optionally only those under one objective."""
    query = select(
        col(PriorityArea.code), col(PriorityArea.title), col(PriorityArea.objective_number), col(PriorityArea.version)
    ).order_by(col(PriorityArea.code))
    if objective is not None:
        query = query.where(col(PriorityArea.objective_number) == objective)
    with engine.connect() as conn:
        return {row[0]: PriorityAreaRow(*row) for row in conn.execute(query).all()}


def funding_streams(engine: Engine) -> pd.DataFrame:
    """Every funding stream (STREAM_COLUMNS), by code."""
    query = sa.select(
        col(FundingStream.code),
        col(FundingStream.name),
        col(FundingStream.notes),
        col(FundingStream.active),
        col(FundingStream.version),
    ).order_by(col(FundingStream.code))
    return read_frame(engine, query, STREAM_COLUMNS)


INDICATOR_FORM_FIELDS = (
    "baseline_value",
    "baseline_period",
    "baseline_source",
    "target_value",
    "target_change_pct",
    "target_period",
    "target_note",
)


def indicator_form_text(indicator: pd.Series | Mapping[str, Any]) -> dict[str, str]:
    """An indicator's baseline and target as the settings form's text boxes show them ("" for none, 12.5 not 12.50)."""

    def text(value: Any) -> str:
        if value is None or (not isinstance(value, str) and pd.isna(value)):
            return ""
        return f"{value:g}" if isinstance(value, float) else str(value)

    return {name: text(indicator[name]) for name in INDICATOR_FORM_FIELDS}


def structure_version(engine: Engine) -> str:
    """Changes whenever an aim, objective, commitment, priority area or funding stream does, however it was
    changed: a digest of the rows themselves (a few dozen), so pages can key cached labels on it."""
    tables = (Aim, Objective, ObjectiveAim, Commitment, PriorityArea, FundingStream)
    digest = hashlib.sha256()
    with engine.connect() as conn:
        for table in tables:
            columns = list(sa.inspect(table).columns)
            rows = conn.execute(sa.select(*columns).order_by(*columns)).all()
            digest.update(f"{table.__name__}:{[tuple(r) for r in rows]!r}".encode())
    return digest.hexdigest()[:16]
