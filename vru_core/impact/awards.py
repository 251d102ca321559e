"""From the register to estimates: one award, or any set of awards (a stream, an objective, a round).

Which wards an award served: its wards; every ward of its boroughs for a borough award. London-wide
awards reach every ward alike, so they cannot be estimated (no unfunded wards to compare with) and do
not stop other awards' comparison wards from being used.

Comparison wards exclude the wards of every other award that is not withdrawn and whose planned dates
overlap the months analysed (example awards only count against other example awards: they are made up).

A group estimate combines its awards' own estimates (each with its own start: staggered adoption),
weighting each by its synthetic offences after the start, so the group effect is the % change in all
the funded wards' offences together. Its inference draws one placebo per award at random (seeded) and
combines them the same way, as Cavallo, Galiani, Noy & Pantano (2013) do for several synthetic-control
events. Awards that cannot be estimated are listed with their reason and left out.
"""

from __future__ import annotations

import functools
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import Engine, select

from vru_core.impact.panel import DEFAULT_OUTCOME, check_outcome, load_panel
from vru_core.impact.synth import METHOD, CannotEstimate, Design, Estimate, Headline, estimate, interval, p_value
from vru_core.register.query import RegisterData, load_register

GROUP_STATUSES = ("approved", "active", "completed")  # committed money: what a stream or objective has funded
GROUP_DRAWS = 4000


def _month(value) -> str:
    return pd.Timestamp(value).strftime("%Y-%m")


def ward_boroughs(engine: Engine) -> pd.Series:
    """ward code -> borough code for every May 2022 ward."""
    from vru_core.models import Ward

    with engine.connect() as conn:
        rows = conn.execute(select(Ward.code, Ward.borough_code)).all()  # type: ignore[call-overload]
    return pd.Series(dict(rows), dtype=object)


def served_wards(register: RegisterData, boroughs: pd.Series, award_ids: Iterable[int]) -> dict[int, set[str]]:
    """award id -> the wards it served (borough awards expanded to their wards; London-wide: none)."""
    ids = set(award_ids)
    areas = register.areas[register.areas["award_id"].isin(ids)]
    by_borough = boroughs.groupby(boroughs.to_numpy()).groups
    out: dict[int, set[str]] = {i: set() for i in ids}
    for award_id, code, kind in areas[["award_id", "area_code", "area_type"]].itertuples(index=False):
        if kind == "borough":
            out[award_id].update(by_borough.get(code, []))
        else:
            out[award_id].add(code)
    return out


def design_for(register: RegisterData, boroughs: pd.Series, award_id: int, first_month: str) -> Design:
    """The award's design; raises CannotEstimate for a withdrawn or London-wide award."""
    awards = register.awards
    if award_id not in awards.index:
        raise LookupError(f"no award with id {award_id}")
    row = awards.loc[award_id]
    if row["status"] == "withdrawn":
        raise CannotEstimate("This award was withdrawn: nothing was delivered to estimate.")
    if row["geography_level"] == "london":
        raise CannotEstimate(
            "This award is London-wide: every ward was served, so there are no unfunded wards to compare with."
        )
    start, end = _month(row["planned_start"]), _month(row["planned_end"])
    others = awards[
        (awards.index != award_id)
        & (awards["status"] != "withdrawn")
        & (awards["geography_level"] != "london")
        & (awards["planned_start"].dt.strftime("%Y-%m") <= end)
        & (awards["planned_end"].dt.strftime("%Y-%m") >= first_month)
        & (~awards["is_example"] | bool(row["is_example"]))
    ]
    served = served_wards(register, boroughs, [award_id, *others.index])
    wards = served.pop(award_id)
    excluded = frozenset().union(*served.values()) if served else frozenset()
    return Design(wards=tuple(sorted(wards)), start=start, end=end, excluded=frozenset(excluded))


@functools.lru_cache(maxsize=512)
def _estimate_cached(outcome: str, data_dir: str | None, design: Design, exclude_neighbours: bool) -> Estimate:
    panel = load_panel(outcome, Path(data_dir) if data_dir else None)
    return estimate(panel, design, exclude_neighbours=exclude_neighbours, data_dir=data_dir)


