"""The canvas map's geometry (sent once) and its per-step payload (sent on every step)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from tests import raw
from vru_core.needs.canvas_map import GRID_WIDTH, canvas_geometry, map_step
from vru_core.needs.maps import classify


@pytest.fixture(scope="module")
def geometry(loaded_engine):
    return canvas_geometry(loaded_engine)


def test_every_ward_and_borough_is_projected_onto_the_grid(geometry):
    wards, boroughs = geometry.payload["wards"], geometry.payload["boroughs"]
    assert len(wards) == raw.n_wards() == len(set(geometry.codes))
    assert len(boroughs) == raw.n_boroughs()
    height = geometry.payload["height"]
    assert 0.6 * GRID_WIDTH < height < 0.9 * GRID_WIDTH  # London is wider than tall
    points = np.concatenate([np.asarray(r).reshape(-1, 2) for _, _, _, rings in wards for r in rings])
    assert points.min() >= 0 and points[:, 0].max() <= GRID_WIDTH and points[:, 1].max() <= height
    for code, name, borough, rings in wards:
        assert code.startswith("E05") and name and borough
        assert all(len(r) >= 6 and len(r) % 2 == 0 for r in rings)  # at least a triangle of x, y pairs


def test_the_geometry_is_a_fraction_of_the_geojson_and_its_digest_is_stable(geometry, loaded_engine):
    from vru_core.needs.maps import ward_features

    features = ward_features(loaded_engine)
    geojson = sum(map(len, features.heads)) + len(features.boroughs_json)
    assert len(json.dumps(geometry.payload, separators=(",", ":"))) < geojson / 2
    assert canvas_geometry(loaded_engine).digest == geometry.digest


@pytest.mark.parametrize(
    ("values", "expected_classes"),
    [
        ([0, 0, 3, np.nan], "00" + "1" + "-"),
        ([1, 1, 1, 1], "0000"),
        ([np.nan] * 4, "----"),
    ],
)
def test_a_step_sends_one_class_character_per_ward(geometry, values, expected_classes):
    codes = list(geometry.codes[:4])
    series = pd.Series(values, index=codes, dtype="float64")
    step = map_step(geometry, series, classify(series, k=2))
    assert step.classes[:4] == expected_classes
    assert set(step.classes[4:]) == {"-"}  # wards without a value: no figures
    assert step.values[3] == ("no figures" if np.isnan(values[3]) else f"{values[3]:g}")


def test_a_step_marks_outlined_and_selected_wards_by_position(geometry):
    codes = list(geometry.codes)
    series = pd.Series(np.arange(len(codes), dtype="float64"), index=codes)
    outline = pd.Series(False, index=codes)
    outline.iloc[[5, 9]] = True
    step = map_step(
        geometry, series, classify(series), ranks=series.rank(ascending=False), outline=outline, selected=codes[7]
    )
    assert step.outlined == (5, 9) and step.selected == 7
    assert step.ranks[-1] == 1
    data = step.to_data(label="Need score", geometry=geometry, send_geometry=False)
    assert "geometry" not in data and data["digest"] == geometry.digest
    assert len(json.dumps(data)) < 30_000  # what travels on a step


def test_more_classes_than_the_map_draws_are_refused(geometry):
    from vru_core.needs.maps import Classes

    many = Classes("test", tuple(float(i) for i in range(11)), tuple("x" * 11), ((0, 0, 0),) * 11, (1,) * 11)
    with pytest.raises(ValueError, match="at most 10"):
        map_step(geometry, pd.Series(dtype="float64"), many)
