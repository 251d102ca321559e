"""Need evidence frozen at approval: written once, never recomputed."""

from __future__ import annotations

import pandas as pd
import pytest
from sqlalchemy import update
from sqlmodel import Session

from tests.factories import approve, approver
from vru_core.models import AwardNeedEvidence, MeasureValue
from vru_core.register import lifecycle, need_evidence

pytestmark = pytest.mark.store


def test_evidence_from_scores_records_score_rank_and_flags():
    table = pd.DataFrame(
        {"ward_name": ["A", "B"], "borough_name": ["X", "X"], "score": [3.0, 0.0], "rank": [1, 2]},
        index=pd.Index(["W1", "W2"], name="ward_code"),
    )
    flags = pd.DataFrame({"m1": [True, False], "m2": [True, False]}, index=table.index)
    measures = pd.DataFrame(
        {"label": ["Measure one", "Measure two"], "period": ["2024", "2023/24"]}, index=["m1", "m2"]
    )
    evidence = need_evidence.evidence_from_scores(
        profile_name="p", profile_settings={"threshold_pct": 10.0}, table=table, flags=flags, measures=measures,
        ward_codes=["W1", "W2", "W9"],
    )  # fmt: skip
    assert evidence["profile"] == {"threshold_pct": 10.0} and evidence["wards_scored"] == 2
    w1, w2, w9 = evidence["wards"]
    assert (w1["score"], w1["rank"]) == (3.0, 1)
    assert w1["flagged"] == [
        {"code": "m1", "label": "Measure one", "period": "2024"},
        {"code": "m2", "label": "Measure two", "period": "2023/24"},
    ]
    assert w2["flagged"] == [] and w9["note"] == "not scored"


def test_freeze_writes_once(engine, actors, award_data):
    award_id = lifecycle.create_award(engine=engine, actor=actors["commissioner"], data=award_data)
    with Session(engine) as session:
        need_evidence.freeze(session, award_id=award_id, actor=actors["commissioner"], evidence={"wards": []})
        session.commit()
        with pytest.raises(ValueError, match="never replaced"):
            need_evidence.freeze(session, award_id=award_id, actor=actors["commissioner"], evidence={"wards": [1]})


def test_wards_served(loaded_engine, ward_codes):
    assert need_evidence.wards_served(loaded_engine, geography_level="ward", area_codes=ward_codes) == ward_codes
    hackney = need_evidence.wards_served(loaded_engine, geography_level="borough", area_codes=["E09000012"])
    assert set(ward_codes) <= set(hackney) and len(hackney) > 10
    assert need_evidence.wards_served(loaded_engine, geography_level="london", area_codes=[]) == []


def test_approval_freezes_evidence_that_later_data_changes_do_not_touch(engine, actors, award_data, ward_codes):
    pytest.importorskip("vru_core.needs.scoring")
    c = actors["commissioner"]
    award_id = lifecycle.create_award(engine=engine, actor=c, data=award_data)
    approve(engine, award_id)
    frozen = need_evidence.frozen_evidence(engine, award_id)
    assert frozen["frozen_by"] == approver().username and frozen["profile_name"] == need_evidence.DEFAULT_PROFILE_LABEL
    assert [w["ward_code"] for w in frozen["wards"]] == ward_codes
    assert all(isinstance(w["rank"], int) for w in frozen["wards"])
    # The data changes afterwards: every value of every measure for the award's wards goes to zero.
    with Session(engine) as session:
        session.exec(update(MeasureValue).where(MeasureValue.area_code.in_(ward_codes)).values(value=0.0))
        session.commit()
    _, _, today, _ = need_evidence._current_scores(engine, None)
    assert any(today.table.loc[w, "rank"] != f["rank"] for w, f in zip(ward_codes, frozen["wards"], strict=True))
    # Moving on along the lifecycle never re-freezes.
    lifecycle.transition_award(engine=engine, actor=c, award_id=award_id, version=2, to_status="active")
    assert need_evidence.frozen_evidence(engine, award_id) == frozen
    with Session(engine) as session:
        assert session.get(AwardNeedEvidence, award_id) is not None
    comparison = need_evidence.then_and_now(frozen, today.table)
    assert list(comparison["rank_at_award"]) == [w["rank"] for w in frozen["wards"]]
    assert list(comparison["rank_today"]) == [int(today.table.loc[w, "rank"]) for w in ward_codes]