def estimate_award(
    engine: Engine,
    award_id: int,
    outcome: str = DEFAULT_OUTCOME,
    *,
    register: RegisterData | None = None,
    data_dir: Path | None = None,
    exclude_neighbours: bool = True,
) -> Estimate:
    """The award's estimate (raises CannotEstimate with the reason; LookupError for an unknown award)."""
    check_outcome(outcome)
    register = register if register is not None else load_register(engine)
    panel = load_panel(outcome, data_dir)
    design = design_for(register, ward_boroughs(engine), award_id, panel.months[0])
    est = _estimate_cached(outcome, str(data_dir) if data_dir else None, design, exclude_neighbours)
    row = register.awards.loc[award_id]
    notes = []
    if row["is_example"]:
        notes.append("EXAMPLE award: made up, so this is what the method finds where nothing was funded.")
    if row["status"] == "proposed":
        notes.append("This award is still proposed: delivery may not have started.")
    return _with_notes(est, notes) if notes else est


def _with_notes(est: Estimate, notes: list[str]) -> Estimate:
    from dataclasses import replace

    return replace(est, notes=[*est.notes, *notes])


@dataclass
class GroupEstimate(Headline):
    """Several awards' estimates combined; ``awards`` lists each with its estimate or refusal."""

    label: str
    estimates: dict[int, Estimate]
    refused: dict[int, str]
    identifiers: dict[int, str]
    titles: dict[int, str]
    series: pd.DataFrame  # months since start, funded, synthetic, band_low, band_high, awards
    notes: list[str] = field(default_factory=list)
    method: str = METHOD + "; awards combined by their synthetic offences, placebos drawn one per award"

    def to_json(self) -> dict:
        return {
            "group": self.label,
            **self.headline_json(),
            "awards_estimated": len(self.estimates),
            "awards": [
                {"identifier": self.identifiers[i], **{k: e.to_json()[k] for k in _AWARD_KEYS}}
                for i, e in self.estimates.items()
            ],
            "awards_refused": [{"identifier": self.identifiers[i], "refused": r} for i, r in self.refused.items()],
            "method": self.method,
            "notes": list(self.notes),
        }


_AWARD_KEYS = ("effect_pct", "ci_low_pct", "ci_high_pct", "p_value", "treated_wards", "pre_months", "post_months")


def combine(
    estimates: Sequence[Estimate], seed: int = 0, draws: int = GROUP_DRAWS
) -> tuple[float, float, float, float]:
    """(effect %, interval low, interval high, p-value) of several estimates taken together."""
    synthetic = np.array([e.synthetic_offences_post for e in estimates])
    w = synthetic / synthetic.sum()
    effect = float(np.dot(w, [e.effect_pct for e in estimates]))
    if len(estimates) == 1:
        null = estimates[0].null_errors
    else:
        rng = np.random.default_rng(seed)
        null = np.zeros(draws)
        for weight, e in zip(w, estimates, strict=True):
            null += weight * e.null_errors[rng.integers(0, len(e.null_errors), draws)]
    low, high = interval(effect, null)
    return effect, low, high, p_value(effect, null)


def _event_series(estimates: Sequence[Estimate], null_band: tuple[float, float]) -> pd.DataFrame:
    """Funded vs synthetic offences per 1,000 residents by months since each award's start."""
    frames = []
    for e in estimates:
        s = e.series.reset_index(drop=True)
        start = int(s.index[s["month"] == e.start][0])
        pop = e.synthetic_offences_post / max(float(s.loc[s["period"] == "after", "synthetic"].sum()), 1e-12) * 1000
        frames.append(
            pd.DataFrame(
                {
                    "months_since_start": s.index - start,
                    "funded_n": s["funded"] * pop / 1000,
                    "synthetic_n": s["synthetic"] * pop / 1000,
                    "pop": pop,
                    "in_window": s["period"] != "after end",
                }
            )
        )
    both = pd.concat(frames)
    both = both[both["in_window"]]
    g = both.groupby("months_since_start")
    out = pd.DataFrame(
        {
            "funded": g["funded_n"].sum() / g["pop"].sum() * 1000,
            "synthetic": g["synthetic_n"].sum() / g["pop"].sum() * 1000,
            "awards": g.size(),
        }
    ).reset_index()
    after = out["months_since_start"] >= 0
    out["band_low"] = np.where(after, out["synthetic"] * (1 + null_band[0] / 100), np.nan)
    out["band_high"] = np.where(after, out["synthetic"] * (1 + null_band[1] / 100), np.nan)
    return out


