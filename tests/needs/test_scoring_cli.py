"""The scoring command line on the real loaded store: what an analyst's script gets."""

import io

import pandas as pd
import pytest

from tests import raw
from vru_core.needs.cli import main
from vru_core.needs.measures import load_measure_frame
from vru_core.needs.scoring import Profile, score


@pytest.fixture
def store_env(engine, monkeypatch):
    monkeypatch.setenv("VRU_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    return engine


def test_ranked_csv_matches_the_library(store_env, tmp_path, capsys):
    out = tmp_path / "ranked.csv"
    assert main(["--threshold", "15", "--weight", "crime_vwi_rate=2", "--weight", "imd_rank=0", "--out", str(out)]) == 0
    text = out.read_text()
    header = [line for line in text.splitlines() if line.startswith("# ")]
    assert any("worst 15%" in line for line in header)
    assert any(line.startswith("# crime_vwi_rate:") and "period" in line for line in header)
    ranked = pd.read_csv(io.StringIO(text), comment="#")
    assert len(ranked) == raw.n_wards()
    assert list(ranked.columns[:6]) == ["ward_code", "ward_name", "borough_name", "score", "rank", "flagged_count"]
    expected = score(
        load_measure_frame(store_env), Profile(threshold_pct=15, weights={"crime_vwi_rate": 2, "imd_rank": 0})
    ).table
    assert ranked["ward_code"].tolist() == expected.index.tolist()
    assert ranked["score"].tolist() == expected["score"].tolist()


def test_list_measures_prints_provenance(store_env, capsys):
    assert main(["--list-measures"]) == 0
    printed = capsys.readouterr().out
    for text in ("crime_vwi_rate", "unemployment_rate", "borough", "low_is_worse", "MPS Ward Level Crime"):
        assert text in printed


def test_unknown_measure_code_is_an_error(store_env, capsys):
    assert main(["--weight", "knife_crime=2"]) == 2
    assert "knife_crime" in capsys.readouterr().err
