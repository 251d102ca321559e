"""Funding against need: where the committed money goes, set beside the ward need scores.

How money is placed on wards (stated on the page too):
- a ward-level award goes to its wards by the split given, otherwise equally;
- a borough-level award is spread over the borough's wards in proportion to population;
- London-wide awards are not placed on any ward; they are reported as a separate total.
Objective totals split an award equally across its objectives, so the totals add up to the register's.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from vru_core.needs.measures import MeasureFrame
from vru_core.needs.scoring import Profile, score
from vru_core.register.query import RegisterData

COMMITTED = ("approved", "active", "completed")


def committed(data: RegisterData, *, statuses=COMMITTED, include_examples: bool = True) -> RegisterData:
    keep = data.awards["status"].isin(statuses)
    if not include_examples:
        keep &= ~data.awards["is_example"].astype(bool)
    awards = data.awards[keep]
    return RegisterData(
        awards=awards,
        objectives=data.objectives[data.objectives["award_id"].isin(awards.index)],
        areas=data.areas[data.areas["award_id"].isin(awards.index)],
    )


def _area_money(data: RegisterData) -> pd.DataFrame:
    """(award_id, area_code, area_type, money): each award's amount placed on its listed areas."""
    areas = data.areas.copy()
    if areas.empty:
        return areas.assign(money=pd.Series(dtype="float64"))
    amount = areas["award_id"].map(data.awards["amount"])
    n = areas.groupby("award_id")["area_code"].transform("count")
    areas["money"] = np.where(areas["amount"].notna(), areas["amount"], amount / n)
    return areas


def ward_money(data: RegisterData, wards: pd.DataFrame) -> pd.DataFrame:
    """Per ward: direct (ward awards), from_borough (borough awards by population share), total, per_head.

    `wards`: index ward_code, columns borough_code, population."""
    areas = _area_money(data)
    direct = areas[areas["area_type"] == "ward"].groupby("area_code")["money"].sum()
    borough_money = areas[areas["area_type"] == "borough"].groupby("area_code")["money"].sum()
    pop = wards["population"].astype("float64").fillna(0.0)
    borough_pop = pop.groupby(wards["borough_code"]).transform("sum")
    share = np.where(borough_pop > 0, pop / borough_pop.replace(0, np.nan), 0.0)
    from_borough = wards["borough_code"].map(borough_money).fillna(0.0) * share
    out = pd.DataFrame(index=wards.index)
    out["direct"] = direct.reindex(wards.index).fillna(0.0)
    out["from_borough"] = from_borough.astype("float64")
    out["total"] = out["direct"] + out["from_borough"]
    out["per_head"] = np.where(pop > 0, out["total"] / pop.replace(0, np.nan), np.nan)
    return out


def london_wide_total(data: RegisterData) -> float:
    return float(data.awards.loc[data.awards["geography_level"] == "london", "amount"].sum())


def need_and_money(scores: pd.DataFrame, money: pd.DataFrame) -> pd.DataFrame:
    """Scores (index ward_code: ward_name, borough_name, score, rank) joined with ward money, by need rank."""
    cols = [c for c in ("ward_name", "borough_name", "score", "rank") if c in scores.columns]
    joined = scores[cols].join(money, how="left")
    joined[["direct", "from_borough", "total"]] = joined[["direct", "from_borough", "total"]].fillna(0.0)
    return joined.sort_values(["rank", "score"], ascending=[True, False])


def share_to_top(joined: pd.DataFrame, top_n: int) -> dict:
    """Share of the money placed on wards that reaches the top-N need wards (and what an even spread would give)."""
    placed = float(joined["total"].sum())
    top = joined.nsmallest(top_n, "rank")
    top_money = float(top["total"].sum())
    return {
        "top_n": top_n,
        "money_top": top_money,
        "money_placed": placed,
        "share": top_money / placed if placed > 0 else 0.0,
        "even_share": top_n / len(joined) if len(joined) else 0.0,
    }


