"""The need scores map drawn on a canvas in the browser: boundaries sent once, then only colours.

A pydeck chart is re-sent whole on every rerun (about 500 KiB for London's 704 wards), though only the
colours change when a slider moves. Here the boundaries are projected once to a small integer grid
(``CanvasGeometry``, about a fifth of the GeoJSON's size), sent to the browser once per session and kept
there; each step sends a ``MapStep``: one class character per ward, the palette, the outlined wards and
the values the tooltip shows. The browser side is ``ui/ward_map.js``.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlalchemy import Engine
from sqlmodel import select

from vru_core.models import Borough, Ward
from vru_core.needs.maps import MISSING_COLOUR, Classes

GRID_WIDTH = 2000  # x runs 0..GRID_WIDTH; one unit is about 25 m across London
MISSING_CLASS = "-"


@dataclass(frozen=True)
class CanvasGeometry:
    """Ward and borough outlines on an integer grid (y down), in a fixed ward order, with a digest."""

    codes: tuple[str, ...]
    payload: (
        dict  # {"width", "height", "wards": [[code, name, borough, [ring, …]], …], "boroughs": [[name, [ring, …]], …]}
    )
    digest: str

    def position(self) -> dict[str, int]:
        return {code: i for i, code in enumerate(self.codes)}


def _rings(geometry: dict) -> Iterable[list[list[float]]]:
    if geometry["type"] == "Polygon":
        yield from geometry["coordinates"]
    elif geometry["type"] == "MultiPolygon":
        for polygon in geometry["coordinates"]:
            yield from polygon
    else:
        raise ValueError(f"unsupported boundary geometry {geometry['type']!r}")


class _Projection:
    """Equirectangular at London's mean latitude: distances true to well under 1% across the city."""

    def __init__(self, geometries: list[dict]):
        points = np.array([p[:2] for g in geometries for ring in _rings(g) for p in ring], dtype=np.float64)
        self.west, self.south = points.min(axis=0)
        east, self.north = points.max(axis=0)
        self.kx = math.cos(math.radians((self.south + self.north) / 2))
        self.scale = GRID_WIDTH / ((east - self.west) * self.kx)
        self.height = math.ceil((self.north - self.south) * self.scale)

    def ring(self, ring: list[list[float]]) -> list[int]:
        xy = np.asarray(ring, dtype=np.float64)[:, :2]
        x = np.rint((xy[:, 0] - self.west) * self.kx * self.scale).astype(np.int64)
        y = np.rint((self.north - xy[:, 1]) * self.scale).astype(np.int64)
        keep = np.ones(len(x), dtype=bool)
        keep[1:] = (np.diff(x) != 0) | (np.diff(y) != 0)  # points that round onto the last one add nothing
        return np.column_stack([x[keep], y[keep]]).ravel().tolist()


def canvas_geometry(engine: Engine) -> CanvasGeometry:
    """Every ward's and borough's outline from the store, projected, with names for the tooltip."""
    with engine.connect() as conn:
        wards = conn.execute(
            select(Ward.code, Ward.name, Borough.name, Ward.geometry)
            .join(Borough, Borough.code == Ward.borough_code)
            .order_by(Ward.code)
        ).all()
        boroughs = conn.execute(select(Borough.name, Borough.geometry).order_by(Borough.code)).all()
    ward_shapes = [json.loads(g) for *_, g in wards]
    borough_shapes = [json.loads(g) for _, g in boroughs]
    projection = _Projection(ward_shapes + borough_shapes)
    payload = {
        "width": GRID_WIDTH,
        "height": projection.height,
        "wards": [
            [code, name, borough, [projection.ring(r) for r in _rings(shape)]]
            for (code, name, borough, _), shape in zip(wards, ward_shapes, strict=True)
        ],
        "boroughs": [
            [name, [projection.ring(r) for r in _rings(shape)]]
            for (name, _), shape in zip(boroughs, borough_shapes, strict=True)
        ],
    }
    text = json.dumps(payload, separators=(",", ":"))
    return CanvasGeometry(
        codes=tuple(c for c, *_ in wards), payload=payload, digest=hashlib.sha256(text.encode()).hexdigest()[:16]
    )


def _hex(rgb: Iterable[int]) -> str:
    return "#{:02x}{:02x}{:02x}".format(*list(rgb)[:3])


@dataclass(frozen=True)
class MapStep:
    """What one rerun sends: per ward (geometry order) a class character and its shown value."""

    classes: str  # "0".."9" = class index, "-" = no figures
    palette: tuple[str, ...]
    values: tuple[str, ...]
    ranks: tuple[int | None, ...]
    outlined: tuple[int, ...]
    selected: int | None

    def to_data(self, *, label: str, geometry: CanvasGeometry, send_geometry: bool) -> dict:
        data = {
            "digest": geometry.digest,
            "label": label,
            "classes": self.classes,
            "palette": list(self.palette),
            "missing": _hex(MISSING_COLOUR),
            "values": list(self.values),
            "ranks": list(self.ranks),
            "outlined": list(self.outlined),
            "selected": self.selected,
        }
        if send_geometry:
            data["geometry"] = geometry.payload
        return data


def map_step(
    geometry: CanvasGeometry,
    values: pd.Series,
    classes: Classes,
    *,
    ranks: pd.Series | None = None,
    outline: pd.Series | None = None,
    selected: str | None = None,
) -> MapStep:
    """One step's colours: `values` (indexed by ward code; NaN = no figures) classed by `classes`."""
    if len(classes.colours) > 10:
        raise ValueError("the canvas map draws at most 10 classes")
    codes = list(geometry.codes)
    aligned = values.reindex(codes).to_numpy(dtype=np.float64, na_value=np.nan)
    index = classes.index(aligned)
    text = "".join(MISSING_CLASS if i < 0 else str(int(i)) for i in index)
    shown = tuple("no figures" if np.isnan(v) else f"{v:g}" for v in aligned)
    rank_values = (
        tuple(None if pd.isna(r) else int(r) for r in ranks.reindex(codes))
        if ranks is not None
        else (None,) * len(codes)
    )
    where = geometry.position()
    marked = (
        () if outline is None else tuple(sorted(where[c] for c in outline[outline.astype(bool)].index if c in where))
    )
    return MapStep(
        classes=text,
        palette=tuple(_hex(c) for c in classes.colours),
        values=shown,
        ranks=rank_values,
        outlined=marked,
        selected=where.get(selected) if selected is not None else None,
    )
