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
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd

from vru_core.needs.measures import DIRECTIONS, HIGH_IS_WORSE, MeasureFrame
from vru_core.platform.csvsafe import escape_line

DEFAULT_THRESHOLD_PCT = 10.0
MAX_URL_WEIGHT = 10.0

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


# ---- profile -------------------------------------------------------------------------------------


class _Frozen(Mapping):
    """A read-only, hashable, picklable str -> value mapping, so a Profile can key caches."""

    __slots__ = ("_data",)
    _cast: Callable = float

    def __init__(self, data: Mapping | Iterable[tuple] = ()):
        items = data.items() if isinstance(data, Mapping) else data
        cast = type(self)._cast
        self._data = dict(sorted((str(k), cast(v)) for k, v in items))

    def __getitem__(self, key):
        return self._data[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __hash__(self) -> int:
        return hash(tuple(self._data.items()))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._data!r})"

    def __reduce__(self):
        return (type(self), (self._data,))


class FrozenMap(_Frozen, Mapping[str, float]):
    """str -> float (weights, thresholds)."""

    _cast = float


class FrozenChoices(_Frozen, Mapping[str, str]):
    """str -> str (a per-measure choice such as its smoothing)."""

    _cast = str


def _check_pct(value: float, what: str) -> float:
    value = float(value)
    if not (math.isfinite(value) and 0.0 < value <= 100.0):
        raise ValueError(f"{what}: a threshold must be more than 0% and at most 100%, got {value!r}")
    return value


def _fmt(x: float) -> str:
    """Shortest exact text for a number, without a trailing .0, so URLs stay short and round-trip."""
    x = float(x)
    return str(int(x)) if x.is_integer() and abs(x) < 1e15 else repr(x)


def _number(text: object) -> float | None:
    try:
        value = float(str(text).strip())
    except (TypeError, ValueError):
        return None
    return value if math.isfinite(value) else None


def _pairs(text: object) -> Iterator[tuple[str, float]]:
    """`code:number,code:number` -> pairs, silently skipping any part that does not parse."""
    for part in str(text or "").split(","):
        code, sep, raw = part.partition(":")
        value = _number(raw) if sep else None
        if code.strip() and value is not None:
            yield code.strip(), value


def _measures_table(measures: pd.DataFrame | MeasureFrame) -> pd.DataFrame:
    return measures.measures if isinstance(measures, MeasureFrame) else measures


def _default_weights(measures: pd.DataFrame) -> pd.Series:
    """A missing default weight counts as 1: an unweighted count is the method's starting point."""
    if "default_weight" not in measures.columns:
        return pd.Series(1.0, index=measures.index, dtype="float64")
    return pd.to_numeric(measures["default_weight"], errors="coerce").fillna(1.0).astype("float64")