def underfunded(joined: pd.DataFrame, *, top_n: int, per_head_below: float = 1.0) -> pd.DataFrame:
    """High-need wards (top N by rank) with no money, or less than `per_head_below` pounds per resident."""
    top = joined.nsmallest(top_n, "rank")
    low = (top["total"] <= 0) | (top["per_head"].fillna(0.0) < per_head_below)
    return top[low]


def _split_equally(frame: pd.DataFrame, key: str, awards: pd.DataFrame) -> pd.Series:
    n = frame.groupby("award_id")[key].transform("count")
    return frame["award_id"].map(awards["amount"]) / n


def totals_by(data: RegisterData, dimension: str, labels: dict | None = None) -> pd.DataFrame:
    """Money and award counts by objective, funding_stream, priority_area or borough."""
    awards = data.awards
    if dimension == "objective":
        obj = data.objectives.copy()
        obj["money"] = _split_equally(obj, "objective_number", awards)
        out = obj.groupby("objective_number").agg(money=("money", "sum"), awards=("award_id", "nunique"))
    elif dimension == "borough":
        areas = _area_money(data)
        by_borough = areas.groupby("borough_code").agg(money=("money", "sum"), awards=("award_id", "nunique"))
        london = awards[awards["geography_level"] == "london"]
        if len(london):
            by_borough.loc["London-wide"] = [float(london["amount"].sum()), len(london)]
        out = by_borough
    elif dimension in ("funding_stream", "priority_area"):
        out = (
            awards.assign(key=awards[dimension].fillna("none"))
            .groupby("key")
            .agg(money=("amount", "sum"), awards=("amount", "size"))
        )
    else:
        raise ValueError(f"unknown dimension {dimension!r}")
    out.index.name = dimension
    out = out.reset_index()
    out["label"] = out[dimension].map(lambda k: (labels or {}).get(k, str(k)))
    return out.sort_values("money", ascending=False).reset_index(drop=True)


@dataclass(frozen=True)
class FundingNeed:
    """Committed money set against need for one profile and top N: what the Funding vs need page shows."""

    committed: RegisterData  # the committed awards the figures are built from
    joined: pd.DataFrame  # per ward by need rank: names, score, rank, direct, from_borough, total, per_head
    top_n: int
    money_top: float  # committed money placed on the top-N need wards
    money_placed: float  # committed money placed on any ward
    share: float  # money_top / money_placed (0..1; 0 when nothing is placed)
    even_share: float  # what the top N would get if money were spread evenly over wards (0..1)
    london_wide: float  # committed money of London-wide awards (on no ward)

    def underfunded(self, per_head_below: float = 1.0) -> pd.DataFrame:
        return underfunded(self.joined, top_n=self.top_n, per_head_below=per_head_below)

    def totals_by(self, dimension: str, labels: dict | None = None) -> pd.DataFrame:
        return totals_by(self.committed, dimension, labels)


def against_need(
    data: RegisterData, wards: pd.DataFrame, scores: pd.DataFrame, top_n: int, *, include_examples: bool = True
) -> FundingNeed:
    """The whole pipeline: committed awards, money placed on wards, joined with the need scores, share to the top N.

    wards: index ward_code; borough_code, population. scores: a scoring table (index ward_code; ward_name,
    borough_name, score, rank)."""
    committed_data = committed(data, include_examples=include_examples)
    joined = need_and_money(scores, ward_money(committed_data, wards))
    share = share_to_top(joined, top_n)
    return FundingNeed(
        committed=committed_data,
        joined=joined,
        top_n=top_n,
        money_top=share["money_top"],
        money_placed=share["money_placed"],
        share=share["share"],
        even_share=share["even_share"],
        london_wide=london_wide_total(committed_data),
    )


def for_profile(
    data: RegisterData, frame: MeasureFrame, profile: Profile | None, top_n: int, *, include_examples: bool = True
) -> FundingNeed:
    """:func:`against_need` with the ward need scores of a scoring profile (the default profile when None)."""
    scores = score(frame, profile or Profile()).table
    return against_need(data, frame.wards, scores, top_n, include_examples=include_examples)
