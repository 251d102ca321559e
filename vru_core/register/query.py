"""Reading the register whole: one load into frames (exports, the editing download) and the same filters in
memory. The register page pages in the database instead: `register_view`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlalchemy import BigInteger, Engine, String, cast, func, select

from vru_core.models import (
    Award,
    AwardArea,
    AwardObjective,
    Borough,
    FundingStream,
    Organisation,
    Payment,
    PriorityArea,
    Ward,
)
from vru_core.platform.csvsafe import safe_csv
from vru_core.register.columns import TEMPLATE_COLUMNS, template_row
from vru_core.register.statuses import COMMITTED

AWARD_COLUMNS = [
    "identifier",
    "title",
    "description",
    "recipient",
    "recipient_org_id",
    "recipient_type",
    "charity_number",
    "company_number",
    "amount",
    "paid",
    "award_date",
    "planned_start",
    "planned_end",
    "funding_stream",
    "funding_stream_name",
    "priority_area",
    "priority_area_title",
    "geography_level",
    "status",
    "version",
    "is_example",
]


@dataclass(frozen=True)
class RegisterData:
    """awards: one row per award (index award id; money in pounds as float for display and sums).
    objectives: (award_id, objective_number). areas: (award_id, area_code, area_type, borough_code, amount)."""

    awards: pd.DataFrame
    objectives: pd.DataFrame
    areas: pd.DataFrame


def iso_date(column):
    """A date column as 'YYYY-MM-DD' text from the database (SQLite stores it so; PostgreSQL casts so),
    which skips parsing 100,000s of dates in Python only to print them again."""
    return cast(column, String)


def iso_timestamp(column, dialect: str):
    """A UTC timestamp column formatted by the database as RFC 3339 ('2026-11-25T15:21:21Z')."""
    if dialect == "postgresql":
        return func.to_char(func.timezone("UTC", column), 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
    return func.strftime("%Y-%m-%dT%H:%M:%SZ", column)


def register_version(engine: Engine) -> str:
    """Changes whenever the register does: the key pages cache the loaded register on."""
    with engine.connect() as conn:
        n, last = conn.execute(select(func.count(Award.id), func.max(Award.updated_at))).one()
        n_pay, last_pay = conn.execute(select(func.count(Payment.id), func.max(Payment.id))).one()
    return f"{n}:{last}:{n_pay}:{last_pay}"


def paid_subquery():
    """Pence paid per award (awards with no payment have no row)."""
    return (
        select(Payment.award_id, cast(func.sum(Payment.amount_pence), BigInteger).label("paid_pence"))
        .group_by(Payment.award_id)
        .subquery()
    )


def paid_per_award():
    """Pence paid on the award of the enclosing query, read from the payment index (for a few rows)."""
    total = select(func.sum(Payment.amount_pence)).where(Payment.award_id == Award.id).scalar_subquery()
    return cast(func.coalesce(total, 0), BigInteger)


def award_select(paid=None):
    """One row per award in AWARD_COLUMNS order (after the id), joined as the register shows it. `paid`:
    a `paid_subquery()` joined (reading every payment once: for the whole register), or None for a
    correlated look-up per row (for a page)."""
    query = (
        select(
            Award.id,
            Award.identifier,
            Award.title,
            Award.description,
            Organisation.name,
            Organisation.org_id,
            Organisation.org_type,
            Organisation.charity_number,
            Organisation.company_number,
            Award.amount_pence,
            func.coalesce(paid.c.paid_pence, 0) if paid is not None else paid_per_award(),
            iso_date(Award.award_date),
            iso_date(Award.planned_start),
            iso_date(Award.planned_end),
            Award.funding_stream_code,
            FundingStream.name,
            Award.priority_area_code,
            PriorityArea.title,
            Award.geography_level,
            Award.status,
            Award.version,
            Award.is_example,
        )
        .join(Organisation, Organisation.id == Award.organisation_id)
        .join(FundingStream, FundingStream.code == Award.funding_stream_code)
        .outerjoin(PriorityArea, PriorityArea.code == Award.priority_area_code)
    )
    return query.outerjoin(paid, paid.c.award_id == Award.id) if paid is not None else query


def awards_frame(rows) -> pd.DataFrame:
    """Rows of `award_select` as the register's awards frame (index award id, pounds, dates)."""
    awards = pd.DataFrame(list(map(tuple, rows)), columns=["id", *AWARD_COLUMNS]).set_index("id")
    awards["amount"] = awards["amount"].astype("int64") / 100
    awards["paid"] = awards["paid"].astype("int64") / 100
    awards["is_example"] = awards["is_example"].astype(bool)
    for col in ("award_date", "planned_start", "planned_end"):
        awards[col] = pd.to_datetime(awards[col], format="%Y-%m-%d")
    return awards


