"""Indicators derived from the commissioning register: money, awards, reach and returns' RAG.

Built on the register's own loader (:mod:`vru_core.register.query`) and its funding-against-need rules
(:mod:`vru_core.register.funding_need`), so the overview and the Funding vs need page give the same
answers: committed money means approved, active or completed awards; an award with several objectives
counts against each in equal shares (so objective totals add up to the register's); ward awards sit on
their wards (by the split given, otherwise equally), borough awards are spread over the borough's
wards by population, London-wide awards sit on no ward. Example awards are included (the pages say
so while any are present).

Monitoring-return periods "YYYY-Qn" are calendar quarters, labelled by the month the quarter ends
("2026-Q3" -> "2026-09") like every other indicator period.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd
import sqlalchemy as sa
from sqlalchemy import Engine, func, select
from sqlmodel import col

from vru_core.models import MonitoringReturn
from vru_core.platform.db import read_frame
from vru_core.register import funding_need
from vru_core.register.query import RegisterData, load_register, register_version

ACTIVE = "active"
TOP_NEED_PCT = 10.0
COLUMNS = ["period", "area_code", "value"]
RETURN_COLUMNS = ["award_id", "period", "month", "rag", "people_reached", "under_25_reached"]


@dataclass(frozen=True)
class RegisterFacts:
    """The register (all statuses) and its monitoring returns, as the framework reads them."""

    register: RegisterData
    returns: pd.DataFrame  # RETURN_COLUMNS

    @property
    def committed(self) -> RegisterData:
        return funding_need.committed(self.register)

    @property
    def n_examples(self) -> int:
        return int(self.register.awards["is_example"].astype(bool).sum())


def load_facts(engine: Engine) -> RegisterFacts:
    columns = ["award_id", "period", "rag", "people_reached", "under_25_reached"]
    returns = read_frame(engine, sa.select(*(col(getattr(MonitoringReturn, c)) for c in columns)), columns)
    returns["month"] = returns["period"].map(period_month)
    returns["rag"] = returns["rag"].astype("str").str.lower()
    return RegisterFacts(register=load_register(engine), returns=returns[RETURN_COLUMNS])


def facts_version(engine: Engine) -> str:
    """Changes when awards or returns change (the overview's cache key includes it)."""
    with engine.connect() as conn:
        n, last = conn.execute(
            select(func.count(col(MonitoringReturn.id)), func.max(col(MonitoringReturn.created_at)))
        ).one()
    return f"{register_version(engine)}|{n}|{last}"


_QUARTER = re.compile(r"^(\d{4})-?Q([1-4])$", re.IGNORECASE)
_MONTH = re.compile(r"^(\d{4})-(\d{2})")


def period_month(period: object) -> str | None:
    """A return's period as the month it ends: "2026-Q3" -> "2026-09", "2026-05-31" -> "2026-05"."""
    text = str(period or "").strip()
    if m := _QUARTER.match(text):
        return f"{m.group(1)}-{int(m.group(2)) * 3:02d}"
    if m := _MONTH.match(text):
        return f"{m.group(1)}-{m.group(2)}"
    return None


def _objective_share(data: RegisterData, objective: int | None) -> pd.Series:
    """Per award (index id): the share of its money that counts for the objective (1 when no objective)."""
    if objective is None:
        return pd.Series(1.0, index=data.awards.index)
    links = data.objectives
    n = links.groupby("award_id")["objective_number"].transform("count")
    mine = links[links["objective_number"] == objective]
    share = (1.0 / n[mine.index]).groupby(mine["award_id"]).sum()
    return share.reindex(data.awards.index, fill_value=0.0)


def _months(dates: pd.Series) -> list[str]:
    months = dates.dt.strftime("%Y-%m")
    return [str(p) for p in pd.period_range(months.min(), months.max(), freq="M")]


def money_awarded(facts: RegisterFacts, objective: int | None = None) -> pd.DataFrame:
    """Cumulative committed money (GBP) by month of award (an objective's equal share when one is given)."""
    data = facts.committed
    money = data.awards["amount"] * _objective_share(data, objective)
    money = money[money > 0]
    if money.empty:
        return pd.DataFrame(columns=COLUMNS)
    dates = data.awards.loc[money.index, "award_date"]
    months = _months(dates)
    cum = money.groupby(dates.dt.strftime("%Y-%m")).sum().reindex(months, fill_value=0.0).cumsum()
    return pd.DataFrame({"period": months, "area_code": "london", "value": cum.to_numpy(dtype="float64")})


def top_need_count(scores: pd.DataFrame, top_pct: float = TOP_NEED_PCT) -> int:
    """How many wards make the top ``top_pct``% (of wards with a score)."""
    return math.ceil(int(scores["score"].notna().sum()) * top_pct / 100.0)


@dataclass(frozen=True)
class NeedShare:
    """The answer to "how much of our money goes to the highest-need wards?"."""

    top_n: int
    money_top: float  # committed money placed on the top-N need wards
    money_placed: float  # committed money placed on any ward
    london_wide: float  # committed money of London-wide awards (on no ward)
    even_share: float  # what the top N would get if money were spread evenly over wards (0..1)

    @property
    def share(self) -> float | None:
        """Percent of the money placed on wards that reaches the top-N need wards."""
        return self.money_top / self.money_placed * 100.0 if self.money_placed else None


def need_share(data: RegisterData, scores: pd.DataFrame, wards: pd.DataFrame, top_n: int) -> NeedShare:
    """Committed money against need, by the register's funding-against-need rules.

    scores: the scoring table (index ward_code; score, rank); wards: index ward_code; borough_code,
    population (the measure frame's wards).
    """
    result = funding_need.against_need(data, wards, scores, top_n)
    return NeedShare(
        top_n=top_n,
        money_top=result.money_top,
        money_placed=result.money_placed,
        london_wide=result.london_wide,
        even_share=result.even_share,
    )


def default_need_inputs(engine: Engine) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(scores table, wards) under the default scoring profile."""
    from vru_core.needs.measures import load_measure_frame
    from vru_core.needs.scoring import Profile, score

    frame = load_measure_frame(engine)
    return score(frame, Profile()).table, frame.wards


def money_top_need_share(
    facts: RegisterFacts, scores: pd.DataFrame, wards: pd.DataFrame, objective: int | None = None
) -> pd.DataFrame:
    """Share (percent) of committed ward money reaching the top-10% need wards, at each quarter end.

    Quarterly (like monitoring returns) rather than monthly: each point re-places all money so far on
    the wards by the register's rules, which costs a scoring join per point.
    """
    data = facts.committed
    share = _objective_share(data, objective)
    awards = data.awards[share > 0]
    if awards.empty:
        return pd.DataFrame(columns=COLUMNS)
    top_n = top_need_count(scores)
    rows = []
    quarters = pd.period_range(awards["award_date"].min(), awards["award_date"].max(), freq="Q")
    for month in (q.asfreq("M", how="end").strftime("%Y-%m") for q in quarters):
        upto = awards[awards["award_date"].dt.strftime("%Y-%m") <= month]
        subset = RegisterData(
            awards=upto,
            objectives=data.objectives[data.objectives["award_id"].isin(upto.index)],
            areas=data.areas[data.areas["award_id"].isin(upto.index)],
        )
        ns = need_share(subset, scores, wards, top_n)
        if ns.share is not None:
            rows.append({"period": month, "area_code": "london", "value": ns.share})
    return pd.DataFrame(rows, columns=COLUMNS)


def _returns(facts: RegisterFacts, objective: int | None) -> pd.DataFrame:
    ret = facts.returns[facts.returns["month"].notna()]
    if objective is not None:
        links = facts.register.objectives
        ret = ret[ret["award_id"].isin(set(links.loc[links["objective_number"] == objective, "award_id"]))]
    return ret


def reached(facts: RegisterFacts, column: str, objective: int | None = None) -> pd.DataFrame:
    """People (``people_reached``) or under-25s (``under_25_reached``) reached, summed per return period."""
    ret = _returns(facts, objective)
    if ret.empty:
        return pd.DataFrame(columns=COLUMNS)
    sums = ret.groupby("month")[column].sum().astype("float64")
    return pd.DataFrame({"period": sums.index.astype("str"), "area_code": "london", "value": sums.to_numpy()})


def returns_rag_shares(facts: RegisterFacts, objective: int | None = None) -> pd.DataFrame:
    """Share (percent) of returns rated red, amber and green per period: period, red, amber, green, returns."""
    ret = _returns(facts, objective)
    if ret.empty:
        return pd.DataFrame(columns=["period", "red", "amber", "green", "returns"])
    counts = pd.crosstab(ret["month"], ret["rag"]).reindex(columns=["red", "amber", "green"], fill_value=0)
    total = counts.sum(axis=1)
    shares = counts.div(total, axis=0) * 100.0
    shares["returns"] = total
    shares.index.name = "period"
    return shares.reset_index()


def returns_green_share(facts: RegisterFacts, objective: int | None = None) -> pd.DataFrame:
    shares = returns_rag_shares(facts, objective)
    return pd.DataFrame({"period": shares["period"], "area_code": "london", "value": shares["green"]}).astype(
        {"value": "float64"}
    )[COLUMNS]


def _active_by(data: RegisterData, key: str) -> pd.Series:
    active = data.awards[data.awards["status"] == ACTIVE]
    if key == "objective_number":
        links = data.objectives[data.objectives["award_id"].isin(active.index)]
        return links.groupby("objective_number")["award_id"].nunique()
    return active.groupby(active[key].fillna("none")).size()


def by_objective(facts: RegisterFacts) -> pd.DataFrame:
    """Per objective 1..8: committed money (equal shares), committed awards, active awards."""
    totals = funding_need.totals_by(facts.committed, "objective").set_index("objective")
    out = pd.DataFrame(index=pd.RangeIndex(1, 9, name="objective_number"))
    out["money"] = totals["money"].reindex(out.index).fillna(0.0).astype("float64")
    out["awards"] = totals["awards"].reindex(out.index).fillna(0).astype("int64")
    out["active_awards"] = _active_by(facts.register, "objective_number").reindex(out.index).fillna(0).astype("int64")
    return out


def by_priority_area(facts: RegisterFacts) -> pd.DataFrame:
    """Per priority area (code, "none" for awards without one): committed money and awards, active awards."""
    totals = funding_need.totals_by(facts.committed, "priority_area").set_index("priority_area")
    out = totals[["money", "awards"]].copy()
    active = _active_by(facts.register, "priority_area")
    out = out.reindex(out.index.union(active.index)).fillna(0)
    out["active_awards"] = active.reindex(out.index).fillna(0)
    out.index.name = "priority_area_code"
    return out.astype({"money": "float64", "awards": "int64", "active_awards": "int64"}).sort_values(
        "money", ascending=False
    )


def priority_area_money(facts: RegisterFacts, titles: Mapping[str, str]) -> pd.DataFrame:
    """For the given priority areas (code -> title, in order): title, committed money, awards and active
    awards (0 where none); index the area code."""
    money = by_priority_area(facts)
    out = pd.DataFrame({"title": list(titles.values())}, index=pd.Index(list(titles), name="code"))
    for column, dtype in (("money", "float64"), ("awards", "int64"), ("active_awards", "int64")):
        out[column] = money[column].reindex(out.index).fillna(0).astype(dtype)
    return out


def priority_area_table(facts: RegisterFacts) -> pd.DataFrame:
    """:func:`priority_area_money` for every priority area with committed or active awards, most money first,
    titled as the register names them ("No priority area" for awards without one)."""
    titles = facts.register.awards.drop_duplicates("priority_area").set_index("priority_area")["priority_area_title"]
    codes = by_priority_area(facts).index
    return priority_area_money(facts, {c: titles.get(c) or ("No priority area" if c == "none" else c) for c in codes})


def awards_for_objective(facts: RegisterFacts, objective: int) -> pd.DataFrame:
    """The awards linked to one objective (any status), newest first; index award id."""
    links = facts.register.objectives
    ids = set(links.loc[links["objective_number"] == objective, "award_id"])
    awards = facts.register.awards
    return awards[awards.index.isin(ids)].sort_values("award_date", ascending=False)


def register_values(
    engine: Engine,
    method: str,
    objective: int | None,
    facts: RegisterFacts | None = None,
    need_inputs: tuple[pd.DataFrame, pd.DataFrame] | None = None,
) -> pd.DataFrame:
    """Values of a register indicator, named by its method ("register:<name>").

    need_inputs: (scores, wards) from :func:`default_need_inputs`, when the caller already has them.
    """
    facts = facts if facts is not None else load_facts(engine)
    name = method.removeprefix("register:")
    if name == "money_awarded":
        return money_awarded(facts, objective)
    if name == "money_top_need_share":
        if facts.committed.awards.empty:
            return pd.DataFrame(columns=COLUMNS)
        scores, wards = need_inputs or default_need_inputs(engine)
        return money_top_need_share(facts, scores, wards, objective)
    if name in ("people_reached", "under_25_reached"):
        return reached(facts, name, objective)
    if name == "returns_green_share":
        return returns_green_share(facts, objective)
    raise KeyError(f"unknown register method {method!r}")
