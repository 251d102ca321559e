"""The loader on the real bundled data: what the store must hold after a first start."""

import json

import pandas as pd
import pytest
from sqlmodel import Session, func, select

from tests import raw
from vru_core.models import Borough, MeasureDefinition, MeasureValue, Ward
from vru_core.needs import sources
from vru_core.needs.load import DataFileError, bundle_fingerprint, check_codes, load_bundled
from vru_core.needs.measures import load_measure_frame
from vru_core.platform.config import get_settings

DATA = get_settings().bundled_data_dir


def test_counts_match_the_bundle(loaded_engine):
    with Session(loaded_engine) as session:
        assert session.exec(select(func.count()).select_from(Borough)).one() == raw.n_boroughs()
        assert session.exec(select(func.count()).select_from(Ward)).one() == raw.n_wards()
        assert session.exec(select(func.count()).select_from(Ward).where(Ward.in_mps_data)).one() == len(
            raw.mps_wards()
        )


def test_every_ward_has_a_boundary_and_policed_wards_a_population(loaded_engine):
    with Session(loaded_engine) as session:
        wards = session.exec(select(Ward)).all()
    for ward in wards:
        geometry = json.loads(ward.geometry)
        assert geometry["type"] in {"Polygon", "MultiPolygon"} and geometry["coordinates"], ward.code
    missing = [w for w in wards if w.population is None]
    # The Census best fit gives no LSOA to some City of London wards; every other ward has residents.
    population = raw.population()
    assert sorted(w.code for w in missing) == sorted(c for c in raw.ward_properties() if population.get(c) is None)
    assert missing and {w.borough_code for w in missing} == raw.unpoliced_boroughs()
    assert sum(w.population or 0 for w in wards) == sum(v for v in population.values() if v)


def test_no_measure_is_all_missing_and_each_has_provenance(loaded_engine):
    frame = load_measure_frame(loaded_engine)
    assert list(frame.measures.index) == [m.code for m in sources.MEASURES]
    counts = frame.values.notna().sum()
    assert (counts > 0.9 * raw.n_wards()).all(), counts[counts <= 0.9 * raw.n_wards()]
    for code, m in frame.measures.iterrows():
        for field in ("source", "publisher", "period", "licence", "unit", "direction", "geography"):
            assert m[field], (code, field)
    assert set(frame.measures["family"]) >= {"crime", "deprivation"}


def test_borough_measure_is_copied_to_every_ward_of_its_borough(loaded_engine):
    frame = load_measure_frame(loaded_engine)
    table = pd.read_csv(DATA / "borough_unemployment_rate_2023_2024.csv")
    camden = table[(table.area_code == "E09000007") & (table.period == table.period.max())].unemployment_rate_pct.item()
    camden_wards = frame.wards.index[frame.wards.borough_code == "E09000007"]
    assert len(camden_wards) > 10
    assert (frame.values.loc[camden_wards, "unemployment_rate"] == camden).all()
    assert frame.measures.at["unemployment_rate", "geography"] == "borough"


def test_imd_values_are_the_file_values(loaded_engine):
    frame = load_measure_frame(loaded_engine)
    table = pd.read_csv(DATA / "ward_imd2025.csv").set_index("ward_code")
    for code in table.index[:50]:
        expected = table.at[code, "imd2025_popweighted_mean_rank"]
        got = frame.values.at[code, "imd_rank"]
        assert (pd.isna(expected) and pd.isna(got)) or got == pytest.approx(expected)


@pytest.mark.store
def test_reload_is_idempotent(engine):
    with Session(engine) as session:
        before = session.exec(select(func.count()).select_from(MeasureValue)).one()
    assert load_bundled(engine).loaded is False
    forced = load_bundled(engine, force=True)
    assert forced.loaded and forced.wards == raw.n_wards()
    with Session(engine) as session:
        assert session.exec(select(func.count()).select_from(MeasureValue)).one() == before
        assert session.exec(select(func.count()).select_from(MeasureDefinition)).one() == forced.measures


def test_fingerprint_changes_with_the_data(tmp_path):
    for path in DATA.iterdir():
        (tmp_path / path.name).write_bytes(path.read_bytes())
    first = bundle_fingerprint(tmp_path)
    with open(tmp_path / "ward_imd2025.csv", "a") as fh:
        fh.write("\n")
    assert bundle_fingerprint(tmp_path) != first


def test_unknown_codes_name_file_line_and_code():
    frame = pd.DataFrame({"ward_code": ["E05014053", "E05999999", "E05014054", "X1"]})
    with pytest.raises(DataFileError) as err:
        check_codes(frame, "ward_code", {"E05014053", "E05014054"}, "some_file.csv")
    message = str(err.value)
    assert "some_file.csv" in message
    assert "line 3: 'E05999999'" in message and "line 5: 'X1'" in message


def test_a_bundle_with_an_unknown_ward_code_is_refused_before_anything_is_written(engine, tmp_path):
    for path in DATA.iterdir():
        (tmp_path / path.name).write_bytes(path.read_bytes())
    imd = (tmp_path / "ward_imd2025.csv").read_text().splitlines()
    imd[3] = "E05000026" + imd[3][len("E05014055") :]  # a 2014 ward code that no longer exists
    (tmp_path / "ward_imd2025.csv").write_text("\n".join(imd) + "\n")
    with pytest.raises(DataFileError, match=r"ward_imd2025.csv: unknown ward_code line 4: 'E05000026'"):
        load_bundled(engine, force=True, data_dir=tmp_path)
    assert load_measure_frame(engine).values["imd_rank"].notna().sum() == raw.non_blank(
        DATA / "ward_imd2025.csv", "imd2025_popweighted_mean_rank"
    )
