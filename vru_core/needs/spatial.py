"""Which wards touch which: queen contiguity (a shared edge or corner) from the bundled ward boundaries.

Built from the May 2022 ward polygons in ``london_wards_2022.geojson`` with shapely's STRtree
("intersects": any shared point). It gives exactly PySAL's ``libpysal.weights.Queen`` for these
boundaries (the tests check every pair), without loading PySAL in the app. Used for spatially smoothed
rates (vru_core.needs.smoothing) and to keep the neighbours of funded wards out of an impact
estimate's comparison wards (vru_core.impact).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable
from pathlib import Path

from vru_core.platform.config import get_settings

WARDS_FILE = "london_wards_2022.geojson"


@functools.lru_cache(maxsize=4)
def _queen(path: str, stamp: tuple[int, int]) -> dict[str, frozenset[str]]:
    from shapely import STRtree
    from shapely.geometry import shape

    del stamp  # part of the cache key only
    features = json.loads(Path(path).read_text(encoding="utf-8"))["features"]
    codes = [f["properties"]["ward_code"] for f in features]
    geoms = [shape(f["geometry"]) for f in features]
    left, right = STRtree(geoms).query(geoms, predicate="intersects")
    out: dict[str, set[str]] = {c: set() for c in codes}
    for i, j in zip(left.tolist(), right.tolist(), strict=True):
        if i != j:
            out[codes[i]].add(codes[j])
    return {c: frozenset(n) for c, n in out.items()}


def queen_neighbours(data_dir: Path | None = None) -> dict[str, frozenset[str]]:
    """ward code -> the codes of the wards it touches (cached per file version)."""
    path = Path(data_dir or get_settings().bundled_data_dir) / WARDS_FILE
    stat = path.stat()
    return _queen(str(path.resolve()), (stat.st_mtime_ns, stat.st_size))


def neighbours(codes: Iterable[str], data_dir: Path | None = None) -> set[str]:
    """Every ward touching one of ``codes``, the codes themselves left out."""
    table = queen_neighbours(data_dir)
    chosen = set(codes)
    return {n for c in chosen for n in table.get(c, ())} - chosen
