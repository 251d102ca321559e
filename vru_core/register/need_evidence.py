"""The need behind an award, frozen when it is approved.

At approval we store the scoring profile used and, for each ward the award serves, its score, rank,
flagged measures and their data periods, as JSON on an AwardNeedEvidence row. It is written once and
never recomputed: later data or profile changes show up only in "today's score" beside it.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Engine
from sqlmodel import Session, select

from vru_core.models import AwardNeedEvidence, Ward
from vru_core.models.common import utcnow
from vru_core.platform.audit import record
from vru_core.platform.auth import Actor
from vru_core.platform.errors import NotFound

DEFAULT_PROFILE_LABEL = "default profile"


def _current_scores(engine: Engine, profile_name: str | None):
    """(profile name, Profile, ScoreResult, measures frame) under the named profile, or the default."""
    from vru_core.needs.measures import load_measure_frame
    from vru_core.needs.profiles import get_profile
    from vru_core.needs.scoring import Profile, score

    profile = get_profile(engine, profile_name) if profile_name else None
    if profile_name and profile is None:
        raise NotFound(f"profile: no saved scoring profile named {profile_name!r}")
    profile = profile or Profile()
    frame = load_measure_frame(engine)
    return profile_name or DEFAULT_PROFILE_LABEL, profile, score(frame, profile), frame.measures


def evidence_from_scores(
    *,
    profile_name: str,
    profile_settings: dict,
    table: pd.DataFrame,
    flags: pd.DataFrame,
    measures: pd.DataFrame,
    ward_codes: list[str],
) -> dict:
    """The JSON we freeze: profile + each ward's score, rank, flagged measures (code, label, period)."""
    wards = []
    for code in ward_codes:
        if code not in table.index:
            wards.append({"ward_code": code, "score": None, "rank": None, "flagged": [], "note": "not scored"})
            continue
        row = table.loc[code]
        flagged_codes = [m for m in flags.columns if bool(flags.at[code, m])] if code in flags.index else []
        wards.append(
            {
                "ward_code": code,
                "ward_name": str(row.get("ward_name", "")),
                "borough_name": str(row.get("borough_name", "")),
                "score": None if pd.isna(row["score"]) else float(row["score"]),
                "rank": None if pd.isna(row["rank"]) else int(row["rank"]),
                "flagged": [
                    {
                        "code": m,
                        "label": str(measures.at[m, "label"]) if m in measures.index else m,
                        "period": str(measures.at[m, "period"]) if m in measures.index else "",
                    }
                    for m in flagged_codes
                ],
            }
        )
    return {
        "profile_name": profile_name,
        "profile": profile_settings,
        "wards_scored": len(table),
        "wards": wards,
    }


def wards_served(engine: Engine, *, geography_level: str, area_codes: list[str]) -> list[str]:
    """The wards an award serves: its wards, or every ward of its boroughs; none for London-wide."""
    if geography_level == "ward":
        return list(area_codes)
    if geography_level == "borough":
        with engine.connect() as conn:
            return list(
                conn.execute(
                    select(Ward.code).where(Ward.borough_code.in_(area_codes)).order_by(Ward.borough_code, Ward.code)
                ).scalars()
            )
    return []


def build_evidence(engine: Engine, *, profile_name: str | None, geography_level: str, area_codes: list[str]) -> dict:
    name, profile, result, measures = _current_scores(engine, profile_name)
    evidence = evidence_from_scores(
        profile_name=name,
        profile_settings=profile.to_dict(),
        table=result.table,
        flags=result.flags,
        measures=measures,
        ward_codes=wards_served(engine, geography_level=geography_level, area_codes=area_codes),
    )
    evidence["geography_level"] = geography_level
    return evidence


def freeze(session: Session, *, award_id: int, actor: Actor, evidence: dict) -> AwardNeedEvidence:
    """Write the evidence once, in the caller's transaction; a second freeze is refused, never an overwrite."""
    if session.get(AwardNeedEvidence, award_id) is not None:
        raise ValueError(f"award {award_id}: need evidence is already frozen and is never replaced")
    row = AwardNeedEvidence(
        award_id=award_id,
        frozen_at=utcnow(),
        frozen_by=actor.username,
        profile_name=evidence.get("profile_name", ""),
        evidence=evidence,
    )
    session.add(row)
    record(
        session,
        actor=actor,
        action="freeze",
        entity_type="award_need_evidence",
        entity_id=award_id,
        after={"award_id": award_id, "profile_name": row.profile_name, "wards": len(evidence.get("wards", []))},
    )
    return row


def frozen_evidence(engine: Engine, award_id: int) -> dict | None:
    with Session(engine) as session:
        row = session.get(AwardNeedEvidence, award_id)
        if row is None:
            return None
        return {"frozen_at": row.frozen_at, "frozen_by": row.frozen_by, **row.evidence}


def then_and_now(evidence: dict, today_table: pd.DataFrame) -> pd.DataFrame:
    """Frozen score and rank beside today's, one row per ward (today's from a fresh score under any profile)."""
    rows = []
    for w in evidence.get("wards", []):
        code = w["ward_code"]
        now = today_table.loc[code] if code in today_table.index else None
        rows.append(
            {
                "ward_code": code,
                "ward": w.get("ward_name", code),
                "borough": w.get("borough_name", ""),
                "score_at_award": w.get("score"),
                "rank_at_award": w.get("rank"),
                "flagged_at_award": ", ".join(f["label"] for f in w.get("flagged", [])),
                "score_today": None if now is None else float(now["score"]),
                "rank_today": None if now is None else int(now["rank"]),
            }
        )
    return pd.DataFrame(rows)
