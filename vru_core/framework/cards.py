"""What the director's overview shows on its cards and in its tables, worked out from an :class:`Overview`:
the count of ratings under an aim or objective, an objective's headline indicator, the indicators table."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from vru_core.framework import rag
from vru_core.framework.indicators import KIND_LABELS, Overview, format_value


def rating_counts(row: pd.Series | Mapping[str, Any]) -> str:
    """e.g. "2 on track · 1 at risk · 3 not yet rated", from an aim's or objective's n_<status> columns."""
    parts = [
        f"{row[f'n_{s.value}']} {s.label.lower()}"
        for s in rag.Rag
        if row[f"n_{s.value}"] and s is not rag.Rag.NOT_RATED
    ]
    if row["n_not_rated"]:
        parts.append(f"{row['n_not_rated']} not yet rated")
    return " · ".join(parts) or "no indicators"


def headline_indicator(overview: Overview, number: int) -> pd.Series | None:
    """The objective's headline indicator: its first rated one, else its first one (None when it has none)."""
    ind = overview.indicators
    mine = ind[ind["objective_number"] == number]
    if mine.empty:
        return None
    rated = mine[mine["status"] != rag.Rag.NOT_RATED.value]
    return (rated if len(rated) else mine).iloc[0]


def indicators_table(overview: Overview) -> pd.DataFrame:
    """Every indicator with its rating and figures as text, in the overview's order, with readable column names."""
    ind = overview.indicators

    def formatted(column: str) -> list[str]:
        return [format_value(v, u) for v, u in zip(ind[column], ind["unit"], strict=True)]

    return pd.DataFrame(
        {
            "Indicator": ind["name"],
            "Objective": ind["objective_number"].astype("Int64"),
            "Rating": ind["status_label"],
            "Latest": formatted("latest"),
            "Period to": ind["latest_period"].fillna("—"),
            "Baseline": formatted("baseline"),
            "Target": formatted("target"),
            "Why": ind["reason"],
            "Home Office measure": ind["home_office"].astype(bool),
            "Values": ind["kind"].map(KIND_LABELS),
            "Source": ind["source"],
        }
    )
