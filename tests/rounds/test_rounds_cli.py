"""`python -m vru_core.rounds list|show ROUND --json`, and the example round (labelled, never published)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.rounds.helpers import ASSESSOR_A, STAFF, apply, open_round, scores
from vru_core.platform.config import REPO_ROOT
from vru_core.rounds import assessment, decisions, examples, rounds
from vru_core.rounds.cli import main


@pytest.fixture
def store_env(engine, monkeypatch):
    monkeypatch.setenv("VRU_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    return engine


def test_list_and_show_as_json(store_env, capsys):
    engine = store_env
    round_id = open_round(engine)
    first, second = apply(engine, round_id, amount_requested="40000.5"), apply(engine, round_id)
    for application_id in (first, second):
        assessment.save_assessment(engine=engine, actor=ASSESSOR_A, application_id=application_id, scores=scores())
    rounds.close_round(engine=engine, actor=STAFF, round_id=round_id, version=2)
    award_id = decisions.decide(
        engine=engine, actor=STAFF, application_id=first, version=1, decision="fund", reason="Y"
    )

    assert main(["list", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)["rounds"]
    assert [(r["code"], r["financial_year"], r["budget"]) for r in listed] == [("YLF-2026-R1", "2026/27", "100000.00")]
    assert main(["show", "YLF-2026-R1", "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["award_ids"] == [award_id]
    assert [c["weight"] for c in shown["criteria"]] == [30, 20, 20, 15, 15]
    assert shown["applications"][0]["amount_requested"] == "40000.50"  # the tie goes to the earlier reference
    assert {a["reference"] for a in shown["applications"]} == {"APP-001", "APP-002"}
    assert main(["show", str(round_id), "--json"]) == 0  # by id too
    assert json.loads(capsys.readouterr().out)["round"]["code"] == "YLF-2026-R1"


def test_an_unknown_round_exits_2(store_env, capsys):
    assert main(["show", "NO-SUCH-ROUND"]) == 2
    assert "No funding round" in capsys.readouterr().err


def test_module_entry_point_runs(store_env):
    env = {**os.environ, "VRU_DATABASE_URL": store_env.url.render_as_string(hide_password=False)}
    done = subprocess.run(
        [sys.executable, "-m", "vru_core.rounds", "list", "--json"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"rounds": []}


def test_the_example_round_is_labelled_never_published_and_removed(engine):
    round_id = examples.load_example_round(engine=engine, actor=STAFF)
    shown = rounds.get_round(engine, round_id)
    assert shown["is_example"] and "EXAMPLE" in shown["code"] and shown["title"].startswith("EXAMPLE")
    assert rounds.list_rounds(engine, published_only=True) == []
    from vru_core.rounds.applications import list_applications

    listed = list_applications(engine, round_id)
    assert len(listed) == 6 and all(a.is_example and "EXAMPLE" in a.applicant["name"] for a in listed)
    assert examples.remove_example_rounds(engine=engine, actor=STAFF) == 1
    assert rounds.list_rounds(engine) == [] and list_applications(engine, round_id) == []