def load_register(engine: Engine) -> RegisterData:
    """The whole register in memory: for exports and the editing download, not for the register page."""
    with engine.connect() as conn:
        rows = conn.execute(award_select(paid_subquery()).order_by(Award.award_date.desc(), Award.id.desc())).all()
        objectives = conn.execute(select(AwardObjective.award_id, AwardObjective.objective_number)).all()
        areas = conn.execute(
            select(
                AwardArea.award_id,
                AwardArea.area_code,
                AwardArea.area_type,
                func.coalesce(Ward.borough_code, AwardArea.area_code),
                AwardArea.amount_pence,
            ).outerjoin(Ward, Ward.code == AwardArea.area_code)
        ).all()
    awards = awards_frame(rows)
    objectives = pd.DataFrame(list(map(tuple, objectives)), columns=["award_id", "objective_number"])
    areas = pd.DataFrame(
        list(map(tuple, areas)), columns=["award_id", "area_code", "area_type", "borough_code", "amount"]
    )
    areas["amount"] = areas["amount"].astype("float64") / 100
    return RegisterData(awards=awards, objectives=objectives, areas=areas)


@dataclass(frozen=True)
class RegisterFilter:
    """Empty means 'any'. Dates filter on the award date, inclusive."""

    funding_streams: tuple[str, ...] = ()
    objectives: tuple[int, ...] = ()
    priority_areas: tuple[str, ...] = ()
    boroughs: tuple[str, ...] = ()
    wards: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    include_examples: bool = True
    text: str = ""


def filter_register(data: RegisterData, flt: RegisterFilter) -> pd.DataFrame:
    """The awards matching every filter; a borough filter also matches ward-level awards in that borough."""
    awards = data.awards
    mask = np.ones(len(awards), dtype=bool)
    if flt.funding_streams:
        mask &= awards["funding_stream"].isin(flt.funding_streams).to_numpy()
    if flt.priority_areas:
        mask &= awards["priority_area"].isin(flt.priority_areas).to_numpy()
    if flt.statuses:
        mask &= awards["status"].isin(flt.statuses).to_numpy()
    if not flt.include_examples:
        mask &= ~awards["is_example"].to_numpy(dtype=bool)
    if flt.date_from is not None:
        mask &= (awards["award_date"] >= pd.Timestamp(flt.date_from)).to_numpy()
    if flt.date_to is not None:
        mask &= (awards["award_date"] <= pd.Timestamp(flt.date_to)).to_numpy()
    if flt.objectives:
        ids = data.objectives.loc[data.objectives["objective_number"].isin(flt.objectives), "award_id"].unique()
        mask &= awards.index.isin(ids)
    if flt.boroughs:
        ids = data.areas.loc[data.areas["borough_code"].isin(flt.boroughs), "award_id"].unique()
        mask &= awards.index.isin(ids)
    if flt.wards:
        ids = data.areas.loc[data.areas["area_code"].isin(flt.wards), "award_id"].unique()
        mask &= awards.index.isin(ids)
    if flt.text.strip():
        needle = flt.text.strip().lower()
        hay = (awards["title"] + " " + awards["recipient"] + " " + awards["identifier"]).str.lower()
        mask &= hay.str.contains(needle, regex=False).to_numpy()
    return awards[mask]


