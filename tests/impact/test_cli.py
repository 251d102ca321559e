"""`python -m vru_core.impact`: the contract scripts and checks rely on."""

from __future__ import annotations

import json

import pytest

from tests.impact.conftest import approve, make_award
from vru_core.impact.cli import EXIT_REFUSED, EXIT_UNKNOWN, main
from vru_core.register import reads

pytestmark = pytest.mark.parametrize("template", ["sqlite"], indirect=True)

REQUIRED = (
    "effect_pct",
    "ci_low_pct",
    "ci_high_pct",
    "p_value",
    "treated_wards",
    "donor_wards",
    "pre_months",
    "post_months",
    "method",
)


@pytest.fixture
def store(engine, monkeypatch):
    monkeypatch.setenv("VRU_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    return engine


def _run(capsys, argv) -> tuple[int, dict]:
    code = main(argv)
    out = capsys.readouterr()
    return code, json.loads(out.out or out.err)


def test_award_estimate_prints_one_json_object(store, actors, capsys):
    award_id = make_award(store, actors["commissioner"])
    identifier = reads.award_detail(store, award_id).identifier
    code, payload = _run(capsys, ["--award", identifier, "--json"])
    assert code == 0
    assert all(key in payload for key in REQUIRED)
    assert payload["treated_wards"] == 4 and payload["pre_months"] == 18 and payload["post_months"] == 15
    assert payload["ci_low_pct"] <= payload["effect_pct"] <= payload["ci_high_pct"]
    assert 0 < payload["p_value"] <= 1 and "pysyncon" in payload["method"]


@pytest.mark.parametrize(
    ("argv", "status", "key", "says"),
    [
        (["--objective", "3", "--json"], EXIT_REFUSED, "refused", "No awards"),  # nothing committed yet
        (["--stream", "no_such_stream", "--json"], EXIT_UNKNOWN, "error", "no_such_stream"),
        (["--objective", "9", "--json"], EXIT_UNKNOWN, "error", "1 to 8"),
        (["--award", "360G-NOPE-1", "--json"], EXIT_UNKNOWN, "error", "360G-NOPE-1"),
        (["--round", "NO-SUCH-ROUND", "--json"], EXIT_UNKNOWN, "error", "NO-SUCH-ROUND"),
    ],
)
def test_refusals_and_unknowns(store, capsys, argv, status, key, says):
    code, payload = _run(capsys, argv)
    assert code == status and says in payload[key]


def test_a_late_award_is_refused_with_exit_3(store, actors, capsys):
    award_id = make_award(store, actors["commissioner"], start="2026-02-01", end="2026-12-31")
    identifier = reads.award_detail(store, award_id).identifier
    code, payload = _run(capsys, ["--award", identifier, "--outcome", "weapons", "--json"])
    assert code == EXIT_REFUSED and list(payload) == ["refused"] and "after the start" in payload["refused"]


def test_a_stream_estimate_lists_its_awards(store, actors, capsys):
    award_id = make_award(store, actors["commissioner"])
    approve(store, actors["commissioner"], award_id)
    code, payload = _run(capsys, ["--stream", "young_londoners_fund", "--json"])
    assert code == 0 and all(key in payload for key in REQUIRED)
    assert payload["awards_estimated"] == 1 and payload["awards"][0]["treated_wards"] == 4
