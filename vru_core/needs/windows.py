"""Runs of consecutive months over a monthly series (e.g. the latest 12), and their labels.

Everything is read from the series' months, never hard-coded: with the bundled MPS data the latest
12 months are Apr 2025 – Mar 2026 and the 12 before them Apr 2024 – Mar 2025.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    from vru_core.needs.crime import MonthlySeries


def _fmt_month(month: str, style: str) -> str:
    return pd.Period(month, freq="M").strftime(style)


@dataclass(frozen=True)
class Window:
    """A run of consecutive months ("YYYY-MM"), e.g. the latest 12."""

    months: tuple[str, ...]

    @property
    def start(self) -> str:
        return self.months[0]

    @property
    def end(self) -> str:
        return self.months[-1]

    @property
    def label(self) -> str:
        """e.g. "12 months to March 2026"."""
        return f"{len(self.months)} months to {_fmt_month(self.end, '%B %Y')}"

    @property
    def span(self) -> str:
        """e.g. "Apr 2025 – Mar 2026"."""
        return f"{_fmt_month(self.start, '%b %Y')} – {_fmt_month(self.end, '%b %Y')}"

    @property
    def period(self) -> str:
        """e.g. "12 months to March 2026 (Apr 2025 – Mar 2026)"."""
        return f"{self.label} ({self.span})"


def last_12_months(series: MonthlySeries, offset: int = 0, length: int = 12) -> Window:
    """The ``length`` months ending ``offset * length`` months before the series' latest month.

    offset=0: the latest 12 months (Apr 2025 – Mar 2026 with the bundled data); offset=1: the 12
    before those (Apr 2024 – Mar 2025). Derived from the data, never hard-coded.
    """
    end = len(series.months) - offset * length
    start = end - length
    if start < 0:
        raise ValueError(f"series has {len(series.months)} months; cannot take window offset {offset}")
    return Window(tuple(series.months[start:end]))


def previous_12_months(series: MonthlySeries) -> Window:
    """The 12 months before :func:`last_12_months`."""
    return last_12_months(series, offset=1)


def comparison_windows(series: MonthlySeries) -> tuple[Window, Window]:
    """(previous 12 months, latest 12 months)."""
    return previous_12_months(series), last_12_months(series)


def period_labels(series: MonthlySeries) -> dict[str, str]:
    """Human labels for the two windows, e.g. {"latest": "12 months to March 2026", ...}."""
    prev, latest = comparison_windows(series)
    return {
        "latest": latest.label,
        "latest_period": latest.period,
        "previous": prev.label,
        "previous_period": prev.period,
    }


def window_months(series: MonthlySeries, months: Window | Sequence[str] | str | None) -> tuple[str, ...]:
    """Normalise a window argument: None = latest 12 months, "all" = every month in the series."""
    if months is None:
        return last_12_months(series).months
    if isinstance(months, Window):
        return months.months
    if isinstance(months, str):
        if months == "all":
            return series.months
        return (months,)
    return tuple(months)
