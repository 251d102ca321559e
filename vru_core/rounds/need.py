"""The need criterion: computed from the ward need scores, never typed in.

For an application, the wards it serves are its wards, every ward of its boroughs, or every London ward
for London-wide work. Under the round's scoring profile (frozen when the round opened) each ward has a
need score (vru_core.needs.scoring); the application's **need figure** is the mean score of those
wards, and its **need points** are that figure on the criteria's 0-5 scale against London's
highest-scoring ward: points = 5 x figure / highest ward score (0 when no ward scores). The evidence
stored with the application lists each ward's score, rank and flagged measures with their periods.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine, select
from sqlmodel import col

from vru_core.models import Ward
from vru_core.needs.measures import load_measure_frame
from vru_core.needs.profile import Profile
from vru_core.needs.scoring import ScoreResult, score
from vru_core.register.need_evidence import evidence_from_scores, wards_served
from vru_core.rounds.rounds import SCALE_MAX

METHOD = (
    "Need figure: the mean need score of the wards served (every ward of a borough; every London ward for "
    "London-wide work) under the round's frozen scoring profile. Need points: 5 x figure / London's highest "
    "ward score under that profile."
)


@dataclass(frozen=True)
class Need:
    figure: float
    points: float
    evidence: dict


class NeedScorer:
    """Scores London once under a round's profile, then gives the need of any set of areas."""

    def __init__(self, engine: Engine, profile: Profile, *, profile_name: str):
        self.engine, self.profile, self.profile_name = engine, profile, profile_name
        frame = load_measure_frame(engine)
        self.result: ScoreResult = score(frame, profile)
        self.measures = frame.measures
        self.scores = self.result.table["score"]
        self.highest = float(self.scores.max()) if len(self.scores) else 0.0

    def wards(self, geography_level: str, areas: list[str]) -> list[str]:
        if geography_level == "london":
            with self.engine.connect() as conn:
                return list(conn.execute(select(col(Ward.code)).order_by(col(Ward.code))).scalars())
        return wards_served(self.engine, geography_level=geography_level, area_codes=areas)

    def need(self, geography_level: str, areas: list[str]) -> Need:
        wards = self.wards(geography_level, areas)
        scored = [float(self.scores.at[w]) for w in wards if w in self.scores.index]
        figure = sum(scored) / len(scored) if scored else 0.0
        points = SCALE_MAX * figure / self.highest if self.highest > 0 else 0.0
        evidence = evidence_from_scores(
            profile_name=self.profile_name,
            profile_settings=self.profile.to_dict(),
            table=self.result.table,
            flags=self.result.flags,
            measures=self.measures,
            ward_codes=wards,
        )
        evidence.update(
            geography_level=geography_level,
            need_figure=figure,
            need_points=points,
            highest_ward_score=self.highest,
            method=METHOD,
            periods={str(code): str(self.measures.at[code, "period"]) for code in self.measures.index},
        )
        return Need(figure=figure, points=points, evidence=evidence)
