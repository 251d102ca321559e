"""pydeck maps that work offline: ward polygons plus borough outlines as their own layer, no basemap."""

from __future__ import annotations

import html
import json
from dataclasses import dataclass

import numpy as np
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

    codes: tuple[str, ...]
    heads: tuple[str, ...]  # per ward: '{"type":"Feature","geometry":…,"properties":{"ward_code":…,…,' (open)
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
    heads = tuple(
        '{"type":"Feature","geometry":'
        + g
        + ',"properties":'
        + json.dumps({"ward_code": c, "ward_name": html.escape(n), "borough_name": html.escape(b)})[:-1]
        + ","
        for c, n, b, g in wards
    )
    return MapFeatures(codes=tuple(c for c, *_ in wards), heads=heads, boroughs_json=boroughs_json)


def ramp_colours(fractions: np.ndarray) -> np.ndarray:
    """RGBA rows interpolated along RAMP at 0..1 (NaN gives the missing colour)."""
    ramp = np.asarray(RAMP, dtype=np.float64)
    position = np.clip(np.nan_to_num(fractions, nan=0.0), 0.0, 1.0) * (len(RAMP) - 1)
    low = np.minimum(position.astype(np.int64), len(RAMP) - 2)
    t = (position - low)[:, None]
    rgb = np.rint(ramp[low] + (ramp[low + 1] - ramp[low]) * t).astype(np.int64)
    colours = np.column_stack([rgb, np.full(len(rgb), 200)])
    colours[np.isnan(fractions)] = MISSING_COLOUR
    return colours


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
    aligned = values.reindex(list(features.codes)).to_numpy(dtype=np.float64, na_value=np.nan)
    colours = ramp_colours(aligned / top if top > 0 else np.where(np.isnan(aligned), np.nan, 0.0))
    shown = ["missing" if np.isnan(v) else fmt.format(v) for v in aligned]
    # The tooltip is HTML: every value placed in it is escaped (measure labels are analysts' text).
    texts = [""] * len(aligned) if details is None else details.reindex(list(features.codes)).fillna("").astype(str)
    texts = [html.escape(t) for t in texts]
    parts = [
        f'{head}"value":{json.dumps(value)},"colour":[{r},{g},{b},{a}],"details":{json.dumps(text)}}}}}'
        for head, value, (r, g, b, a), text in zip(features.heads, shown, colours.tolist(), texts, strict=True)
    ]
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
            "html": (
                f"<b>{{ward_name}}</b><br/>{{borough_name}}<br/>{html.escape(label)}: <b>{{value}}</b><br/>{{details}}"
            ),
            "style": {"fontSize": "12px", "maxWidth": "320px"},
        },
        spliced={_WARDS_SLOT: wards_json, _BOROUGHS_SLOT: features.boroughs_json},
    )
