"""pydeck maps that work offline: ward polygons plus borough outlines as their own layer, no basemap."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pandas as pd
import pydeck as pdk
from sqlalchemy import Engine
from sqlmodel import select

from vru_core.models import Borough, Ward

LONDON_VIEW = pdk.ViewState(latitude=51.49, longitude=-0.11, zoom=9.1, pitch=0, bearing=0)
MISSING_COLOUR = [225, 225, 225, 160]
# Light to dark red: higher need draws the eye; a score of 0 stays almost white.
RAMP = [(255, 247, 236), (253, 212, 158), (252, 141, 89), (215, 48, 31), (127, 0, 0)]
_WARDS_SLOT = "__vru_wards_geojson__"
_BOROUGHS_SLOT = "__vru_boroughs_geojson__"


@dataclass(frozen=True)
class MapFeatures:
    """Boundaries pre-serialised once: each rerun only writes the per-ward properties."""

    wards: tuple[tuple[str, str, str, str], ...]  # (ward_code, ward_name, borough_name, geometry JSON)
    boroughs_json: str  # the borough outlines FeatureCollection, ready to send


def ward_features(engine: Engine) -> MapFeatures:
    with engine.connect() as conn:
        wards = conn.execute(
            select(Ward.code, Ward.name, Borough.name, Ward.geometry).join(Borough, Borough.code == Ward.borough_code)
        ).all()
        boroughs = conn.execute(select(Borough.code, Borough.name, Borough.geometry)).all()
    boroughs_json = json.dumps(
        {
            "type": "FeatureCollection",
            "features": [
                {"type": "Feature", "geometry": json.loads(g), "properties": {"borough_code": c, "borough_name": n}}
                for c, n, g in boroughs
            ],
        },
        separators=(",", ":"),
    )
    return MapFeatures(wards=tuple((c, n, b, g) for c, n, b, g in wards), boroughs_json=boroughs_json)


def ramp_colour(fraction: float) -> list[int]:
    """Interpolate RAMP at 0..1."""
    fraction = min(max(fraction, 0.0), 1.0) * (len(RAMP) - 1)
    i = min(int(fraction), len(RAMP) - 2)
    t = fraction - i
    rgb = [round(a + (b - a) * t) for a, b in zip(RAMP[i], RAMP[i + 1], strict=True)]
    return [*rgb, 200]


class _SplicedDeck(pdk.Deck):
    """A Deck whose layer data is spliced in as ready-made JSON text.

    pydeck serialises layer data by walking every coordinate with an indented, key-sorted dump
    (about 0.2 s for London's wards); the boundaries never change, so they are written once.
    """

    def __init__(self, *args, spliced: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        self._spliced = spliced

    def to_json(self) -> str:
        spliced = self.__dict__.pop("_spliced")  # pydeck would serialise every attribute
        try:
            text = super().to_json()
        finally:
            self._spliced = spliced
        for slot, payload in spliced.items():
            text = text.replace(json.dumps(slot), payload, 1)
        return text


def choropleth_deck(
    features: MapFeatures,
    values: pd.Series,
    *,
    label: str,
    details: pd.Series | None = None,
    max_value: float | None = None,
    fmt: str = "{:g}",
) -> pdk.Deck:
    """Wards coloured by `values` (indexed by ward code); tooltip shows ward, borough, value and details."""
    top = max_value if max_value is not None else (float(values.max()) if values.notna().any() else 0.0)
    value_of = values.to_dict()
    detail_of = {} if details is None else details.astype(str).to_dict()
    parts = []
    for code, name, borough, geometry in features.wards:
        value = value_of.get(code)
        missing = value is None or pd.isna(value)
        props = {
            "ward_code": code,
            "ward_name": name,
            "borough_name": borough,
            "value": "missing" if missing else fmt.format(value),
            "colour": MISSING_COLOUR if missing else ramp_colour(value / top if top > 0 else 0.0),
            "details": detail_of.get(code, ""),
        }
        parts.append(f'{{"type":"Feature","geometry":{geometry},"properties":{json.dumps(props)}}}')
    wards_json = '{"type":"FeatureCollection","features":[' + ",".join(parts) + "]}"
    ward_layer = pdk.Layer(
        "GeoJsonLayer",
        data=_WARDS_SLOT,
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
        data=_BOROUGHS_SLOT,
        id="boroughs",
        pickable=False,
        stroked=True,
        filled=False,
        get_line_color=[20, 20, 20, 230],
        line_width_min_pixels=1.6,
    )
    return _SplicedDeck(
        layers=[ward_layer, borough_layer],
        initial_view_state=LONDON_VIEW,
        map_provider=None,
        tooltip={
            "html": f"<b>{{ward_name}}</b><br/>{{borough_name}}<br/>{label}: <b>{{value}}</b><br/>{{details}}",
            "style": {"fontSize": "12px", "maxWidth": "320px"},
        },
        spliced={_WARDS_SLOT: wards_json, _BOROUGHS_SLOT: features.boroughs_json},
    )