@dataclass(frozen=True)
class Profile:
    """The user's choices: the threshold, per-measure weights, threshold overrides and smoothing.

    weights holds only the measures whose weight differs from their default (any other measure
    uses its default_weight); overrides holds per-measure threshold percentages; smoothing holds, for
    count-based measures, "eb" or "spatial_eb" (see vru_core.needs.smoothing; absent = as published).
    Codes that are not (or no longer) measures are ignored when scoring, so an old saved profile still
    works, and a saved profile without smoothing loads as before.
    """

    threshold_pct: float = DEFAULT_THRESHOLD_PCT
    weights: Mapping[str, float] = field(default_factory=FrozenMap)
    overrides: Mapping[str, float] = field(default_factory=FrozenMap)
    smoothing: Mapping[str, str] = field(default_factory=FrozenChoices)

    def __post_init__(self) -> None:
        object.__setattr__(self, "threshold_pct", _check_pct(self.threshold_pct, "threshold_pct"))
        weights = FrozenMap(self.weights)
        for code, w in weights.items():
            if not code or not (math.isfinite(w) and w >= 0):
                raise ValueError(f"weights[{code!r}]: a weight must be a finite number >= 0, got {w!r}")
        overrides = FrozenMap(self.overrides)
        for code, pct in overrides.items():
            if not code:
                raise ValueError("overrides: empty measure code")
            _check_pct(pct, f"overrides[{code!r}]")
        from vru_core.needs.smoothing import RAW, check_method

        smoothing = FrozenChoices(
            (c, check_method(m, f"smoothing[{c!r}]")) for c, m in FrozenChoices(self.smoothing).items() if m != RAW
        )
        object.__setattr__(self, "weights", weights)
        object.__setattr__(self, "overrides", overrides)
        object.__setattr__(self, "smoothing", smoothing)

    def key(self) -> tuple:
        """Hashable identity for caches (st.cache_data hashes arguments; this keeps it cheap)."""
        return (
            self.threshold_pct,
            tuple(self.weights.items()),
            tuple(self.overrides.items()),
            tuple(self.smoothing.items()),
        )

    def weight_for(self, code: str, default: float) -> float:
        return float(self.weights.get(code, default))

    def threshold_for(self, code: str) -> float:
        return float(self.overrides.get(code, self.threshold_pct))

    def resolved_weights(self, measures: pd.DataFrame | MeasureFrame) -> pd.Series:
        """Every measure's weight under this profile, in display order (defaults filled in)."""
        defaults = _default_weights(_measures_table(measures))
        return pd.Series({c: self.weight_for(c, d) for c, d in defaults.items()}, index=defaults.index, dtype="float64")

    # -- sharing by URL: short, forgiving of hand-edited or stale links --------------------------

    def to_query_params(self, measures: pd.DataFrame | MeasureFrame) -> dict[str, str]:
        """`t`, plus `w`/`o` only for known measures whose weight differs from the default / that have an override."""
        table = _measures_table(measures)
        defaults = _default_weights(table)
        params = {"t": _fmt(self.threshold_pct)}
        w = [
            f"{c}:{_fmt(self.weights[c])}"
            for c in table.index
            if c in self.weights and self.weights[c] != float(defaults[c])
        ]
        o = [f"{c}:{_fmt(self.overrides[c])}" for c in table.index if c in self.overrides]
        if w:
            params["w"] = ",".join(w)
        if o:
            params["o"] = ",".join(o)
        sm = [f"{c}:{self.smoothing[c]}" for c in table.index if c in self.smoothing]
        if sm:
            params["s"] = ",".join(sm)
        return params

    @classmethod
    def from_query_params(cls, params: Mapping[str, object], measures: pd.DataFrame | MeasureFrame) -> Profile:
        """Never raises: unknown codes and bad numbers are dropped, thresholds clamped to 100, weights to 0–10.

        A threshold of 0 or less means nothing (no ward would be flagged), so it falls back to the default.
        """
        known = set(_measures_table(measures).index)

        def get(name: str) -> object:
            value = params.get(name) if hasattr(params, "get") else None
            if isinstance(value, (list, tuple)):
                value = value[-1] if value else None
            return value

        t = _number(get("t"))
        threshold = DEFAULT_THRESHOLD_PCT if t is None or t <= 0 else min(t, 100.0)
        weights = {c: min(max(v, 0.0), MAX_URL_WEIGHT) for c, v in _pairs(get("w")) if c in known}
        overrides = {c: min(v, 100.0) for c, v in _pairs(get("o")) if c in known and v > 0}
        from vru_core.needs.smoothing import METHODS

        smoothing = {
            code.strip(): method.strip()
            for code, _, method in (part.partition(":") for part in str(get("s") or "").split(","))
            if code.strip() in known and method.strip() in METHODS
        }
        return cls(threshold_pct=threshold, weights=weights, overrides=overrides, smoothing=smoothing)

    # -- storing as JSON ---------------------------------------------------------------------------

    def to_dict(self) -> dict:
        out: dict = {
            "threshold_pct": self.threshold_pct,
            "weights": dict(self.weights),
            "overrides": dict(self.overrides),
        }
        if self.smoothing:  # left out when unused, so profiles saved before smoothing existed read the same
            out["smoothing"] = dict(self.smoothing)
        return out

    @classmethod
    def from_dict(cls, data: Mapping) -> Profile:
        """Strict (raises ValueError): stored profiles are written by this code, so bad ones are bugs."""
        if not isinstance(data, Mapping):
            raise ValueError(f"a profile must be a mapping, got {type(data).__name__}")
        weights = data.get("weights") or {}
        overrides = data.get("overrides") or {}
        smoothing = data.get("smoothing") or {}
        if not isinstance(weights, Mapping) or not isinstance(overrides, Mapping):
            raise ValueError("profile weights and overrides must be mappings of measure code to number")
        if not isinstance(smoothing, Mapping):
            raise ValueError("profile smoothing must be a mapping of measure code to method")
        try:
            return cls(
                threshold_pct=float(data.get("threshold_pct", DEFAULT_THRESHOLD_PCT)),
                weights={str(k): float(v) for k, v in weights.items()},
                overrides={str(k): float(v) for k, v in overrides.items()},
                smoothing={str(k): str(v) for k, v in smoothing.items()},
            )
        except (TypeError, ValueError) as exc:
            raise ValueError(f"invalid profile: {exc}") from exc


