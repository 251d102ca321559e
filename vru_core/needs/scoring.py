"""Need scores: which wards are among the worst on each measure, weighted and counted.

Flag rule (shown in the app, so it is stated exactly):

* For each measure, take the n wards that have a value and the threshold X% (the profile's
  threshold, or that measure's own override). Let k = floor(n × X / 100), with n × X / 100 first
  rounded to 9 decimal places so that float error never drops a ward (8.8% of 375 wards is 33).
* A ward's worst-rank r on the measure is the number of wards whose value is at least as bad as
  its own (itself and every ward tied with it included). "Worse" is higher for high-is-worse
  measures (e.g. offences per 1,000 residents) and lower for low-is-worse measures (e.g. % who
  feel safe).
* The ward is flagged when r ≤ k. Ties are never split: wards tied on the threshold are flagged
  together only if all of them fit within the worst X%, otherwise none of them is. So a measure
  never flags more than X% of wards (a measure where most wards share one value, such as 0, cannot
  flag them all). A ward without a value is never flagged. The measure's threshold value is the
  least extreme value that is flagged; the ward's percentile is 100 × r / n ("in the worst p%").
* Borough-level measures give every ward the figure of its borough, so they flag whole boroughs.
* A ward's score is the sum of the weights of the measures that flag it; a measure with weight 0
  is left out (it adds nothing and is not counted). Wards are ranked by score, highest first;
  equal scores share the better rank (1, 2, 2, 4), and wards scoring 0 are ranked too.

The score ranks wards for one decision with the user's weights. It is not an index.

The pieces: the profile (:mod:`.profile`), the numpy kernel that applies the flag rule
(:mod:`.kernel`), and the explanations and export of a result (:mod:`.explain`); this module joins
them into :func:`score` and re-exports what callers use.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from vru_core.needs.explain import EXPLAIN_COLUMNS, explain, flagged_labels, ranked_csv, ranked_table
from vru_core.needs.kernel import _exact_column, _signs, flag_matrix, rank_min, weighted_scores
from vru_core.needs.measures import MeasureFrame
from vru_core.needs.profile import (
    DEFAULT_THRESHOLD_PCT,
    MAX_URL_WEIGHT,
    FrozenChoices,
    FrozenMap,
    Profile,
    _check_pct,
    _default_weights,
    _fmt,
    _number,
)

__all__ = [  # what callers import from here; the pieces live in profile, kernel and explain
    "DEFAULT_THRESHOLD_PCT",
    "EXPLAIN_COLUMNS",
    "MAX_URL_WEIGHT",
    "METHOD_MARKDOWN",
    "METHOD_SUMMARY",
    "FrozenChoices",
    "FrozenMap",
    "Profile",
    "ScoreResult",
    "_check_pct",
    "_exact_column",
    "_fmt",
    "_number",
    "_signs",
    "explain",
    "flag_matrix",
    "flagged_labels",
    "profile_arrays",
    "rank_min",
    "ranked_csv",
    "ranked_table",
    "score",
    "scoring_frame",
    "weighted_scores",
]

METHOD_SUMMARY = (
    "Each measure flags the wards in its worst X% (ties are never split, so no more than X% are flagged; "
    "missing values are never flagged), and a ward's score is the sum of the weights of the measures that flag it. "
    "Wards are ranked by score, equal scores sharing a rank; the score ranks wards for one decision and is "
    "not an index."
)

METHOD_MARKDOWN = """\
**Flagging.** For each measure, take the *n* wards that have a value and the threshold *X*% (the global
threshold, or the measure's own override). Let *k* = floor(*n* × *X* / 100). A ward's worst-rank *r* is
the number of wards whose value is at least as bad as its own, counting itself and every ward tied with
it (higher is worse for most measures; lower is worse for measures such as "% who feel safe"). The ward
is **flagged when *r* ≤ *k***: it is among the worst *X*% even counting everyone tied with it. Ties are
never split, so a measure never flags more than *X*% of wards, and a value most wards share (such as 0)
is never flagged. A ward with no value is never flagged, and shows as missing.

**Threshold value and percentile.** The threshold value is the least extreme value that is still flagged.
A ward's percentile is 100 × *r* / *n*: it is "in the worst *p*% of wards".

**Borough figures.** Measures only published for boroughs give every ward its borough's figure, so they
flag (or not) all the wards of a borough together; the ward detail marks them "borough".

**Score and rank.** A ward's score is the sum of the weights of the measures that flag it (weight 0
leaves a measure out). With every weight at 1 the score is simply the number of measures on which the
ward is in the worst *X*% ("7 of 12"). Wards are ranked by score, highest first; equal scores share the
better rank (1, 2, 2, 4).

