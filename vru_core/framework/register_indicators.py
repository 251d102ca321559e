"""Indicators derived from the commissioning register: money, awards, reach and returns' RAG.

Reads the register's tables (award, award_objective, award_area, monitoring_return) by reflection,
so this module works whether or not the register is installed: with no register every figure is
empty/zero. Money is held in pence by the register and returned here in pounds.

"Committed" money means awards approved, active or completed (proposed and withdrawn ones do not
count). Monitoring-return periods "YYYY-Qn" are calendar quarters and are labelled by the month
the quarter ends ("2026-Q3" -> "2026-09"), like every other indicator period.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Engine, MetaData, Table, inspect, select

COMMITTED = ("approved", "active", "completed")
ACTIVE = ("active",)
TOP_NEED_PCT = 10.0
REGISTER_TABLES = ("award", "award_objective", "award_area", "monitoring_return")
COLUMNS = ["period", "area_code", "value"]


@dataclass(frozen=True)
class RegisterData:
    """The register as plain frames (pounds, not pence). Empty frames when there is no register."""

    awards: pd.DataFrame  # id, amount, award_date (Timestamp), status, priority_area_code, funding_stream_code
    objectives: pd.DataFrame  # award_id, objective_number
    areas: pd.DataFrame  # award_id, area_code, area_type, amount (NaN when not split)
    returns: pd.DataFrame  # award_id, period (raw), month ("YYYY-MM"), rag, people_reached, under_25_reached

    @property
    def committed(self) -> pd.DataFrame:
        return self.awards[self.awards["status"].isin(COMMITTED)]


_EMPTY = {
    "award": ["id", "amount", "award_date", "status", "priority_area_code", "funding_stream_code", "title"],
    "award_objective": ["award_id", "objective_number"],
    "award_area": ["award_id", "area_code", "area_type", "amount"],
    "monitoring_return": ["award_id", "period", "month", "rag", "people_reached", "under_25_reached"],
}


def register_installed(engine: Engine) -> bool:
    names = set(inspect(engine).get_table_names())
    return all(t in names for t in REGISTER_TABLES)


def load_register(engine: Engine) -> RegisterData:
    if not register_installed(engine):
        return RegisterData(*(pd.DataFrame(columns=_EMPTY[t]) for t in REGISTER_TABLES))
    meta = MetaData()
    tables = {t: Table(t, meta, autoload_with=engine) for t in REGISTER_TABLES}
    with engine.connect() as conn:
        frames = {t: pd.DataFrame(conn.execute(select(tables[t])).mappings().all()) for t in REGISTER_TABLES}
    awards = _frame(frames["award"], _EMPTY["award"] + ["amount_pence"])
    awards["amount"] = awards["amount_pence"].astype("float64") / 100.0
    awards["award_date"] = pd.to_datetime(awards["award_date"])
    areas = _frame(frames["award_area"], ["award_id", "area_code", "area_type", "amount_pence"])
    areas["amount"] = areas["amount_pence"].astype("float64") / 100.0
    returns = _frame(frames["monitoring_return"], _EMPTY["monitoring_return"])
    returns["month"] = returns["period"].map(period_month)
    returns["rag"] = returns["rag"].astype("str").str.lower()
    return RegisterData(
        awards=awards[_EMPTY["award"]],
        objectives=_frame(frames["award_objective"], _EMPTY["award_objective"]),
        areas=areas[_EMPTY["award_area"]],
        returns=returns,
    )


def _frame(df: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    for c in columns:
        if c not in df.columns:
            df[c] = pd.Series(dtype="object")
    return df


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


def _filter_objective(data: RegisterData, awards: pd.DataFrame, objective: int | None) -> pd.DataFrame:
    if objective is None:
        return awards
    ids = set(data.objectives.loc[data.objectives["objective_number"] == objective, "award_id"])
    return awards[awards["id"].isin(ids)]


def _months_to(awards: pd.DataFrame) -> list[str]:
    months = awards["award_date"].dt.strftime("%Y-%m")
    return [str(p) for p in pd.period_range(months.min(), months.max(), freq="M")]


def money_awarded(data: RegisterData, objective: int | None = None) -> pd.DataFrame:
    """Cumulative committed money (GBP) by month of award."""
    awards = _filter_objective(data, data.committed, objective)
    if awards.empty:
        return pd.DataFrame(columns=COLUMNS)
    monthly = awards.groupby(awards["award_date"].dt.strftime("%Y-%m"))["amount"].sum()
    months = _months_to(awards)
    cum = monthly.reindex(months, fill_value=0.0).cumsum()
    return pd.DataFrame({"period": months, "area_code": "london", "value": cum.to_numpy(dtype="float64")})


def ward_money(data: RegisterData, awards: pd.DataFrame) -> pd.DataFrame:
    """Money per award and area: award_id, area_code, area_type, amount.

    An award's areas without their own amount share what is left of the award equally; awards with
    no area at all appear once with area_type "london".
    """
    totals = awards[["id", "amount"]].rename(columns={"id": "award_id", "amount": "award_amount"})
    areas = data.areas[data.areas["award_id"].isin(set(awards["id"]))].merge(totals, on="award_id")
    unsplit = areas["amount"].isna()
    split_sum = areas["amount"].fillna(0.0).groupby(areas["award_id"]).transform("sum")
    n_unsplit = unsplit.groupby(areas["award_id"]).transform("sum")
    rest = (areas["award_amount"] - split_sum).clip(lower=0.0)
    areas["amount"] = areas["amount"].astype("float64").where(~unsplit, rest / n_unsplit.where(n_unsplit > 0, 1))
    no_area = totals[~totals["award_id"].isin(set(areas["award_id"]))]
    london = pd.DataFrame(
        {
            "award_id": no_area["award_id"],
            "area_code": "london",
            "area_type": "london",
            "amount": no_area["award_amount"],
        }
    )
    columns = ["award_id", "area_code", "area_type", "amount"]
    out = pd.concat([areas[columns], london[columns]], ignore_index=True) if len(london) else areas[columns]
    return out.astype({"amount": "float64"}).reset_index(drop=True)


def top_need_wards(engine: Engine, top_pct: float = TOP_NEED_PCT) -> set[str]:
    """The top ``top_pct``% of wards by need score under the default scoring profile."""
    from vru_core.measures import load_measure_frame
    from vru_core.scoring import Profile, score

    table = score(load_measure_frame(engine), Profile()).table
    scored = table[table["score"].notna()]
    cutoff = math.ceil(len(scored) * top_pct / 100.0)
    return set(scored.index[scored["rank"] <= cutoff].astype("str"))


@dataclass(frozen=True)
class NeedShare:
    """The answer to "how much of our money goes to the highest-need wards?"."""

    total: float
    top_need: float
    other_wards: float
    borough_or_london: float
    n_top_need_wards: int

    @property
    def share(self) -> float | None:
        return self.top_need / self.total * 100.0 if self.total else None


def need_share(data: RegisterData, top_wards: set[str], until: str | None = None) -> NeedShare:
    """Committed money split into top-need wards, other wards, and borough-wide or London-wide work."""
    awards = data.committed
    if until is not None:
        awards = awards[awards["award_date"].dt.strftime("%Y-%m") <= until]
    money = ward_money(data, awards)
    ward_rows = money["area_type"] == "ward"
    top = money["area_code"].isin(top_wards) & ward_rows
    return NeedShare(
        total=float(money["amount"].sum()),
        top_need=float(money.loc[top, "amount"].sum()),
        other_wards=float(money.loc[ward_rows & ~top, "amount"].sum()),
        borough_or_london=float(money.loc[~ward_rows, "amount"].sum()),
        n_top_need_wards=len(top_wards),
    )


def money_top_need_share(data: RegisterData, top_wards: set[str], objective: int | None = None) -> pd.DataFrame:
    """Share (percent) of committed money in top-need wards, cumulative by month of award."""
    awards = _filter_objective(data, data.committed, objective)
    if awards.empty:
        return pd.DataFrame(columns=COLUMNS)
    money = ward_money(data, awards)
    month = awards.set_index("id")["award_date"].dt.strftime("%Y-%m")
    money["month"] = money["award_id"].map(month)
    money["top"] = money["amount"].where((money["area_type"] == "ward") & money["area_code"].isin(top_wards), 0.0)
    months = _months_to(awards)
    monthly = money.groupby("month")[["amount", "top"]].sum().reindex(months, fill_value=0.0).cumsum()
    monthly = monthly[monthly["amount"] > 0]
    return pd.DataFrame(
        {
            "period": monthly.index.astype("str"),
            "area_code": "london",
            "value": monthly["top"] / monthly["amount"] * 100,
        }
    )[COLUMNS].reset_index(drop=True)


def _returns(data: RegisterData, objective: int | None) -> pd.DataFrame:
    awards = _filter_objective(data, data.awards, objective)
    ret = data.returns[data.returns["award_id"].isin(set(awards["id"])) & data.returns["month"].notna()]
    return ret


def reached(data: RegisterData, column: str, objective: int | None = None) -> pd.DataFrame:
    """People (``people_reached``) or under-25s (``under_25_reached``) reached, summed per return period."""
    ret = _returns(data, objective)
    if ret.empty:
        return pd.DataFrame(columns=COLUMNS)
    sums = ret.groupby("month")[column].sum().astype("float64")
    return pd.DataFrame({"period": sums.index.astype("str"), "area_code": "london", "value": sums.to_numpy()})


def returns_rag_shares(data: RegisterData, objective: int | None = None) -> pd.DataFrame:
    """Share (percent) of returns rated red, amber and green per period: period, red, amber, green, returns."""
    ret = _returns(data, objective)
    if ret.empty:
        return pd.DataFrame(columns=["period", "red", "amber", "green", "returns"])
    counts = pd.crosstab(ret["month"], ret["rag"]).reindex(columns=["red", "amber", "green"], fill_value=0)
    total = counts.sum(axis=1)
    shares = counts.div(total, axis=0) * 100.0
    shares["returns"] = total
    shares.index.name = "period"
    return shares.reset_index()


def returns_green_share(data: RegisterData, objective: int | None = None) -> pd.DataFrame:
    shares = returns_rag_shares(data, objective)
    return pd.DataFrame(
        {"period": shares["period"], "area_code": "london", "value": shares["green"].astype("float64")}
    )[COLUMNS]


def by_objective(data: RegisterData) -> pd.DataFrame:
    """Per objective: committed money, committed awards, active awards (an award counts once per objective)."""
    linked = data.objectives.merge(data.awards, left_on="award_id", right_on="id")
    committed = linked[linked["status"].isin(COMMITTED)]
    out = pd.DataFrame(
        {
            "money": committed.groupby("objective_number")["amount"].sum(),
            "awards": committed.groupby("objective_number")["id"].nunique(),
            "active_awards": linked[linked["status"].isin(ACTIVE)].groupby("objective_number")["id"].nunique(),
        }
    )
    out = out.reindex(range(1, 9)).fillna(0)
    out.index.name = "objective_number"
    return out.astype({"money": "float64", "awards": "int64", "active_awards": "int64"})


def by_priority_area(data: RegisterData) -> pd.DataFrame:
    """Per priority area: committed money and awards, active awards."""
    aw = data.awards
    committed = aw[aw["status"].isin(COMMITTED)]
    out = pd.DataFrame(
        {
            "money": committed.groupby("priority_area_code")["amount"].sum(),
            "awards": committed.groupby("priority_area_code")["id"].nunique(),
            "active_awards": aw[aw["status"].isin(ACTIVE)].groupby("priority_area_code")["id"].nunique(),
        }
    ).fillna(0)
    out.index.name = "priority_area_code"
    return out.astype({"money": "float64", "awards": "int64", "active_awards": "int64"})


def awards_for_objective(data: RegisterData, objective: int) -> pd.DataFrame:
    """The awards linked to one objective (any status), newest first."""
    aw = _filter_objective(data, data.awards, objective)
    return aw.sort_values("award_date", ascending=False, ignore_index=True)


def register_values(engine: Engine, method: str, objective: int | None, data: RegisterData | None = None):
    """Values of a register indicator, named by its method ("register:<name>")."""
    data = data if data is not None else load_register(engine)
    name = method.removeprefix("register:")
    if name == "money_awarded":
        return money_awarded(data, objective)
    if name == "money_top_need_share":
        if data.committed.empty:
            return pd.DataFrame(columns=COLUMNS)
        return money_top_need_share(data, top_need_wards(engine), objective)
    if name in ("people_reached", "under_25_reached"):
        return reached(data, name, objective)
    if name == "returns_green_share":
        return returns_green_share(data, objective)
    raise KeyError(f"unknown register method {method!r}")


def register_fingerprint(engine: Engine) -> str:
    """Row counts and latest changes of the register tables ("" with no register)."""
    if not register_installed(engine):
        return ""
    from sqlalchemy import func

    meta = MetaData()
    parts = []
    with engine.connect() as conn:
        for name in (*REGISTER_TABLES, "payment"):
            if not inspect(engine).has_table(name):
                continue
            table = Table(name, meta, autoload_with=engine)
            cols = [func.count()]
            for c in ("updated_at", "created_at", "version"):
                if c in table.c:
                    cols.append(func.max(table.c[c]))
            if "version" in table.c:
                cols.append(func.sum(table.c["version"]))
            parts.append(str(tuple(conn.execute(select(*cols).select_from(table)).one())))
    return ";".join(parts)
