"""Named scoring profiles: save, list, load. Saving is an analyst's write and is audited."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Engine
from sqlmodel import select

from vru_core.models import ScoringProfile
from vru_core.models.common import utcnow
from vru_core.needs.profile import Profile
from vru_core.platform.audit import record
from vru_core.platform.auth import Actor, Permission, require
from vru_core.platform.db import session_scope
from vru_core.platform.errors import Invalid, NotFound, Problem, Stale
from vru_core.platform.inputs import check_text
from vru_core.platform.locking import advance_version, claim, gone, write_lock


def save_profile(
    *,
    engine: Engine,
    actor: Actor,
    name: str,
    profile: Profile,
    description: str = "",
    expected_version: int | None = None,
) -> int:
    """Create the named profile (`expected_version` None), or replace the settings of the one the analyst
    loaded (`expected_version` = the version they loaded); returns its version now. A colleague's save
    since then is refused (Stale, saying what changed), and so is saving under an existing name without
    its version (that would overwrite a profile the analyst never opened).
    """
    require(actor, Permission.PROFILES_WRITE)
    name, problem = check_text(name, max_length=120)
    description, description_problem = check_text(description, required=False, max_length=500)
    problems = [Problem(None, "name", "a profile needs a name" if not name else problem)] if problem else []
    if description_problem:
        problems.append(Problem(None, "description", description_problem))
    if problems:
        raise Invalid(problems)
    settings = profile.to_dict()
    with session_scope(engine) as session:
        write_lock(session, "profiles.save")  # one new name at a time: the second of two creators is told
        row = session.exec(select(ScoringProfile).where(ScoringProfile.name == name)).first()
        if row is not None and expected_version is None:
            raise Stale(
                f"Not saved: a profile named {name!r} already exists (version {row.version}, last saved by "
                f"{row.updated_by}). Load it first to change it, or choose another name.",
                [Problem(None, "name", f"{name!r} already exists")],
            )
        if row is None and expected_version is not None:
            raise gone("scoring_profile", name, expected_version)
        if row is None:
            row = ScoringProfile(
                name=name,
                description=description,
                settings=settings,
                created_by=actor.username,
                updated_by=actor.username,
            )
            session.add(row)
            session.flush()
            record(
                session,
                actor=actor,
                action="create",
                entity_type="scoring_profile",
                entity_id=row.id,
                after={"name": name, "settings": settings, "version": row.version},
            )
        else:
            before = {"name": row.name, "settings": row.settings, "version": expected_version}
            advance_version(session, row, expected_version, entity_type="scoring_profile", entity_id=row.id)
            row.settings, row.description = settings, description or row.description
            row.updated_by, row.updated_at = actor.username, utcnow()
            session.add(row)
            record(
                session,
                actor=actor,
                action="update",
                entity_type="scoring_profile",
                entity_id=row.id,
                before=before,
                after={"name": name, "settings": settings, "version": row.version},
            )
        return row.version


@dataclass(frozen=True)
class Controls:
    """What the page's sliders can show: a profile from an address is fitted into these ranges."""

    threshold: tuple[float, float, float] = (1.0, 50.0, 1.0)  # min, max, step
    weight: tuple[float, float, float] = (0.0, 5.0, 0.5)
    override: tuple[float, float, float] = (1.0, 100.0, 1.0)


def _fit(
    what: str, value: float, bounds: tuple[float, float, float], unit: str = "", of: str = ""
) -> tuple[float, str | None]:
    """The nearest value a control can show, and the sentence saying so when that is not `value`."""
    low, high, step = bounds
    fitted = float(min(max(low + round((value - low) / step) * step, low), high))
    if fitted == value:
        return fitted, None
    return fitted, (
        f"{what} {value:g}{unit}{of} is outside {low:g}–{high:g}{unit} (in steps of {step:g}): using {fitted:g}{unit}"
    )


def fit_to_controls(
    profile: Profile, labels: Mapping[str, str], controls: Controls = Controls()
) -> tuple[Profile, list[str]]:
    """The nearest profile the controls can show, and one sentence per value changed (for the page to say)."""
    threshold, note = _fit("threshold", profile.threshold_pct, controls.threshold, "%")
    notes = [note] if note else []
    fitted: dict[str, dict[str, float]] = {"weights": {}, "overrides": {}}
    for kind, values, bounds, what, unit in (
        ("weights", profile.weights, controls.weight, "weight", ""),
        ("overrides", profile.overrides, controls.override, "threshold", "%"),
    ):
        for code, value in values.items():
            fitted[kind][code], note = _fit(what, value, bounds, unit, of=f" for {labels.get(code, code)}")
            notes += [note] if note else []
    return (
        Profile(threshold_pct=threshold, **fitted, smoothing=profile.smoothing, measure_set=profile.measure_set),
        notes,
    )


def profile_notes(profile: Profile, measures: pd.DataFrame, name: str | None = None) -> list[str]:
    """What a user must know about a profile they load: measures added since (off in it), measures it
    weighted that are gone, or that it predates complete profiles (its unset measures use today's defaults)."""
    labels = measures["label"].to_dict()
    what = f"Profile “{name}”" if name else "This profile"
    notes = []
    if profile.measure_set is None:
        notes.append(
            f"{what} was saved before profiles recorded every measure: measures it did not set use today's "
            "default weights, so its ranking can differ from when it was saved. Save it again to fix it."
        )
    newer = profile.newer_measures(measures)
    if newer:
        notes.append(
            f"{len(newer)} newer measure(s) exist that {what.lower() if not name else what} does not use, so they "
            "are off (weight 0): " + "; ".join(labels.get(c, c) for c in newer) + "."
        )
    gone = profile.gone_measures(measures)
    if gone:
        notes.append(f"{what} weighted measure(s) that no longer exist and are left out: " + "; ".join(gone) + ".")
    return notes


def list_profiles(engine: Engine) -> pd.DataFrame:
    with session_scope(engine) as session:
        rows = session.exec(select(ScoringProfile).order_by(ScoringProfile.name)).all()
        return pd.DataFrame(
            [
                {
                    "name": r.name,
                    "description": r.description,
                    "threshold_pct": r.settings.get("threshold_pct"),
                    "updated_by": r.updated_by,
                    "updated_at": r.updated_at,
                    "version": r.version,
                }
                for r in rows
            ],
            columns=["name", "description", "threshold_pct", "updated_by", "updated_at", "version"],
        )


def get_profile(engine: Engine, name: str) -> Profile | None:
    with session_scope(engine) as session:
        row = session.exec(select(ScoringProfile).where(ScoringProfile.name == name)).first()
        return None if row is None else Profile.from_dict(row.settings)


def delete_profile(*, engine: Engine, actor: Actor, name: str, version: int) -> None:
    """Delete the named profile at the `version` the analyst saw."""
    require(actor, Permission.PROFILES_WRITE)
    with session_scope(engine) as session:
        found = session.exec(select(ScoringProfile.id).where(ScoringProfile.name == name)).first()
        if found is None:
            raise NotFound(f"No profile named {name!r}")
        row = claim(session, ScoringProfile, found, version, entity_type="scoring_profile")
        record(
            session,
            actor=actor,
            action="delete",
            entity_type="scoring_profile",
            entity_id=row.id,
            before={"name": row.name, "settings": row.settings},
        )
        session.delete(row)
