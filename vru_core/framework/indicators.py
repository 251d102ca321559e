"""Indicator definitions, their values (whatever their kind) and their rating against baseline and target.

Three kinds: ``computed`` (from the bundled MPS series, :mod:`.computed`), ``register`` (from the
commissioning register, :mod:`.register_indicators`) and ``entered`` (typed or uploaded by
analysts, :mod:`.entered`). Every kind yields the same long frame: period ("YYYY-MM", the month the
period ends), area_code ("london" or a borough code), value, source, source_date.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import pandas as pd
import sqlalchemy as sa
from sqlalchemy import Engine, func
from sqlmodel import SQLModel, col, select

from vru_core.framework import rag
from vru_core.framework.computed import LONDON, computed_values
from vru_core.framework.lookups import structure_version
from vru_core.framework.register_indicators import (
    NeedShare,
    RegisterFacts,
    by_objective,
    default_need_inputs,
    facts_version,
    load_facts,
    need_share,
    register_values,
    top_need_count,
)
from vru_core.models import Aim, AuditEntry, Indicator, IndicatorValue, Objective, ObjectiveAim, RagSettings
from vru_core.needs.measures import data_version
from vru_core.platform.db import read_frame

KINDS = ("computed", "register", "entered")
KIND_LABELS = {
    "computed": "Computed from the MPS crime data",
    "register": "Computed from the commissioning register",
    "entered": "Entered by analysts",
}
UNITS = ("count", "percent", "gbp", "people")
VALUE_COLUMNS = ["period", "area_code", "value", "source", "source_date"]


def format_value(value: float | None, unit: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if unit == "percent":
        return f"{value:.1f}%"
    if unit == "gbp":
        return f"£{value:,.0f}"
    return f"{value:,.0f}"


def short_money(value: float) -> str:
    """£1.2m, £277k, £950: fits a narrow card."""
    if value >= 1_000_000:
        return f"£{value / 1_000_000:.1f}m"
    if value >= 10_000:
        return f"£{value / 1000:.0f}k"
    if value >= 1000:
        return f"£{value / 1000:.1f}k"
    return f"£{value:,.0f}"


def _columns(table: type[SQLModel], *names: str) -> sa.Select:
    return sa.select(*(col(getattr(table, name)) for name in names))


def list_indicators(engine: Engine, active_only: bool = True) -> pd.DataFrame:
    """Definitions in display order, indexed by code."""
    query = select(Indicator).order_by(col(Indicator.position), col(Indicator.code))
    if active_only:
        query = query.where(col(Indicator.active))
    return read_frame(engine, query, list(Indicator.model_fields)).set_index("code", drop=False)


def load_thresholds(engine: Engine) -> rag.Thresholds:
    with engine.connect() as conn:
        row = conn.execute(select(RagSettings).where(col(RagSettings.key) == "default")).first()
    if row is None:
        return rag.Thresholds()
    return rag.Thresholds(row.on_track_progress, row.off_track_below, row.trend_tolerance_pct)


def entered_values(engine: Engine, code: str | None = None) -> pd.DataFrame:
    columns = ["indicator_code", *VALUE_COLUMNS, "entered_by", "entered_at"]
    query = select(*(col(getattr(IndicatorValue, c)) for c in columns)).order_by(
        col(IndicatorValue.indicator_code), col(IndicatorValue.period), col(IndicatorValue.area_code)
    )
    if code is not None:
        query = query.where(col(IndicatorValue.indicator_code) == code)
    return read_frame(engine, query, columns)


def indicator_values(
    engine: Engine,
    indicator: pd.Series,
    register: RegisterFacts | None = None,
    need_inputs: tuple[pd.DataFrame, pd.DataFrame] | None = None,
) -> pd.DataFrame:
    """Every value of one indicator (a row of :func:`list_indicators`), sorted by area and period."""
    if indicator["kind"] == "entered":
        out = entered_values(engine, indicator["code"])[VALUE_COLUMNS]
    else:
        if indicator["kind"] == "computed":
            out = computed_values(engine, indicator["method"])
        elif indicator["kind"] == "register":
            objective = indicator["objective_number"]
            objective = None if pd.isna(objective) else int(objective)
            out = register_values(engine, indicator["method"], objective, register, need_inputs)
        else:
            raise ValueError(f"indicator {indicator['code']}: unknown kind {indicator['kind']!r}")
        out = out.assign(source=indicator["source"], source_date=None)
    out = out.astype({"period": "str", "area_code": "str", "value": "float64"})
    return out.sort_values(["area_code", "period"], ignore_index=True)[VALUE_COLUMNS]


def london_series(values: pd.DataFrame) -> pd.DataFrame:
    return values[values["area_code"] == LONDON].sort_values("period", ignore_index=True)


@dataclass(frozen=True)
class Assessment:
    """One indicator's position: latest vs baseline and target, and its rating."""

    code: str
    baseline: float | None
    baseline_period: str | None
    target: float | None
    target_period: str | None
    latest: float | None
    latest_period: str | None
    previous: float | None
    previous_period: str | None
    rating: rag.Rating
    values: pd.DataFrame = field(repr=False)


