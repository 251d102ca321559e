"""A scoring profile: the threshold, per-measure weights, threshold overrides and smoothing.

The value the user's choices are held in, and its forms in a URL (short, forgiving of stale links)
and in JSON (strict). Named profiles saved in the store are :mod:`vru_core.needs.profiles`; the
scoring itself is :mod:`vru_core.needs.scoring`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field

import pandas as pd

from vru_core.needs.measures import MeasureFrame
from vru_core.needs.smoothing import METHODS, RAW, check_method

DEFAULT_THRESHOLD_PCT = 10.0
MAX_URL_WEIGHT = 10.0
COMPLETE_LINK = "2"  # `p=2` in a link: every non-zero weight is listed, the rest are 0


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

    A *complete* profile (``measure_set`` given, as the page and every save make them) records the
    measures it was made with and the weight of each: a measure not in ``weights`` weighs 0, so a
    measure added later is off in it and the profile ranks the wards the same way tomorrow. A legacy
    profile (``measure_set`` None: saved before profiles were complete, or a short link) holds only the
    weights that differ from a measure's default, and any other measure uses its default_weight.
    overrides holds per-measure threshold percentages; smoothing holds, for count-based measures, "eb"
    or "spatial_eb" (see vru_core.needs.smoothing; absent = as published). Codes that are not (or no
    longer) measures are ignored when scoring.
    """

    threshold_pct: float = DEFAULT_THRESHOLD_PCT
    weights: Mapping[str, float] = field(default_factory=FrozenMap)
    overrides: Mapping[str, float] = field(default_factory=FrozenMap)
    smoothing: Mapping[str, str] = field(default_factory=FrozenChoices)
    measure_set: frozenset[str] | None = None

    @classmethod
    def complete(
        cls,
        measures: pd.DataFrame | MeasureFrame,
        weights: Mapping[str, float],
        *,
        threshold_pct: float = DEFAULT_THRESHOLD_PCT,
        overrides: Mapping[str, float] | None = None,
        smoothing: Mapping[str, str] | None = None,
    ) -> Profile:
        """A complete profile over today's measures: every measure's weight (missing ones 0), zeros kept."""
        codes = list(_measures_table(measures).index)
        return cls(
            threshold_pct=threshold_pct,
            weights={c: float(weights.get(c, 0.0)) for c in codes},
            overrides=overrides or {},
            smoothing=smoothing or {},
            measure_set=frozenset(codes),
        )

    @classmethod
    def default(cls, measures: pd.DataFrame | MeasureFrame) -> Profile:
        """The default profile, complete: each measure at its default weight."""
        return cls.complete(measures, _default_weights(_measures_table(measures)).to_dict())

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
        smoothing = FrozenChoices(
            (c, check_method(m, f"smoothing[{c!r}]")) for c, m in FrozenChoices(self.smoothing).items() if m != RAW
        )
        object.__setattr__(self, "weights", weights)
        object.__setattr__(self, "overrides", overrides)
        object.__setattr__(self, "smoothing", smoothing)
        if self.measure_set is not None:
            measure_set = frozenset(str(c) for c in self.measure_set)
            stray = sorted(set(weights) - measure_set)
            if stray:
                raise ValueError(f"weights for measures outside the profile's measure set: {stray}")
            object.__setattr__(self, "measure_set", measure_set)

    def key(self) -> tuple:
        """Hashable identity for caches (st.cache_data hashes arguments; this keeps it cheap)."""
        return (
            self.threshold_pct,
            tuple(self.weights.items()),
            tuple(self.overrides.items()),
            tuple(self.smoothing.items()),
            None if self.measure_set is None else tuple(sorted(self.measure_set)),
        )

    def weight_for(self, code: str, default: float) -> float:
        """The weight of `code`: a complete profile's own (0 when it does not set it), else the default."""
        if self.measure_set is not None:
            return float(self.weights.get(code, 0.0))
        return float(self.weights.get(code, default))

    def newer_measures(self, measures: pd.DataFrame | MeasureFrame) -> list[str]:
        """Measures that exist now but not when this complete profile was made (off in it); [] if legacy."""
        if self.measure_set is None:
            return []
        return [c for c in _measures_table(measures).index if c not in self.measure_set]

    def gone_measures(self, measures: pd.DataFrame | MeasureFrame) -> list[str]:
        """Measures this profile weighted (> 0) that no longer exist."""
        known = set(_measures_table(measures).index)
        return sorted(c for c, w in self.weights.items() if w > 0 and c not in known)

    def threshold_for(self, code: str) -> float:
        return float(self.overrides.get(code, self.threshold_pct))

    def resolved_weights(self, measures: pd.DataFrame | MeasureFrame) -> pd.Series:
        """Every measure's weight under this profile, in display order (defaults filled in)."""
        defaults = _default_weights(_measures_table(measures))
        return pd.Series({c: self.weight_for(c, d) for c, d in defaults.items()}, index=defaults.index, dtype="float64")

    # -- sharing by URL: short, forgiving of hand-edited or stale links --------------------------

    def to_query_params(self, measures: pd.DataFrame | MeasureFrame) -> dict[str, str]:
        """`t`; `w` with every known measure's non-zero weight (`w=none`: all off) and `p=2` saying a measure
        left out of `w` weighs 0; `o`/`s` for overrides and smoothing. So a link ranks the same later,
        whatever measures are added (they are off in it)."""
        table = _measures_table(measures)
        weights = self.resolved_weights(table)
        params = {"t": _fmt(self.threshold_pct), "p": COMPLETE_LINK}
        w = [f"{c}:{_fmt(weights[c])}" for c in table.index if weights[c] > 0]
        params["w"] = ",".join(w) if w else "none"
        o = [f"{c}:{_fmt(self.overrides[c])}" for c in table.index if c in self.overrides]
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
        With `p=2` (the links this app writes) the profile is complete: a measure not in `w` weighs 0;
        without it (older links), a measure not in `w` keeps its default weight; with no `w`, the default.
        """
        table = _measures_table(measures)
        known = set(table.index)

        def get(name: str) -> object:
            value = params.get(name) if hasattr(params, "get") else None
            if isinstance(value, (list, tuple)):
                value = value[-1] if value else None
            return value

        t = _number(get("t"))
        threshold = DEFAULT_THRESHOLD_PCT if t is None or t <= 0 else min(t, 100.0)
        weights = {c: min(max(v, 0.0), MAX_URL_WEIGHT) for c, v in _pairs(get("w")) if c in known}
        overrides = {c: min(v, 100.0) for c, v in _pairs(get("o")) if c in known and v > 0}
        smoothing = {
            code.strip(): method.strip()
            for code, _, method in (part.partition(":") for part in str(get("s") or "").split(","))
            if code.strip() in known and method.strip() in METHODS
        }
        if str(get("p") or "") == COMPLETE_LINK or get("w") is None:
            base = weights if get("w") is not None else _default_weights(table).to_dict()
            return cls.complete(table, base, threshold_pct=threshold, overrides=overrides, smoothing=smoothing)
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
        if self.measure_set is not None:
            out["measures"] = sorted(self.measure_set)
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
        measure_set = data.get("measures")
        if measure_set is not None and (
            isinstance(measure_set, (str, Mapping)) or not isinstance(measure_set, Iterable)
        ):
            raise ValueError("profile measures must be a list of measure codes")
        try:
            return cls(
                threshold_pct=float(data.get("threshold_pct", DEFAULT_THRESHOLD_PCT)),
                weights={str(k): float(v) for k, v in weights.items()},
                overrides={str(k): float(v) for k, v in overrides.items()},
                smoothing={str(k): str(v) for k, v in smoothing.items()},
                measure_set=None if measure_set is None else frozenset(str(c) for c in measure_set),
            )
        except (TypeError, ValueError) as exc:
            raise ValueError(f"invalid profile: {exc}") from exc
