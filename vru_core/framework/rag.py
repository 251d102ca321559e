"""The RAG rule: one explicit, configurable rule, so a rating can always be explained in a sentence.

1. No baseline, no target, no value later than the baseline, or a target on the wrong side of the
   baseline for the indicator's direction: **Not rated**.
2. The latest value has reached the target (at or beyond it, in the good direction): **On track**.
3. Otherwise progress = (latest - baseline) / (target - baseline), the share of the way from the
   baseline to the target covered so far (negative when worse than the baseline; when baseline
   equals target and the target is not reached, it is **Off track**).
   progress >= on_track_progress: **On track**; progress >= off_track_below: **At risk**; else
   **Off track**.
4. Trend: if the latest value moved away from the target since the previous value by more than
   trend_tolerance_pct percent of the previous value, the rating drops one step (On track -> At
   risk, At risk -> Off track). A reached target is not downgraded.

An objective (or aim) takes the worst rating among its rated indicators: one indicator off track
is enough to bring it to the board's attention.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum

from vru_core.platform.errors import Invalid, Problem


class Rag(StrEnum):
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    OFF_TRACK = "off_track"
    NOT_RATED = "not_rated"

    @property
    def label(self) -> str:
        return {"on_track": "On track", "at_risk": "At risk", "off_track": "Off track", "not_rated": "Not rated"}[
            self.value
        ]

    @property
    def colour(self) -> str:
        """Traffic-light colour names used in badges and charts."""
        return {"on_track": "green", "at_risk": "orange", "off_track": "red", "not_rated": "gray"}[self.value]


SEVERITY = {Rag.ON_TRACK: 0, Rag.AT_RISK: 1, Rag.OFF_TRACK: 2}
DIRECTIONS = ("down", "up")


@dataclass(frozen=True)
class Thresholds:
    on_track_progress: float = 0.5
    off_track_below: float = 0.0
    trend_tolerance_pct: float = 1.0

    def __post_init__(self) -> None:
        problems = []
        if not self.off_track_below <= self.on_track_progress:
            problems.append(Problem(None, "on_track_progress", "must be at least off_track_below"))
        if self.on_track_progress > 1:
            problems.append(Problem(None, "on_track_progress", "1 (the whole way to the target) at most"))
        if self.trend_tolerance_pct < 0:
            problems.append(Problem(None, "trend_tolerance_pct", "cannot be negative"))
        for name in ("on_track_progress", "off_track_below", "trend_tolerance_pct"):
            if not math.isfinite(getattr(self, name)):
                problems.append(Problem(None, name, "must be a number"))
        if problems:
            raise Invalid(problems)


@dataclass(frozen=True)
class Rating:
    status: Rag
    progress: float | None  # share of the way from baseline to target (None when not computable)
    trend: str  # "towards target", "away from target", "flat", "no earlier value"
    reason: str  # one sentence, shown next to the badge


def describe(t: Thresholds) -> str:
    """The rule in words, with the current thresholds, for the pages and the printed summary."""
    return (
        f"An indicator is **on track** when it has reached its target or has covered at least "
        f"{t.on_track_progress:.0%} of the way from its baseline to its target; **at risk** when it has covered "
        f"less than that but is no worse than {_pct_words(t.off_track_below)}; **off track** otherwise. If the "
        f"latest value moved away from the target since the previous one by more than "
        f"{t.trend_tolerance_pct:g}%, the rating drops one step (a reached target is never downgraded). "
        f"An objective or aim shows the worst rating among its indicators; indicators without a baseline, "
        f"target, or a value later than the baseline are not rated."
    )


def _pct_words(x: float) -> str:
    return "its baseline" if x == 0 else f"{x:.0%} of the way to its target"


def _reached(value: float, target: float, direction: str) -> bool:
    return value <= target if direction == "down" else value >= target


def _trend(latest: float, previous: float | None, target: float, tolerance_pct: float) -> str:
    if previous is None:
        return "no earlier value"
    move = latest - previous
    scale = abs(previous) if previous else 1.0
    if abs(move) / scale * 100.0 <= tolerance_pct:
        return "flat"
    return "towards target" if abs(target - latest) < abs(target - previous) else "away from target"


def rate(
    *,
    latest: float | None,
    previous: float | None,
    baseline: float | None,
    target: float | None,
    direction: str,
    thresholds: Thresholds,
    after_baseline: bool = True,
) -> Rating:
    """Apply the rule above to one indicator's numbers.

    after_baseline: the latest value is newer than the baseline, so there is progress to judge.
    """
    if direction not in DIRECTIONS:
        raise ValueError(f"direction: {direction!r} is not one of {DIRECTIONS}")
    missing = [name for name, v in (("value", latest), ("baseline", baseline), ("target", target)) if _absent(v)]
    if missing:
        return Rating(Rag.NOT_RATED, None, "no earlier value", f"Not rated: no {', no '.join(missing)}.")
    if not after_baseline:
        return Rating(Rag.NOT_RATED, None, "no earlier value", "Not rated: no value after the baseline yet.")
    if (direction == "down" and target > baseline) or (direction == "up" and target < baseline):
        good = "lower" if direction == "down" else "higher"
        return Rating(
            Rag.NOT_RATED,
            None,
            "no earlier value",
            f"Not rated: {good} is better, but the target is not {good} than the baseline.",
        )
    prev = None if _absent(previous) else previous
    trend = _trend(latest, prev, target, thresholds.trend_tolerance_pct)
    if _reached(latest, target, direction):
        progress = 1.0 if target == baseline else (latest - baseline) / (target - baseline)
        return Rating(Rag.ON_TRACK, progress, trend, "Target reached.")
    if target == baseline:
        return Rating(Rag.OFF_TRACK, None, trend, "Baseline equals target and the target is not met.")
    progress = (latest - baseline) / (target - baseline) + 0.0  # + 0.0: never print "-0%"
    if progress >= thresholds.on_track_progress:
        status = Rag.ON_TRACK
    elif progress >= thresholds.off_track_below:
        status = Rag.AT_RISK
    else:
        status = Rag.OFF_TRACK
    reason = "worse than the baseline" if progress < 0 else f"{progress:.0%} of the way from baseline to target"
    if trend == "away from target" and status is not Rag.OFF_TRACK:
        status = Rag.AT_RISK if status is Rag.ON_TRACK else Rag.OFF_TRACK
        reason += f", and moving away from the target (by more than {thresholds.trend_tolerance_pct:g}%)"
    return Rating(status, progress, trend, reason[0].upper() + reason[1:] + ".")


def _absent(v: float | None) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v))


def combine(statuses: list[Rag]) -> Rag:
    """Worst rated status wins; Not rated when nothing is rated."""
    rated = [s for s in statuses if s in SEVERITY]
    return max(rated, key=SEVERITY.__getitem__) if rated else Rag.NOT_RATED