def _num(v) -> float | None:
    return None if v is None or pd.isna(v) else float(v)


def _text(v) -> str | None:
    return None if v is None or (not isinstance(v, str) and pd.isna(v)) or v == "" else str(v)


def assess(indicator: pd.Series, values: pd.DataFrame, thresholds: rag.Thresholds) -> Assessment:
    """Resolve baseline and target (from the series when the definition says so) and rate."""
    london = london_series(values)
    baseline, baseline_period = _num(indicator["baseline_value"]), _text(indicator["baseline_period"])
    if baseline is None and len(london):
        at = london[london["period"] == baseline_period] if baseline_period else london.head(1)
        if len(at):
            baseline, baseline_period = float(at["value"].iloc[0]), str(at["period"].iloc[0])
    target = _num(indicator["target_value"])
    change = _num(indicator["target_change_pct"])
    if target is None and change is not None and baseline is not None:
        target = baseline * (1.0 + change / 100.0)
    latest = london.iloc[-1] if len(london) else None
    previous = london.iloc[-2] if len(london) > 1 else None
    rating = rag.rate(
        latest=None if latest is None else float(latest["value"]),
        previous=None if previous is None else float(previous["value"]),
        baseline=baseline,
        target=target,
        direction=indicator["direction"],
        thresholds=thresholds,
        after_baseline=latest is None or baseline_period is None or str(latest["period"]) > baseline_period,
    )
    return Assessment(
        code=indicator["code"],
        baseline=baseline,
        baseline_period=baseline_period,
        target=target,
        target_period=_text(indicator["target_period"]),
        latest=None if latest is None else float(latest["value"]),
        latest_period=None if latest is None else str(latest["period"]),
        previous=None if previous is None else float(previous["value"]),
        previous_period=None if previous is None else str(previous["period"]),
        rating=rating,
        values=values,
    )


@dataclass(frozen=True)
class Overview:
    """Everything the director's overview shows, computed once per page run."""

    thresholds: rag.Thresholds
    indicators: pd.DataFrame  # definitions + assessment columns, indexed by code
    assessments: dict[str, Assessment]
    objectives: pd.DataFrame  # number, title, tagline, aims, status, counts, money, awards, active_awards
    aims: pd.DataFrame  # code, number, title, description, status, counts
    register: RegisterFacts
    need: NeedShare | None  # committed money against need (None while nothing is committed)


def _roll_up(statuses: list[rag.Rag]) -> dict:
    combined = rag.combine(statuses)
    counts = {s: sum(1 for x in statuses if x is s) for s in rag.Rag}
    return {
        "status": combined.value,
        "status_label": combined.label,
        "n_indicators": len(statuses),
        **{f"n_{s.value}": n for s, n in counts.items()},
    }


