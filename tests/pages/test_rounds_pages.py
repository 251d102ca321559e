"""The funding-round pages through AppTest: draft and open a round, the public page, applications (form and
CSV), scoring with a conflict, the panel paper and decisions."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from tests.pages.conftest import visible
from tests.rounds.helpers import ASSESSOR_A, ASSESSOR_B, STAFF, application_data, apply, open_round, round_data, scores
from vru_core.platform.auth import Actor, Role
from vru_core.rounds import applications, assessment, decisions, examples, rounds

pytestmark = pytest.mark.store


def _texts(at: AppTest) -> str:
    parts = [
        e.value
        for e in (
            *at.markdown,
            *at.caption,
            *at.title,
            *at.header,
            *at.subheader,
            *at.info,
            *at.warning,
            *at.error,
            *at.success,
        )
    ]
    return visible(" ".join(str(p) for p in parts))


def _frame(at: AppTest, column: str):
    """The table on the page that has this column (AppTest finds dataframes by position, not key)."""
    return next(d.value for d in at.dataframe if column in d.value.columns)


def _sqlite_only(engine) -> None:
    if engine.dialect.name != "sqlite":
        pytest.skip("page behaviour does not depend on the store")


def test_a_commissioner_drafts_fixes_and_opens_a_round(engine, make_app):
    _sqlite_only(engine)
    at = make_app("app_pages/rounds.py", actor=STAFF)
    assert "No funding rounds yet" in _texts(at)
    at.text_input(key="new_roundcode").input("YLF-2026-R9")
    at.text_input(key="new_roundtitle").input("After-school round")
    at.text_input(key="new_roundbudget").input("250000")
    at.multiselect(key="new_roundobj").set_value([5])
    at.number_input(key="new_roundneed").set_value(50)  # weights now add up to 120
    at.button(key="new_roundsubmit").click().run()
    assert not at.exception
    assert "add up to 120" in _texts(at) and rounds.list_rounds(engine) == []
    at.number_input(key="new_roundneed").set_value(30)
    at.button(key="new_roundsubmit").click().run()
    assert not at.exception
    (made,) = rounds.list_rounds(engine)
    assert (
        made["code"] == "YLF-2026-R9"
        and str(made["budget"]) == "250000.00"
        and at.query_params["round"] == "YLF-2026-R9"
    )
    at.button(key=f"open_{made['id']}").click().run()
    assert not at.exception
    assert rounds.get_round(engine, made["id"])["status"] == "open"
    assert "Criteria and weights are frozen" in _texts(at)


def test_the_public_page_shows_opened_rounds_only(engine, make_app):
    _sqlite_only(engine)
    rounds.create_round(engine=engine, actor=STAFF, data=round_data(code="DRAFT-9"))
    examples.load_example_round(engine=engine, actor=STAFF)
    open_round(engine)
    at = make_app("app_pages/round.py")
    assert at.selectbox(key="public_round").options == ["YLF-2026-R1 · Young Londoners Fund: after-school round"]
    text = _texts(at)
    assert "Frozen when the round opened" in text and "EXAMPLE" not in text
    criteria = at.dataframe[0].value
    assert list(criteria["Weight (%)"]) == [30, 20, 20, 15, 15]
    assert "VCS–local authority partnership" in set(criteria["Criterion"])
    assert at.metric[0].value == "£100,000"


def test_applications_entered_on_the_form_and_a_bad_csv_imports_nothing(engine, make_app):
    _sqlite_only(engine)
    round_id = open_round(engine)
    at = make_app("app_pages/applications.py", actor=STAFF)
    key = f"apply_{round_id}"
    data = application_data(engine)
    at.text_input(key=key + "org").input(data["applicant_org_id"])
    at.text_input(key=key + "name").input(data["applicant_name"])
    at.text_input(key=key + "charity").input(data["charity_number"])
    at.text_input(key=key + "title").input("Evening youth club")
    at.text_input(key=key + "amount").input("45k")
    at.multiselect(key=key + "obj").set_value([5])
    at.multiselect(key=key + "places").set_value(data["areas"].split(";"))
    at.button(key=key + "submit").click().run()
    assert not at.exception and "not a plain amount" in _texts(at)
    assert applications.list_applications(engine, round_id) == []
    at.text_input(key=key + "amount").input("45000")
    at.button(key=key + "submit").click().run()
    assert not at.exception
    (stored,) = applications.list_applications(engine, round_id)
    assert stored.project_title == "Evening youth club" and stored.need_evidence["wards"]
    paper = _frame(at, "weighted_score")
    assert list(paper["reference"]) == ["APP-001"]

    rows = [
        application_data(engine, reference="APP-010"),
        application_data(engine, reference="APP-011", amount_requested="45k"),
    ]
    bad = _csv(rows)
    at.file_uploader(key="apply_file").set_value(("apps.csv", bad, "text/csv")).run()
    assert not at.exception
    problems = _frame(at, "problem")
    assert list(zip(problems["row"], problems["field"], strict=True)) == [(3, "amount_requested")]
    assert len(applications.list_applications(engine, round_id)) == 1  # nothing imported
    at.file_uploader(key="apply_file").set_value(("apps.csv", _csv(rows[:1]), "text/csv")).run()
    at.button(key="apply_import").click().run()
    assert not at.exception
    assert [a.reference for a in applications.list_applications(engine, round_id)] == ["APP-001", "APP-010"]


def _csv(rows: list[dict]) -> bytes:
    import csv
    import io

    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(applications.COLUMNS), extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def test_an_assessor_scores_and_a_conflicted_one_is_told(engine, make_app):
    _sqlite_only(engine)
    round_id = open_round(engine)
    application_id = apply(engine, round_id)
    at = make_app("app_pages/assess.py", actor=ASSESSOR_A)
    key = f"assess_{application_id}"
    for code in ("community", "partnership", "evidence", "value"):
        at.number_input(key=f"{key}_None_{code}").set_value(4)
        at.text_area(key=f"{key}_None_{code}_c").input("Strong local links")
    at.button(key=f"{key}_submit").click().run()
    assert not at.exception
    assert assessment.my_assessment(engine, application_id, ASSESSOR_A.username).scores["value"]["score"] == 4

    assessment.declare_conflict(engine=engine, actor=ASSESSOR_B, round_id=round_id, org_id="GB-CHC-1123456")
    other = make_app("app_pages/assess.py", actor=ASSESSOR_B)
    assert "cannot score it" in _texts(other)
    viewer = make_app("app_pages/assess.py")
    assert "needs the assessor role" in _texts(viewer)


def test_the_panel_funds_one_and_the_paper_downloads(engine, make_app):
    _sqlite_only(engine)
    round_id = open_round(engine)
    first = apply(engine, round_id, amount_requested="60000")
    apply(engine, round_id, amount_requested="30000", project_title="Second")
    for actor in (ASSESSOR_A, ASSESSOR_B):
        assessment.save_assessment(engine=engine, actor=actor, application_id=first, scores=scores(5))
    rounds.close_round(engine=engine, actor=STAFF, round_id=round_id, version=2)
    at = make_app("app_pages/applications.py", actor=STAFF)
    labels = {b.proto.label for b in at.get("download_button")}
    assert {"Panel paper (CSV)", "Panel paper (printable HTML)"} <= labels
    at.selectbox(key="decide_pick").set_value(first)
    at.run()
    at.text_area(key=f"decide_reason_{first}").input("Highest weighted score")
    at.button(key="decide_submit").click().run()
    assert not at.exception
    (award_id,) = decisions.award_ids(engine, round_id)
    assert f"Proposed award [{award_id}](/award?id={award_id}) created" in _texts(at)
    assert _frame(at, "weighted_score").iloc[0]["decision"] == "Fund"


def test_a_decision_names_the_version_the_panel_member_opened(engine, make_app):
    _sqlite_only(engine)
    round_id = open_round(engine)
    application_id = apply(engine, round_id)
    rounds.close_round(engine=engine, actor=STAFF, round_id=round_id, version=2)
    mine = make_app("app_pages/applications.py", actor=STAFF)  # opened at version 1
    decisions.decide(
        engine=engine,
        actor=Actor("colleague", Role.COMMISSIONER),
        application_id=application_id,
        version=1,
        decision="reserve",
        reason="A colleague's reserve",
    )
    mine.radio(key=f"decide_kind_{application_id}").set_value("decline")
    mine.text_area(key=f"decide_reason_{application_id}").input("Mine")
    mine.button(key="decide_submit").click().run()
    assert not mine.exception
    assert "changed after you opened it" in _texts(mine)
    (stored,) = applications.list_applications(engine, round_id)
    assert (stored.decision, stored.decision_reason) == ("reserve", "A colleague's reserve")


def test_an_award_from_a_round_says_where_it_came_from(engine, make_app):
    _sqlite_only(engine)
    round_id = open_round(engine)
    application_id = apply(engine, round_id)
    assessment.save_assessment(engine=engine, actor=ASSESSOR_A, application_id=application_id, scores=scores(4))
    rounds.close_round(engine=engine, actor=STAFF, round_id=round_id, version=2)
    award_id = decisions.decide(
        engine=engine,
        actor=STAFF,
        application_id=application_id,
        version=1,
        decision="fund",
        reason="Strong partnership",
    )
    at = make_app("app_pages/award.py", actor=STAFF)
    at.query_params["id"] = str(award_id)  # the page switch starts without the address's query
    at.run()
    text = _texts(at)
    assert "From funding round YLF-2026-R1, application APP-001" in text and "assessed by assessor-a" in text
    assert "Panel's reason: Strong partnership" in text
