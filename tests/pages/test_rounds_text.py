"""User text on the funding-round pages is text: hostile round titles, applicant names, project titles,
descriptions and comments are never rendered as Markdown or HTML (the rule of tests/trust/test_user_text_is_text)."""

from __future__ import annotations

import pytest

from tests.rounds.helpers import ASSESSOR_A, STAFF, apply, open_round, scores
from tests.trust.test_user_text_is_text import BOLD, HOSTILE, IMAGE, LINK, TAG, markdown_texts
from ui.text import plain
from vru_core.rounds import assessment, rounds

PAGES = ["app_pages/rounds.py", "app_pages/round.py", "app_pages/applications.py", "app_pages/assess.py"]


@pytest.fixture
def hostile_round(engine):
    if engine.dialect.name != "sqlite":
        pytest.skip("rendering does not depend on the store")
    round_id = open_round(engine, title=IMAGE, description=TAG)
    application_id = apply(engine, round_id, project_title=LINK, description=BOLD, applicant_name=TAG)
    assessment.save_assessment(
        engine=engine, actor=ASSESSOR_A, application_id=application_id, scores=scores(comment=IMAGE)
    )
    return engine, round_id


@pytest.mark.parametrize("page", PAGES, ids=[p.split("/")[-1] for p in PAGES])
def test_hostile_text_is_shown_as_text(hostile_round, make_app, page):
    at = make_app(page, actor=ASSESSOR_A if page.endswith("assess.py") else STAFF)
    assert not at.exception
    texts = markdown_texts(at)
    rendered = [t for t in texts for h in HOSTILE if h in t]
    assert not rendered, f"{page} renders user text as Markdown: {rendered[:3]}"


def test_the_round_title_and_project_are_still_shown_as_typed(hostile_round, make_app):
    at = make_app("app_pages/round.py")
    assert any(plain(IMAGE) in t for t in markdown_texts(at))
    assess = make_app("app_pages/assess.py", actor=ASSESSOR_A)
    assert any(plain(LINK) in t for t in markdown_texts(assess))
    engine, round_id = hostile_round
    assert rounds.get_round(engine, round_id)["title"] == IMAGE