def estimate_for_awards(
    engine: Engine,
    award_ids: Iterable[int],
    outcome: str = DEFAULT_OUTCOME,
    *,
    label: str = "",
    register: RegisterData | None = None,
    data_dir: Path | None = None,
    exclude_neighbours: bool = True,
    seed: int = 0,
) -> GroupEstimate:
    """Any set of awards together (a stream, an objective, a funding round); raises CannotEstimate if none can be."""
    register = register if register is not None else load_register(engine)
    ids = [int(i) for i in dict.fromkeys(award_ids)]
    if not ids:
        raise CannotEstimate("No awards in this group.")
    estimates: dict[int, Estimate] = {}
    refused: dict[int, str] = {}
    for award_id in ids:
        try:
            estimates[award_id] = estimate_award(
                engine,
                award_id,
                outcome,
                register=register,
                data_dir=data_dir,
                exclude_neighbours=exclude_neighbours,
            )
        except CannotEstimate as exc:
            refused[award_id] = str(exc)
    identifiers = {i: str(register.awards.at[i, "identifier"]) for i in ids}
    titles = {i: str(register.awards.at[i, "title"]) for i in ids}
    if not estimates:
        reasons = "; ".join(f"{identifiers[i]}: {r}" for i, r in list(refused.items())[:5])
        raise CannotEstimate(f"None of the {len(ids)} awards can be estimated ({reasons}).")
    ests = list(estimates.values())
    effect, low, high, p = combine(ests, seed=seed)
    band = (effect - high, effect - low)  # the null errors' 5th and 95th percentiles
    notes = [f"{len(refused)} of {len(ids)} awards could not be estimated and are left out."] if refused else []
    return GroupEstimate(
        label=label,
        outcome=outcome,
        effect_pct=effect,
        ci_low_pct=low,
        ci_high_pct=high,
        p_value=p,
        treated_wards=tuple(sorted({w for e in ests for w in e.treated_wards})),
        donor_wards=tuple(sorted({w for e in ests for w in e.donor_wards})),
        pre_months=min(e.pre_months for e in ests),
        post_months=min(e.post_months for e in ests),
        estimates=estimates,
        refused=refused,
        identifiers=identifiers,
        titles=titles,
        series=_event_series(ests, band),
        notes=notes,
    )


def group_awards(
    register: RegisterData,
    *,
    stream: str | None = None,
    objective: int | None = None,
    among: Collection[int] | None = None,
) -> list[int]:
    """Committed (approved, active, completed), non-example awards of a funding stream, an objective, or
    `among` a given set (a funding round's awards: vru_core.rounds.award_ids)."""
    awards = register.awards
    mask = awards["status"].isin(GROUP_STATUSES) & ~awards["is_example"].astype(bool)
    if among is not None:
        mask &= awards.index.isin(list(among))
    if stream is not None:
        mask &= awards["funding_stream"] == stream
    if objective is not None:
        ids = register.objectives.loc[register.objectives["objective_number"] == int(objective), "award_id"]
        mask &= awards.index.isin(ids)
    return [int(i) for i in awards.index[mask]]


def find_award(register: RegisterData, identifier: str) -> int:
    """The award id for a 360Giving identifier (or a numeric id); LookupError if there is none."""
    awards = register.awards
    hits = awards.index[awards["identifier"] == identifier.strip()]
    if len(hits):
        return int(hits[0])
    if identifier.strip().isdigit() and int(identifier) in awards.index:
        return int(identifier)
    raise LookupError(f"no award with identifier {identifier!r}")
