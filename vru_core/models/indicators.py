"""Performance indicators, the values analysts enter for them, and the stored RAG thresholds."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from vru_core.models.common import utcnow


class Indicator(SQLModel, table=True):
    """One measure of progress. ``kind`` says how its values arrive: computed / register / entered.

    ``method`` names the computation for computed and register indicators (see
    vru_core.framework.indicators.METHODS). A missing ``baseline_value`` means "read it from the
    indicator's own series at ``baseline_period``" (the first value when that is missing too); a
    missing ``target_value`` with ``target_change_pct`` means "the baseline moved by that percentage".
    """

    code: str = Field(primary_key=True, max_length=60)
    name: str
    description: str = ""
    aim_code: str | None = Field(default=None, foreign_key="aim.code", max_length=40)
    objective_number: int | None = Field(default=None, foreign_key="objective.number", index=True)
    unit: str = "count"  # count / percent / gbp / people
    direction: str = "down"  # "down" or "up": which way is good
    kind: str = "entered"  # computed / register / entered
    method: str = ""
    source: str = ""
    baseline_value: float | None = None
    baseline_period: str | None = Field(default=None, max_length=7)  # "YYYY-MM": the month the period ends
    baseline_source: str = ""
    target_value: float | None = None
    target_change_pct: float | None = None
    target_period: str | None = Field(default=None, max_length=7)
    target_note: str = ""
    home_office: bool = False  # one of the Home Office's VRU success measures
    has_borough_breakdown: bool = False
    position: int = 0
    notes: str = ""
    active: bool = True
    version: int = 1


class IndicatorValue(SQLModel, table=True):
    """An entered value: who typed or uploaded it, from which source, dated when."""

    __tablename__ = "indicator_value"
    __table_args__ = (UniqueConstraint("indicator_code", "period", "area_code", name="uq_indicator_value_period_area"),)

    id: int | None = Field(default=None, primary_key=True)
    indicator_code: str = Field(foreign_key="indicator.code", index=True, max_length=60)
    period: str = Field(max_length=7)  # "YYYY-MM": the month the period ends
    area_code: str = Field(default="london", max_length=9)  # "london" or a borough code
    value: float
    source: str
    source_date: dt.date | None = None  # when the source published / dated the figure
    note: str = ""
    entered_by: str
    entered_at: dt.datetime = Field(default_factory=utcnow)
    version: int = 1  # replacing a value names the version the analyst was shown


class RagSettings(SQLModel, table=True):
    """The thresholds of the RAG rule (one row, key "default"); admins change them, audited."""

    __tablename__ = "rag_settings"

    key: str = Field(primary_key=True, max_length=20)
    on_track_progress: float = 0.5  # share of the way from baseline to target that counts as on track
    off_track_below: float = 0.0  # progress below this (0 = worse than baseline) is off track
    trend_tolerance_pct: float = 1.0  # a move against the target smaller than this is "flat"
    updated_by: str = "system"
    updated_at: dt.datetime = Field(default_factory=utcnow)
    version: int = 1
