"""pydeck maps that work offline: ward polygons plus borough outlines as their own layer, no basemap."""

from __future__ import annotations

import copy
import json

import pandas as pd
import pydeck as pdk
from sqlalchemy import Engine
from sqlmodel import select

from vru_core.models import Borough, Ward

LONDON_VIEW = pdk.ViewState(latitude=51.49, longitude=-0.11, zoom=9.1, pitch=0, bearing=0)
MISSING_COLOUR = [225, 225, 225, 160]
# Light to dark red: higher need draws the eye; a score of 0 stays almost white.
RAMP = [(255, 247, 236), (253, 212, 158), (252, 141, 89), (215, 48, 31), (127, 0, 0)]


def ward_features(engine: Engine) -> dict:
    """Ward and borough GeoJSON, built once per data version by the caller's cache."""
    with engine.connect() as conn:
        wards = conn.execute(
            select(Ward.code, Ward.name, Borough.name, Ward.geometry).join(Borough, Borough.code == Ward.borough_code)
        ).all()
        boroughs = conn.execute(select(Borough.code, Borough.name, Borough.geometry)).all()
    return {
        "wards": {
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "geometry": json.loads(g),
                    "properties": {"ward_code": c, "ward_name": n, "borough_name": b},
                }
                for c, n, b, g in wards
            ],
        },
        "boroughs": {
            "type": "FeatureCollection",
            "features": [
                {"type": "Feature", "geometry": json.loads(g), "properties": {"borough_code": c, "borough_name": n}}
                for c, n, g in boroughs
            ],
        },
    }


def ramp_colour(fraction: float) -> list[int]:
    """Interpolate RAMP at 0..1."""
    fraction = min(max(fraction, 0.0), 1.0) * (len(RAMP) - 1)
    i = min(int(fraction), len(RAMP) - 2)
    t = fraction - i
    rgb = [round(a + (b - a) * t) for a, b in zip(RAMP[i], RAMP[i + 1], strict=True)]
    return [*rgb, 200]


def choropleth_deck(
    features: dict,
    values: pd.Series,
    *,
    label: str,
    details: pd.Series | None = None,
    max_value: float | None = None,
    fmt: str = "{:g}",
) -> pdk.Deck:
    """Wards coloured by `values` (indexed by ward code); tooltip shows ward, borough, value and details."""
    top = max_value if max_value is not None else (float(values.max()) if values.notna().any() else 0.0)
    wards = copy.deepcopy(features["wards"])
    for feature in wards["features"]:
        props = feature["properties"]
        value = values.get(props["ward_code"])
        missing = value is None or pd.isna(value)
        props["value"] = "missing" if missing else fmt.format(value)
        props["colour"] = MISSING_COLOUR if missing else ramp_colour(value / top if top > 0 else 0.0)
        props["details"] = "" if details is None else str(details.get(props["ward_code"], ""))
    ward_layer = pdk.Layer(
        "GeoJsonLayer",
        data=wards,
        id="wards",
        pickable=True,
        stroked=True,
        filled=True,
        get_fill_color="properties.colour",
        get_line_color=[120, 120, 120, 160],
        line_width_min_pixels=0.5,
        auto_highlight=True,
        highlight_color=[30, 60, 160, 120],
    )
    borough_layer = pdk.Layer(
        "GeoJsonLayer",
        data=features["boroughs"],
        id="boroughs",
        pickable=False,
        stroked=True,
        filled=False,
        get_line_color=[20, 20, 20, 230],
        line_width_min_pixels=1.6,
    )
    return pdk.Deck(
        layers=[ward_layer, borough_layer],
        initial_view_state=LONDON_VIEW,
        map_provider=None,
        tooltip={
            "html": f"<b>{{ward_name}}</b><br/>{{borough_name}}<br/>{label}: <b>{{value}}</b><br/>{{details}}",
            "style": {"fontSize": "12px", "maxWidth": "320px"},
        },
    )