# ---- kernel ----------------------------------------------------------------------------------------


def _ranks_from_starts(starts: np.ndarray, ranks1: np.ndarray) -> np.ndarray:
    """Worst-ranks along a sorted column: each element gets the position where its tie group ends
    (how many elements are at least as bad as it)."""
    group = np.flatnonzero(starts)
    if group.size == starts.size:
        return ranks1[: starts.size]
    ends = np.append(group[1:], starts.size).astype(np.float64)
    return np.repeat(ends, np.diff(group, append=starts.size))


def _exact_column(worse_first: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The slow, always-exact path for a column the packed sort cannot handle (infinities, near-ties)."""
    n_valid = int(np.count_nonzero(~np.isnan(worse_first)))
    order = np.argsort(worse_first, kind="stable")[:n_valid]
    ordered = worse_first[order]
    starts = np.empty(n_valid, dtype=bool)
    starts[:1] = True
    np.not_equal(ordered[1:], ordered[:-1], out=starts[1:])
    return order, _ranks_from_starts(starts, np.arange(1, n_valid + 1, dtype=np.float64))


def flag_matrix(badness: np.ndarray, pct: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Apply the flag rule to every column at once (see the module docstring).

    badness: (n_areas, m) floats, higher = worse, NaN = missing. pct: (m,) threshold percentages.
    Returns flags (n, m) bool; worst_rank (n, m) float, NaN where missing; n_valid (m,) int;
    threshold_badness (m,) float, the least bad flagged badness (NaN if the column flags nothing).

    Why it is built this way: it must stay within 2x of a bare "sort and compare" kernel at 35,000
    areas x 50 measures, and worst-ranks need an argsort, which numpy does several times slower than
    a sort. So each column is sorted once as floats with the area's row number packed into the low
    mantissa bits of its (negated) value: the sorted bits then give the order (argsort) for the price
    of a sort. Packing can only merge values that differ in those low bits; tie groups are checked
    against the real bits and a column falls back to an exact argsort if that ever happens (or if it
    holds infinities, which packing would turn into NaN).
    """
    data = np.asarray(badness, dtype=np.float64)
    if data.ndim != 2:
        raise ValueError(f"badness must be 2-D (areas x measures), got shape {data.shape}")
    n, m = data.shape
    pct = np.broadcast_to(np.asarray(pct, dtype=np.float64), (m,))
    if not np.all(np.isfinite(pct)):
        raise ValueError("threshold percentages must be finite")

    # One row per measure, negated so an ascending sort puts the worst first; 0 - x also turns -0.0 into +0.0.
    work = np.ascontiguousarray(data.T)
    if np.shares_memory(work, data):
        work = work.copy()
    np.subtract(0.0, work, out=work)
    bits = max(1, (n - 1).bit_length())
    low = np.int64((1 << bits) - 1)
    high = np.int64(~((1 << bits) - 1))
    row_ids = np.arange(n, dtype=np.int64)
    ranks1 = np.arange(1, n + 1, dtype=np.float64)
    starts_buf = np.empty(n, dtype=bool)

    n_valid = np.zeros(m, dtype=np.int64)
    threshold = np.full(m, np.nan)
    for j in range(m):
        col, col_bits = work[j], work[j].view(np.int64)
        exact = bool(np.isinf(col).any())
        if not exact:
            low_bits = col_bits & low
            lossy = bool(low_bits.any())
            col_bits &= high
            col_bits |= row_ids
            col.sort()  # NaN (whatever its payload) sorts last
            nv = int(np.searchsorted(col, np.nan))
            starts = starts_buf[:nv]
            starts[:1] = True
            high_part = col_bits[:nv] >> bits
            np.not_equal(high_part[1:], high_part[:-1], out=starts[1:])
            order = col_bits[:nv] & low
            if lossy and not starts.all():
                sorted_low = low_bits[order]
                exact = bool(np.any((sorted_low[1:] != sorted_low[:-1]) & ~starts[1:]))
            if not exact:
                ranks = _ranks_from_starts(starts, ranks1)
        if exact:
            order, ranks = _exact_column(0.0 - data[:, j])
            nv = order.size
        # The row is no longer needed as a sort buffer: it becomes this measure's worst-ranks.
        col.fill(np.nan)
        col[order] = ranks
        n_valid[j] = nv
        k = min(math.floor(round(nv * pct[j] / 100.0, 9)), nv)
        last_flagged = int(np.searchsorted(ranks, k, side="right"))  # ranks ascend along the sorted column
        if last_flagged >= 1:
            threshold[j] = data[order[last_flagged - 1], j] + 0.0
    flags = data >= threshold  # NaN on either side compares False
    return flags, work.T, n_valid, threshold


# ---- scoring ---------------------------------------------------------------------------------------


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


def _signs(measures: pd.DataFrame) -> np.ndarray:
    """+1 / -1 per measure so that "higher is worse" holds for every column; a typo must not flip a measure."""
    direction = measures["direction"]
    bad = sorted({str(d) for d in direction if d not in DIRECTIONS})
    if bad:
        raise ValueError(f"unknown measure direction(s) {bad}; expected one of {DIRECTIONS}")
    return np.where(direction.to_numpy() == HIGH_IS_WORSE, 1.0, -1.0)


def rank_min(scores: np.ndarray) -> np.ndarray:
    """Rank highest first, ties sharing the best rank (pandas' method="min"): 1 + number strictly higher."""
    scores = np.asarray(scores, dtype=np.float64)
    ascending = np.sort(scores)
    return (scores.size - np.searchsorted(ascending, scores, side="right") + 1).astype(np.int64)


def profile_arrays(prepared: _Prepared, profile: Profile) -> tuple[np.ndarray, np.ndarray]:
    """(weights, threshold percentages) per measure of a prepared frame under a profile."""
    codes = prepared.codes
    weights = np.array([profile.weight_for(c, d) for c, d in zip(codes, prepared.default_weights, strict=True)])
    pct = np.array([profile.threshold_for(c) for c in codes], dtype=np.float64)
    return weights, pct


def weighted_scores(flags: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Sum of the weights of the flagging measures, rounded so that equal sums reached in different
    ways (0.1 + 0.2 vs 0.3) tie, as a reader expects."""
    counted = weights > 0
    return np.round(flags[:, counted].astype(np.float64) @ weights[counted], 9) + 0.0


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


EXPLAIN_COLUMNS = [
    "code",
    "label",
    "family",
    "geography",
    "unit",
    "direction",
    "value",
    "threshold_value",
    "beyond_threshold",
    "percentile",
    "flagged",
    "weight",
    "contribution",
    "period",
    "source",
]


def explain(result: ScoreResult, ward_code: str) -> pd.DataFrame:
    """One row per measure (display order): the ward's value against the threshold and what it adds.

    beyond_threshold is how much worse than the threshold value the ward is, in the measure's units
    (>= 0 when flagged, negative when short of the threshold, NaN when missing).
    """
    if ward_code not in result.flags.index:
        raise KeyError(f"no ward {ward_code!r} in this result")
    m = result.measures
    t = result.thresholds
    value = result.values.loc[ward_code].astype("float64")
    flagged = result.flags.loc[ward_code].astype(bool)
    sign = pd.Series(_signs(m), index=m.index)
    out = pd.DataFrame(
        {
            "code": m.index,
            "label": m["label"],
            "family": m["family"],
            "geography": m["geography"],
            "unit": m["unit"],
            "direction": m["direction"],
            "value": value,
            "threshold_value": t["threshold_value"],
            "beyond_threshold": (value - t["threshold_value"]) * sign,
            "percentile": result.percentiles.loc[ward_code],
            "flagged": flagged,
            "weight": t["weight"],
            "contribution": t["weight"].where(flagged, 0.0),
            "period": m["period"],
            "source": m["source"],
        },
        index=m.index,
    )
    return out[EXPLAIN_COLUMNS].reset_index(drop=True)


def flagged_labels(result: ScoreResult, sep: str = ", ") -> pd.Series:
    """Per ward, the labels of the counted measures that flag it (for tooltips and the table)."""
    flags = result.flag_array & (result.weights > 0)
    labels = result.measures["label"].to_numpy(dtype=object)
    return pd.Series([sep.join(labels[row]) for row in flags], index=result.frame.wards.index, dtype=object)


def ranked_table(result: ScoreResult) -> pd.DataFrame:
    """The export: the ranked wards, each measure's value (named by code) and each flag (flag_<code>)."""
    t = result.table
    codes = list(result.measures.index)
    values = result.values.loc[t.index, codes]
    flags = result.flags.loc[t.index, codes].add_prefix("flag_")
    head = t[["ward_name", "borough_name", "score", "rank", "flagged_count"]]
    out = pd.concat([head, values, flags], axis=1)
    out.index.name = "ward_code"
    return out.reset_index()


def _one_line(text: object) -> str:
    return " ".join(str("" if text is None or (isinstance(text, float) and math.isnan(text)) else text).split())


def ranked_csv(result: ScoreResult, extra: pd.DataFrame | None = None, notes: Iterable[str] = ()) -> str:
    """CSV for a board paper: '# ' lines saying how it was made (read it back with comment='#'), then the table.

    extra: more columns (index ward_code), e.g. the rank bands and counts; notes: more header lines.
    """
    p = result.profile
    t = result.thresholds
    weights = ", ".join(f"{c}={_fmt(w)}" for c, w in t["weight"].items())
    overrides = ", ".join(f"{c}={_fmt(v)}%" for c, v in p.overrides.items() if c in t.index) or "none"
    lines = [
        "VRU Hub ward need scores. Ranks wards for one decision with the weights below; not an index.",
        f"Threshold: each measure flags the worst {_fmt(p.threshold_pct)}% of wards with a value "
        "(ties are never split, so no more than that share is flagged; missing values never flagged).",
        f"Per-measure thresholds: {overrides}",
        "Smoothed rates: "
        + (", ".join(f"{c}={m}" for c, m in p.smoothing.items() if c in t.index) or "none (rates as published)"),
        f"Weights (0 = left out): {weights}",
        "Score = sum of the weights of the measures that flag the ward; equal scores share a rank.",
    ]
    for code, m in result.measures.iterrows():
        lines.append(
            f"{code}: {_one_line(m.get('label'))} ({_one_line(m.get('geography'))} level, "
            f"{_one_line(m.get('direction')).replace('_', ' ')}); period {_one_line(m.get('period'))}; "
            f"source {_one_line(m.get('source'))}"
        )
    lines += list(notes)
    buffer = io.StringIO()
    buffer.write("".join(f"# {escape_line(line)}\n" for line in lines))  # labels are user text
    table = ranked_table(result)
    if extra is not None:
        table = table.join(extra, on="ward_code")
    # %.10g drops float noise (34.019999999999996 -> 34.02) and keeps every meaningful digit.
    table.to_csv(buffer, index=False, lineterminator="\n", float_format="%.10g")
    return buffer.getvalue()
