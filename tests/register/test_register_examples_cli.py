"""The example register (labelled, removable in one action) and the command line."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from openpyxl import load_workbook
from sqlalchemy import func
from sqlmodel import Session, select

from tests.factories import approve
from tests.register.conftest import csv_text
from vru_core.models import Award, Organisation
from vru_core.platform.config import REPO_ROOT
from vru_core.register import examples, lifecycle, need_evidence, reads
from vru_core.register.cli import main

pytestmark = pytest.mark.store


def _count(engine, model, *where) -> int:
    with Session(engine) as session:
        return session.exec(select(func.count()).select_from(model).where(*where)).one()


def test_examples_are_labelled_and_removed_in_one_action(engine, actors, award_data):
    c = actors["commissioner"]
    real = lifecycle.create_award(engine=engine, actor=c, data=award_data)
    result = examples.load_examples(engine=engine, actor=c)
    assert result.created == 40 and examples.has_examples(engine) == 40
    with Session(engine) as session:
        rows = session.exec(select(Award).where(Award.is_example)).all()
        orgs = session.exec(select(Organisation).where(Organisation.is_example)).all()
    assert all("EXAMPLE" in a.identifier and a.title.startswith("EXAMPLE") for a in rows)
    assert orgs and all("EXAMPLE" in o.name and "EXAMPLE" in o.org_id for o in orgs)
    assert {a.geography_level for a in rows} == {"ward", "borough", "london"}
    committed = {a.id for a in rows if a.status in ("approved", "active", "completed")}
    assert committed and {a for a in committed if need_evidence.frozen_evidence(engine, a)} == committed
    assert examples.remove_examples(engine=engine, actor=c) == 40
    assert examples.has_examples(engine) == 0
    assert _count(engine, Organisation, Organisation.is_example) == 0
    assert _count(engine, Award) == 1 and reads.award_detail(engine, real).title == award_data["title"]


@pytest.fixture
def store_env(engine, monkeypatch):
    monkeypatch.setenv("VRU_DATABASE_URL", str(engine.url.render_as_string(hide_password=False)))
    return engine


def test_cli_import_reports_row_errors_and_writes_nothing(store_env, award_data, tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_text(csv_text([{**award_data, "identifier": "X-1", "amount_awarded": "45k"}]))
    assert main(["import", str(bad)]) == 1
    err = capsys.readouterr().err
    assert "row 2, amount_awarded" in err and "nothing was imported" in err
    assert _count(store_env, Award) == 0
    good = tmp_path / "good.csv"
    good.write_text(csv_text([{**award_data, "identifier": "X-1"}]))
    assert main(["import", str(good)]) == 0
    assert "1 created" in capsys.readouterr().out
    assert main(["import", str(good)]) == 0
    assert "0 created, 0 updated, 1 unchanged" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("fmt", "check"), [("360giving-json", "json"), ("360giving-csv", "csv"), ("360giving-xlsx", "xlsx")]
)
def test_cli_export(store_env, actors, award_data, tmp_path, fmt, check, capsys):
    c = actors["commissioner"]
    award_id = lifecycle.create_award(engine=store_env, actor=c, data=award_data)
    lifecycle.transition_award(engine=store_env, actor=c, award_id=award_id, version=1, to_status="withdrawn")
    kept = lifecycle.create_award(engine=store_env, actor=c, data={**award_data, "title": "=Published"})
    approve(store_env, kept)
    out = tmp_path / f"register.{check}"
    assert main(["export", "--format", fmt, str(out)]) == 0
    assert "VRU_DATA_SOURCE_URL is not set" in capsys.readouterr().err  # a warning, not a refusal
    if check == "json":
        assert [g["title"] for g in json.loads(out.read_text(encoding="utf-8"))["grants"]] == ["=Published"]
    elif check == "csv":
        text = out.read_text(encoding="utf-8")
        assert text.startswith("Identifier,Title,") and ",=Published," in text  # verbatim
    else:
        sheet = load_workbook(out)["grants"]
        assert (sheet["B2"].value, sheet["B2"].data_type) == ("=Published", "s")


def test_cli_export_refuses_a_setting_that_breaks_the_file(store_env, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("VRU_DATA_SOURCE_URL", "grants.json")
    out = tmp_path / "register.json"
    assert main(["export", "--format", "360giving-json", str(out)]) == 2
    assert "cannot publish: VRU_DATA_SOURCE_URL 'grants.json' is not a web address" in capsys.readouterr().err
    assert not out.exists()


def test_module_entry_point_runs(store_env, tmp_path):
    """`python -m vru_core.register` is wired (a fresh process, as a scheduled job would run it)."""
    env = {**os.environ, "VRU_DATABASE_URL": store_env.url.render_as_string(hide_password=False)}
    out = tmp_path / "x.json"
    run = subprocess.run(
        [sys.executable, "-m", "vru_core.register", "export", "--format", "360giving-json", str(out)],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    assert "Wrote 0 grants" in run.stdout and out.exists()
