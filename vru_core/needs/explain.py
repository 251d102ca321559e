"""Explaining a score: one ward's measures against their thresholds, flagged labels, and the ranked export."""

from __future__ import annotations

import io
import math
from collections.abc import Iterable
from typing import TYPE_CHECKING

import pandas as pd

from vru_core.needs.kernel import _signs
from vru_core.needs.profile import _fmt
from vru_core.platform.csvsafe import escape_frame, escape_line

if TYPE_CHECKING:
    from vru_core.needs.scoring import ScoreResult


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
    buffer.write("".join(f"{escape_line('# ' + line)}\n" for line in lines))  # labels and sources are user text
    # %.10g drops float noise (34.019999999999996 -> 34.02) and keeps every meaningful digit.
    escape_frame(ranked_table(result).pipe(lambda t: t if extra is None else t.join(extra, on="ward_code"))).to_csv(
        buffer, index=False, lineterminator="\n", float_format="%.10g"
    )
    return buffer.getvalue()
