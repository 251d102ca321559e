"""Named scoring profiles: save, list, load. Saving is an analyst's write and is audited."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Engine
from sqlmodel import select

from vru_core.models import ScoringProfile
from vru_core.models.common import utcnow
from vru_core.needs.profile import Profile
from vru_core.platform.audit import record
from vru_core.platform.auth import Actor, Permission, require
from vru_core.platform.db import session_scope
from vru_core.platform.locking import advance_version


def save_profile(
    *,
    engine: Engine,
    actor: Actor,
    name: str,
    profile: Profile,
    description: str = "",
    expected_version: int | None = None,
) -> int:
    """Create the named profile, or replace its settings if the name exists (version goes up).

    `expected_version` is the version the analyst loaded: a colleague's save since then is refused
    (StaleVersion, saying what changed) instead of being overwritten.
    """
    require(actor, Permission.PROFILES_WRITE)
    name = name.strip()
    if not name:
        raise ValueError("name: a profile needs a name")
    if len(name) > 120:
        raise ValueError("name: 120 characters at most")
    settings = profile.to_dict()
    with session_scope(engine) as session:
        row = session.exec(select(ScoringProfile).where(ScoringProfile.name == name)).first()
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
                after={"name": name, "settings": settings},
            )
        else:
            before = {"name": row.name, "settings": row.settings, "version": row.version}
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
        return row.id


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


def delete_profile(*, engine: Engine, actor: Actor, name: str) -> None:
    require(actor, Permission.PROFILES_WRITE)
    with session_scope(engine) as session:
        row = session.exec(select(ScoringProfile).where(ScoringProfile.name == name)).first()
        if row is None:
            raise KeyError(f"No profile named {name!r}")
        record(
            session,
            actor=actor,
            action="delete",
            entity_type="scoring_profile",
            entity_id=row.id,
            before={"name": row.name, "settings": row.settings},
        )
        session.delete(row)