def build_overview(engine: Engine) -> Overview:
    thresholds = load_thresholds(engine)
    defs = list_indicators(engine)
    register = load_facts(engine)
    need_inputs, need = None, None
    if not register.committed.awards.empty:
        need_inputs = default_need_inputs(engine)
        scores, wards = need_inputs
        need = need_share(register.register, scores, wards, top_need_count(scores))
    assessments = {
        code: assess(row, indicator_values(engine, row, register, need_inputs), thresholds)
        for code, row in defs.iterrows()
    }
    extra = pd.DataFrame(
        [
            {
                "code": a.code,
                "baseline": a.baseline,
                "baseline_period_resolved": a.baseline_period,
                "target": a.target,
                "latest": a.latest,
                "latest_period": a.latest_period,
                "status": a.rating.status.value,
                "status_label": a.rating.status.label,
                "progress": a.rating.progress,
                "trend": a.rating.trend,
                "reason": a.rating.reason,
            }
            for a in assessments.values()
        ],
        columns=[
            "code",
            "baseline",
            "baseline_period_resolved",
            "target",
            "latest",
            "latest_period",
            "status",
            "status_label",
            "progress",
            "trend",
            "reason",
        ],
    ).set_index("code")
    indicators = defs.join(extra)

    with engine.connect() as conn:
        objectives = read_frame(conn, _columns(Objective, "number", "title", "tagline"), ["number", "title", "tagline"])
        links = read_frame(
            conn, _columns(ObjectiveAim, "objective_number", "aim_code"), ["objective_number", "aim_code"]
        )
        aims = read_frame(
            conn, _columns(Aim, "code", "number", "title", "description"), ["code", "number", "title", "description"]
        )
    objectives = objectives.sort_values("number", ignore_index=True)
    aims = aims.sort_values("number", ignore_index=True)

    def statuses(mask) -> list[rag.Rag]:
        return [rag.Rag(s) for s in indicators.loc[mask, "status"]]

    money = by_objective(register)
    obj_rows = []
    for o in objectives.itertuples():
        obj_rows.append(
            {
                "number": o.number,
                "title": o.title,
                "tagline": o.tagline,
                "aims": sorted(links.loc[links["objective_number"] == o.number, "aim_code"]),
                **_roll_up(statuses(indicators["objective_number"] == o.number)),
                "money": float(money.loc[o.number, "money"]) if o.number in money.index else 0.0,
                "awards": int(money.loc[o.number, "awards"]) if o.number in money.index else 0,
                "active_awards": int(money.loc[o.number, "active_awards"]) if o.number in money.index else 0,
            }
        )
    aim_rows = []
    for a in aims.itertuples():
        aim_rows.append(
            {
                "code": a.code,
                "number": a.number,
                "title": a.title,
                "description": a.description,
                **_roll_up(statuses(indicators["aim_code"] == a.code)),
            }
        )
    return Overview(
        thresholds=thresholds,
        indicators=indicators,
        assessments=assessments,
        objectives=pd.DataFrame(obj_rows),
        aims=pd.DataFrame(aim_rows),
        register=register,
        need=need,
    )


def values_export(overview: Overview) -> pd.DataFrame:
    """All indicator values in one long table, for the CSV download."""
    frames = []
    for code, a in overview.assessments.items():
        ind = overview.indicators.loc[code]
        v = a.values.copy()
        v.insert(0, "indicator_code", code)
        v.insert(1, "indicator_name", ind["name"])
        v.insert(2, "kind", ind["kind"])
        v.insert(3, "unit", ind["unit"])
        frames.append(v)
    if not frames:
        return pd.DataFrame(columns=["indicator_code", "indicator_name", "kind", "unit", *VALUE_COLUMNS])
    return pd.concat(frames, ignore_index=True)


def framework_version(engine: Engine) -> str:
    """Changes whenever anything the overview shows changes: the key the pages cache the overview on."""
    with engine.connect() as conn:
        values = conn.execute(select(func.count(), func.max(col(IndicatorValue.entered_at)))).one()
        defs = conn.execute(select(func.count(), func.sum(col(Indicator.version)))).one()
        rag_v = conn.execute(select(col(RagSettings.version))).scalar_one_or_none()
        audited = conn.execute(select(func.max(col(AuditEntry.id)))).scalar_one_or_none()  # every service write
    return (
        f"{data_version(engine)}|{tuple(values)}|{tuple(defs)}|{rag_v}|{audited}|{facts_version(engine)}"
        f"|{structure_version(engine)}"
    )
