"""The panel paper: ranked by weighted score, cumulative amount against the budget line, safe CSV and HTML."""

from __future__ import annotations

import html
import io
from decimal import Decimal

import pandas as pd
import pytest

from tests.rounds.helpers import ASSESSOR_A, ASSESSOR_B, NEWHAM, apply, open_round, scores
from vru_core.rounds import assessment, paper
from vru_core.rounds.applications import list_applications
from vru_core.rounds.rounds import get_round

HOSTILE = '=HYPERLINK("http://evil.invalid","x")'
TAG = "<img src=x onerror=alert(1)>"


@pytest.fixture
def scored(engine):
    round_id = open_round(engine)  # budget line £100,000
    first = apply(engine, round_id, amount_requested="40000", project_title=HOSTILE)
    second = apply(
        engine,
        round_id,
        amount_requested="50000",
        applicant_org_id="GB-CHC-1099999",
        applicant_name=TAG,
        charity_number="1099999",
        borough=NEWHAM,
    )
    third = apply(engine, round_id, amount_requested="30000")
    unscored = apply(engine, round_id, amount_requested="1000")
    for actor, marks in ((ASSESSOR_A, (5, 4, 2)), (ASSESSOR_B, (3, 4, 2))):
        for application_id, mark in zip((first, second, third), marks, strict=True):
            assessment.save_assessment(
                engine=engine, actor=actor, application_id=application_id, scores=scores(mark, mark, mark, mark)
            )
    return engine, round_id, {"first": first, "second": second, "third": third, "unscored": unscored}


def _weighted(engine, round_id, application_id) -> float:
    """Out of 100, from the stored need points and the mean of the assessors' scores."""
    criteria = get_round(engine, round_id)["criteria"]
    frame = assessment.scores_frame(engine, round_id)
    means = frame[frame["application_id"] == application_id].groupby("criterion")["score"].mean()
    (stored,) = [a for a in list_applications(engine, round_id) if a.id == application_id]
    points = {"need": stored.need_points, **means.to_dict()}
    return round(100 * sum(c["weight"] * points[c["code"]] for c in criteria) / (5 * 100), 2)


def test_ranked_by_weighted_score_with_the_money_running_down_the_list(scored):
    engine, round_id, ids = scored
    _, table = paper.paper(engine, round_id)
    by_id = table.set_index("application_id")
    assert by_id.at[ids["first"], "points_community"] == 4.0  # the mean of 5 and 3
    for application_id in (ids["first"], ids["second"], ids["third"]):
        assert by_id.loc[application_id, "weighted_score"] == _weighted(engine, round_id, application_id)
    assert list(table["application_id"])[-1] == ids["unscored"]  # not fully assessed: last, unranked score
    assert table.iloc[-1]["complete"] == False and pd.isna(table.iloc[-1]["weighted_score"])  # noqa: E712
    complete = table[table["complete"]]
    assert list(complete["weighted_score"]) == sorted(complete["weighted_score"], reverse=True)
    assert list(table["cumulative_amount"]) == list(table["amount_requested"].cumsum())
    assert list(table["within_budget"]) == [c <= Decimal("100000") for c in table["cumulative_amount"]]
    assert list(table["rank"]) == [1, 2, 3, 4]


def test_csv_is_formula_safe_and_reads_back(scored):
    engine, round_id, _ = scored
    content = paper.paper_csv(engine, round_id)
    text = content.decode("utf-8-sig")
    assert text.startswith("# YLF-2026-R1")
    back = pd.read_csv(io.StringIO(text), comment="#")
    assert "'" + HOSTILE in set(back["project"])
    assert not any(str(v).startswith(("=", "+", "@")) for v in back.astype(str).to_numpy().ravel())


def test_printable_html_escapes_every_user_text(scored):
    engine, round_id, _ = scored
    page = paper.paper_html(engine, round_id)
    assert TAG not in page and html.escape(TAG) in page
    assert html.escape(HOSTILE) in page
    assert "@page { size: A4 landscape" in page