The score is a simple, transparent way to rank wards for one decision with your chosen weights. It is
not an index of need and should not be used as one outside that decision.
"""


class ScoreResult:
    """Scores plus everything needed to explain them.

    The counting is done eagerly in numpy; the DataFrames (table, flags, percentiles, thresholds) are
    assembled on first use, so callers that only need scores and ranks never pay for pandas.
    flags/percentiles/values keep the frame's ward order; table is sorted by score.
    """

    def __init__(
        self,
        *,
        frame: MeasureFrame,
        profile: Profile,
        values: pd.DataFrame,
        scores: np.ndarray,
        ranks: np.ndarray,
        flagged_count: np.ndarray,
        available: np.ndarray,
        flag_array: np.ndarray,
        worst_rank: np.ndarray,
        n_valid: np.ndarray,
        threshold_value: np.ndarray,
        pct: np.ndarray,
        weights: np.ndarray,
    ):
        self.frame, self.profile, self.values = frame, profile, values
        self.measures = frame.measures
        self.scores, self.ranks, self.flagged_count, self.available = scores, ranks, flagged_count, available
        self.flag_array, self.worst_rank, self.n_valid = flag_array, worst_rank, n_valid
        self.threshold_value, self.pct, self.weights = threshold_value, pct, weights

    @cached_property
    def table(self) -> pd.DataFrame:
        wards = self.frame.wards
        order = np.lexsort((_prepare(self.frame).name_order, -self.flagged_count, -self.scores))
        table = pd.DataFrame(
            {
                "ward_name": wards["ward_name"].to_numpy()[order],
                "borough_code": wards["borough_code"].to_numpy()[order],
                "borough_name": wards["borough_name"].to_numpy()[order],
                "score": self.scores[order],
                "rank": self.ranks[order],
                "flagged_count": self.flagged_count[order].astype(np.int64),
                "measures_available": self.available[order].astype(np.int64),
            },
            index=pd.Index(wards.index.to_numpy()[order], name="ward_code"),
        )
        return table

    @cached_property
    def flags(self) -> pd.DataFrame:
        return pd.DataFrame(self.flag_array, index=self.frame.wards.index, columns=self.measures.index)

    @cached_property
    def percentiles(self) -> pd.DataFrame:
        with np.errstate(invalid="ignore", divide="ignore"):
            percentiles = 100.0 * self.worst_rank / self.n_valid
        return pd.DataFrame(percentiles, index=self.frame.wards.index, columns=self.measures.index)

    @cached_property
    def thresholds(self) -> pd.DataFrame:
        thresholds = pd.DataFrame(
            {
                "threshold_pct": self.pct,
                "threshold_value": self.threshold_value,
                "n_wards_with_value": self.n_valid,
                "n_flagged": self.flag_array.sum(axis=0).astype(np.int64),
                "weight": self.weights,
            },
            index=self.measures.index,
        )
        thresholds.index.name = "code"
        return thresholds

    def explain(self, ward_code: str) -> pd.DataFrame:
        return explain(self, ward_code)

    def ranked_table(self) -> pd.DataFrame:
        return ranked_table(self)

    def ranked_csv(self) -> str:
        return ranked_csv(self)


@dataclass(frozen=True)
class _Prepared:
    """What does not change between profiles for one frame: worked out once, reused by every score()."""

    codes: list[str]
    badness: np.ndarray  # values x sign: higher is worse in every column, NaN missing
    sign: np.ndarray
    default_weights: np.ndarray
    values: pd.DataFrame
    name_order: np.ndarray  # each ward's position in (ward_name, ward_code) order: the last tie-break


_PREPARED: dict[int, tuple[MeasureFrame, _Prepared]] = {}


def _prepare(frame: MeasureFrame) -> _Prepared:
    """Frames are shared read-only (the app caches one per data version), so this is keyed by identity."""
    cached = _PREPARED.get(id(frame))
    if cached is not None and cached[0] is frame:
        return cached[1]
    measures, wards = frame.measures, frame.wards
    values = frame.values
    if not (values.columns.equals(measures.index) and values.index.equals(wards.index)):
        values = values.reindex(index=wards.index, columns=measures.index)
    sign = _signs(measures)
    keys = pd.DataFrame({"name": wards["ward_name"].to_numpy(dtype=object), "code": wards.index.to_numpy(dtype=object)})
    name_order = np.empty(len(keys), dtype=np.int64)
    name_order[keys.sort_values(["name", "code"], kind="mergesort").index.to_numpy()] = np.arange(len(keys))
    prepared = _Prepared(
        codes=[str(c) for c in measures.index],
        badness=values.to_numpy(dtype=np.float64, na_value=np.nan) * sign,
        sign=sign,
        default_weights=_default_weights(measures).to_numpy(dtype=np.float64),
        values=values,
        name_order=name_order,
    )
    prepared.badness.flags.writeable = False  # shared by every later score() of this frame
    if len(_PREPARED) > 8:
        _PREPARED.clear()
    _PREPARED[id(frame)] = (frame, prepared)
    return prepared


def profile_arrays(prepared: _Prepared, profile: Profile) -> tuple[np.ndarray, np.ndarray]:
    """(weights, threshold percentages) per measure of a prepared frame under a profile."""
    codes = prepared.codes
    weights = np.array([profile.weight_for(c, d) for c, d in zip(codes, prepared.default_weights, strict=True)])
    pct = np.array([profile.threshold_for(c) for c in codes], dtype=np.float64)
    return weights, pct


def scoring_frame(frame: MeasureFrame, profile: Profile) -> MeasureFrame:
    """The frame the profile scores: smoothed measures replaced (vru_core.needs.smoothing), else itself."""
    if not profile.smoothing:
        return frame
    from vru_core.needs.smoothing import smoothed_frame

    return smoothed_frame(frame, profile.smoothing)


def score(frame: MeasureFrame, profile: Profile) -> ScoreResult:
    """Flag, weight, count and rank every ward under one profile (smoothed measures replaced first)."""
    frame = scoring_frame(frame, profile)
    prepared = _prepare(frame)
    badness = prepared.badness
    weights, pct = profile_arrays(prepared, profile)

    flags, worst_rank, n_valid, threshold_badness = flag_matrix(badness, pct)

    counted = weights > 0
    scores = weighted_scores(flags, weights)
    return ScoreResult(
        frame=frame,
        profile=profile,
        values=prepared.values,
        scores=scores,
        ranks=rank_min(scores),
        flagged_count=flags[:, counted].sum(axis=1),
        available=(~np.isnan(badness[:, counted])).sum(axis=1),
        flag_array=flags,
        worst_rank=worst_rank,
        n_valid=n_valid,
        threshold_value=threshold_badness * prepared.sign + 0.0,
        pct=pct,
        weights=weights,
    )
