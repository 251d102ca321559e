"""How much does a ward's rank depend on the choices in the profile?

A ranking built from a threshold and hand-set weights invites the question "would the top 30 change
if we had chosen 15% instead of 10%, or weighted knife crime a bit less?". This reruns the scoring
over several thresholds and many randomly jittered weightings and reports, per ward, the range of
ranks it takes and how often it stays in the top N. A ward in the top N under (nearly) every
scenario is a robust choice; one that is only there under the chosen settings is not.

Scenarios: the base profile itself; then, for each threshold in the list, the base weights and
n_weight_draws weightings where every non-zero weight is multiplied by its own random factor drawn
uniformly from [1 - jitter, 1 + jitter]. The same draws are reused at every threshold, so thresholds
are compared like for like. Per-measure threshold overrides in the base profile are kept as they are
(they are deliberate choices about one measure), and weights of 0 stay 0. Smoothing chosen in the
profile applies to every scenario.

:func:`compare_thresholds` is the plainer question "what does the top N look like at 5%, 10% and
15%?": the profile scored at each threshold (weights, overrides and smoothing kept), side by side,
with how many wards the top N really holds when ties straddle rank N, and the overlap with the first.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from vru_core.needs.kernel import _signs, flag_matrix, rank_min
from vru_core.needs.measures import MeasureFrame
from vru_core.needs.profile import Profile, _check_pct
from vru_core.needs.scoring import ScoreResult, score, scoring_frame
from vru_core.platform.errors import Invalid, Problem
from vru_core.platform.inputs import parse_number


@dataclass(frozen=True)
class SensitivityResult:
    """scenarios: one row per scenario (scenario, threshold, draw, label; draw 0 = unjittered weights).
    table: one row per ward, most robust first. ranks: ward x scenario rank matrix (frame ward order).
    weights: scenario x measure, the weights each scenario used (so any scenario can be rerun with score())."""

    scenarios: pd.DataFrame
    table: pd.DataFrame
    ranks: pd.DataFrame
    weights: pd.DataFrame
    base: ScoreResult
    top_n: int
    min_share: float

    @property
    def robust_wards(self) -> list[str]:
        """Codes of the wards in the top N in at least min_share of scenarios, most robust first."""
        return self.table.loc[self.table["robust"], "ward_code"].tolist()


def _worst_first_ranks(matrix: np.ndarray) -> np.ndarray:
    """Rank every column highest first, equal scores sharing the better rank (1 + count higher), as score() does.

    (Not the kernel's worst-rank, which counts every ward at least as bad, so ties would share the worse rank.)
    """
    return np.column_stack([rank_min(column) for column in matrix.T]).reshape(matrix.shape)


def sensitivity(
    frame: MeasureFrame,
    base: Profile,
    thresholds: Sequence[float] = (5, 10, 15, 20),
    weight_jitter: float = 0.5,
    n_weight_draws: int = 20,
    seed: int = 0,
    top_n: int = 30,
    min_share: float = 0.8,
) -> SensitivityResult:
    """Rank every ward under every scenario (see the module docstring) and summarise per ward."""
    thresholds = list(dict.fromkeys(_check_pct(t, "thresholds") for t in thresholds))
    if not (math.isfinite(weight_jitter) and 0.0 <= weight_jitter <= 1.0):
        raise ValueError(f"weight_jitter must be between 0 and 1, got {weight_jitter!r}")
    if int(n_weight_draws) != n_weight_draws or n_weight_draws < 0:
        raise ValueError(f"n_weight_draws must be a whole number >= 0, got {n_weight_draws!r}")
    if int(top_n) != top_n or top_n < 1:
        raise ValueError(f"top_n must be a whole number >= 1, got {top_n!r}")
    if not (0.0 <= min_share <= 1.0):
        raise ValueError(f"min_share must be between 0 and 1, got {min_share!r}")
    n_weight_draws, top_n = int(n_weight_draws), int(top_n)

    base_result = score(frame, base)
    frame = scoring_frame(frame, base)  # smoothed measures replaced, as score() does
    measures = frame.measures
    codes = measures.index
    wards = frame.wards
    matrix = frame.values.reindex(index=wards.index, columns=codes).to_numpy(dtype=np.float64, na_value=np.nan)

    # Worst-ranks do not depend on the threshold: one kernel call serves every scenario (flag iff r <= k).
    _, worst_rank, n_valid, _ = flag_matrix(matrix * _signs(measures), np.full(len(codes), 100.0))
    weights = base.resolved_weights(measures).to_numpy()
    rng = np.random.default_rng(seed)
    factors = rng.uniform(1.0 - weight_jitter, 1.0 + weight_jitter, size=(n_weight_draws, len(codes)))
    weight_sets = np.vstack([weights, weights * factors])  # row 0 = the base weights; 0 stays 0

    def flags_at(threshold: float) -> np.ndarray:
        pct = np.array([base.overrides.get(c, threshold) for c in codes], dtype=np.float64)
        k = np.minimum(np.floor(np.round(n_valid * pct / 100.0, 9)), n_valid)
        return worst_rank <= k  # NaN (missing) compares False

    rows: list[dict] = [{"threshold": base.threshold_pct, "draw": 0, "label": "Base profile"}]
    score_columns = [flags_at(base.threshold_pct).astype(np.float64) @ weights]
    used = [weights]
    for t in thresholds:
        scores = flags_at(t).astype(np.float64) @ weight_sets.T  # wards x (1 + draws)
        for draw in range(weight_sets.shape[0]):
            if draw == 0 and t == base.threshold_pct:
                continue  # identical to the base scenario
            rows.append(
                {
                    "threshold": t,
                    "draw": draw,
                    "label": f"{t:g}%, base weights" if draw == 0 else f"{t:g}%, jittered weights #{draw}",
                }
            )
            score_columns.append(scores[:, draw])
            used.append(weight_sets[draw])
    score_matrix = np.round(np.column_stack(score_columns), 9) + 0.0
    ranks = _worst_first_ranks(score_matrix)

    scenarios = pd.DataFrame(rows, columns=["threshold", "draw", "label"])
    scenarios.insert(0, "scenario", np.arange(len(scenarios)))

    base_rank = base_result.table["rank"].reindex(wards.index).to_numpy()
    in_top = ranks <= top_n
    table = pd.DataFrame(
        {
            "ward_code": wards.index,
            "ward_name": wards["ward_name"].to_numpy(),
            "borough_name": wards["borough_name"].to_numpy(),
            "base_rank": base_rank,
            "best_rank": ranks.min(axis=1),
            "worst_rank": ranks.max(axis=1),
            "median_rank": np.median(ranks, axis=1),
            "share_in_top_n": in_top.mean(axis=1),
        }
    )
    table["robust"] = table["share_in_top_n"] >= min_share
    table = table.sort_values(
        ["share_in_top_n", "median_rank", "base_rank", "ward_name", "ward_code"],
        ascending=[False, True, True, True, True],
        kind="mergesort",
    ).reset_index(drop=True)
    return SensitivityResult(
        scenarios=scenarios,
        table=table,
        ranks=pd.DataFrame(ranks, index=wards.index, columns=pd.Index(scenarios["scenario"], name="scenario")),
        weights=pd.DataFrame(np.vstack(used), index=pd.Index(scenarios["scenario"], name="scenario"), columns=codes),
        base=base_result,
        top_n=top_n,
        min_share=min_share,
    )


# ---- thresholds side by side ---------------------------------------------------------------------

MAX_COMPARED = 8


def parse_thresholds(text: str) -> tuple[float, ...]:
    """Text such as "5, 10, 15" or "5% 7.5% 10" -> (5.0, 10.0, 15.0): in the order typed, each once, two or more.

    Raises Invalid naming the piece that is not a threshold, so the page can say which one."""
    pieces = [p for p in re.split(r"[\s,;]+", str(text or "").replace("%", " ")) if p]
    problems: list[Problem] = []
    values: list[float] = []
    for piece in pieces:
        value, problem = parse_number(piece)
        if problem or value is None:
            problems.append(Problem(None, "thresholds", problem or f"{piece!r} is not a number"))
        elif not 0.0 < value <= 100.0:
            problems.append(Problem(None, "thresholds", f"{piece}% is not a threshold: use more than 0, at most 100"))
        elif value not in values:
            values.append(value)
    if not problems and len(values) < 2:
        problems.append(Problem(None, "thresholds", "give two or more different thresholds, e.g. 5, 10, 15"))
    if not problems and len(values) > MAX_COMPARED:
        problems.append(Problem(None, "thresholds", f"compare at most {MAX_COMPARED} thresholds at once"))
    if problems:
        raise Invalid(problems)
    return tuple(values)


def rank_column(threshold: float) -> str:
    """The per-ward table's column for a threshold: rank_5, rank_7.5."""
    return f"rank_{threshold:g}"


@dataclass(frozen=True)
class ThresholdComparison:
    """summary: one row per threshold, in the order given (threshold; in_top_n = wards whose rank is <= top_n;
    edge_rank and edge_tied = the last rank within the top N and how many wards share it; edge_score = their
    score; overlap = wards in this top N that are also in the first threshold's; overlap_share = overlap as
    a share of the first threshold's top N).
    wards: every ward in the top N under any threshold (ward_code, ward_name, borough_name, one rank_<t>
    column per threshold, times_in_top_n), best first under the first threshold."""

    thresholds: tuple[float, ...]
    top_n: int
    summary: pd.DataFrame
    wards: pd.DataFrame

    def tie_notes(self) -> list[str]:
        """In words, for each threshold where ties make the top N hold more than N wards."""
        notes = []
        for row in self.summary.itertuples():
            if row.in_top_n <= self.top_n:
                continue
            zero = " (they score 0: no counted measure flags them)" if row.edge_score == 0 else ""
            notes.append(
                f"At {row.threshold:g}%, ties make the top {self.top_n} hold {row.in_top_n} wards: "
                f"{row.edge_tied} wards share rank {row.edge_rank}{zero}."
            )
        return notes


def compare_thresholds(
    frame: MeasureFrame, profile: Profile, thresholds: Sequence[float], top_n: int = 30
) -> ThresholdComparison:
    """Score the profile at each threshold (its weights, overrides and smoothing kept) and compare the top N."""
    thresholds = tuple(dict.fromkeys(_check_pct(t, "thresholds") for t in thresholds))
    if not thresholds:
        raise ValueError("thresholds: give at least one")
    if int(top_n) != top_n or top_n < 1:
        raise ValueError(f"top_n must be a whole number >= 1, got {top_n!r}")
    top_n = int(top_n)
    wards = frame.wards
    ranks: dict[float, pd.Series] = {}
    scores: dict[float, pd.Series] = {}
    for t in thresholds:
        table = score(frame, replace(profile, threshold_pct=t)).table
        ranks[t] = table["rank"].reindex(wards.index).astype("int64")
        scores[t] = table["score"].reindex(wards.index)
    first = set(ranks[thresholds[0]].index[ranks[thresholds[0]] <= top_n])
    rows = []
    for t in thresholds:
        rank = ranks[t]
        inside = rank <= top_n
        edge = int(rank[inside].max())
        at_edge = rank == edge
        members = set(rank.index[inside])
        rows.append(
            {
                "threshold": t,
                "in_top_n": int(inside.sum()),
                "edge_rank": edge,
                "edge_tied": int(at_edge.sum()),
                "edge_score": float(scores[t][at_edge].iloc[0]),
                "overlap": len(members & first),
                "overlap_share": len(members & first) / len(first),
            }
        )
    per_ward = pd.DataFrame(
        {
            "ward_code": wards.index,
            "ward_name": wards["ward_name"].to_numpy(),
            "borough_name": wards["borough_name"].to_numpy(),
            **{rank_column(t): ranks[t].to_numpy() for t in thresholds},
        }
    )
    rank_columns = [rank_column(t) for t in thresholds]
    per_ward["times_in_top_n"] = (per_ward[rank_columns] <= top_n).sum(axis=1)
    per_ward = per_ward[per_ward["times_in_top_n"] > 0].sort_values(
        [*rank_columns, "ward_name", "ward_code"], kind="mergesort"
    )
    return ThresholdComparison(
        thresholds=thresholds,
        top_n=top_n,
        summary=pd.DataFrame(rows),
        wards=per_ward.reset_index(drop=True),
    )