def totals(awards: pd.DataFrame) -> dict:
    """What the register page's figures count: `committed` is approved, active and completed awards only
    (what is awarded); `proposed` awaits approval and is not awarded; withdrawn awards count in neither."""
    committed = awards["status"].isin(COMMITTED)
    return {
        "awards": len(awards),
        "committed": float(awards.loc[committed, "amount"].sum()),
        "committed_awards": int(committed.sum()),
        "proposed": float(awards.loc[awards["status"] == "proposed", "amount"].sum()),
        "proposed_awards": int((awards["status"] == "proposed").sum()),
        "paid": float(awards["paid"].sum()),
        "organisations": int(awards["recipient_org_id"].nunique()),
    }


def choices(engine: Engine) -> dict:
    """Labels for the filter and form widgets: streams, priority areas, objectives, boroughs, wards."""
    from vru_core.models import Objective

    with engine.connect() as conn:
        return {
            "funding_streams": dict(
                conn.execute(select(FundingStream.code, FundingStream.name).order_by(FundingStream.name)).all()
            ),
            "priority_areas": dict(
                conn.execute(select(PriorityArea.code, PriorityArea.title).order_by(PriorityArea.title)).all()
            ),
            "objectives": dict(
                conn.execute(select(Objective.number, Objective.title).order_by(Objective.number)).all()
            ),
            "boroughs": dict(conn.execute(select(Borough.code, Borough.name).order_by(Borough.name)).all()),
            "wards": {
                code: f"{name} ({borough})"
                for code, name, borough in conn.execute(
                    select(Ward.code, Ward.name, Borough.name)
                    .join(Borough, Borough.code == Ward.borough_code)
                    .order_by(Ward.name, Borough.name)
                ).all()
            },
        }


DISPLAY_COLUMNS = [
    "identifier",
    "title",
    "recipient",
    "amount",
    "paid",
    "status",
    "award_date",
    "planned_start",
    "planned_end",
    "funding_stream_name",
    "priority_area_title",
    "geography_level",
    "example",
]


def display_table(awards: pd.DataFrame) -> pd.DataFrame:
    """The register as the Register page lists it: a link to each award, then the columns people read."""
    return awards.assign(
        open=[f"/award?id={i}" for i in awards.index],
        example=awards["is_example"].map({True: "EXAMPLE", False: ""}),
    )[["open", *DISPLAY_COLUMNS]]


def display_csv(awards: pd.DataFrame) -> bytes:
    """The rows shown, as a spreadsheet-safe CSV (text that would run as a formula is escaped)."""
    return safe_csv(display_table(awards).drop(columns=["open"]))


def editing_frame(data: RegisterData, awards: pd.DataFrame) -> pd.DataFrame:
    """The awards as rows of the import template, each with its version: edit them in a spreadsheet and
    import the file again; an award changed in the register meanwhile is reported, never overwritten."""
    objectives = data.objectives.groupby("award_id")["objective_number"].apply(lambda s: sorted(s.tolist()))
    areas = data.areas.sort_values("area_code").groupby("award_id")
    rows = []
    for award_id, a in awards.iterrows():
        mine = areas.get_group(award_id) if award_id in areas.groups else data.areas.iloc[0:0]
        split = mine["amount"].tolist()
        snapshot = {
            **a.to_dict(),
            "amount_awarded": f"{a['amount']:.2f}",
            "award_date": f"{a['award_date']:%Y-%m-%d}",
            "planned_start": f"{a['planned_start']:%Y-%m-%d}",
            "planned_end": f"{a['planned_end']:%Y-%m-%d}",
            "objectives": objectives.get(award_id, []),
            "areas": mine["area_code"].tolist(),
            "area_amounts": [f"{x:.2f}" for x in split] if split and not any(pd.isna(x) for x in split) else [],
        }
        organisation = {
            "name": a["recipient"],
            "org_type": a["recipient_type"],
            "charity_number": a["charity_number"],
            "company_number": a["company_number"],
        }
        rows.append(template_row(snapshot, organisation))
    return pd.DataFrame(rows, columns=list(TEMPLATE_COLUMNS))
