"""Province outlines for the offline region map, read from ``static/geo/provinces.geojson``.

The file (see ``static/geo/SOURCES.md``) is read once per process. A region
map shows only the provinces around its cities, never a map of the whole
country: the outlines are background for locating cities, not a map of
China's borders.
"""

import json
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from django.contrib.staticfiles import finders

OUTLINES_FILE = "geo/provinces.geojson"


# Per process on purpose: read from a file shipped in the release, never the database, so no two machines differ.
@lru_cache(maxsize=1)
def _features() -> tuple[dict[str, Any], ...]:
    path = finders.find(OUTLINES_FILE)
    if not path:
        return ()
    with open(path, encoding="utf-8") as handle:
        return tuple(json.load(handle)["features"])


def _bounds(feature: dict[str, Any]) -> tuple[float, float, float, float]:
    geometry = feature["geometry"]
    polygons = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
    xs = [point[0] for polygon in polygons for point in polygon[0]]
    ys = [point[1] for polygon in polygons for point in polygon[0]]
    return min(xs), min(ys), max(xs), max(ys)


def outlines_around(points: Iterable[tuple[float, float]], margin: float = 0.6) -> list[dict[str, Any]]:
    """The provinces whose outline's bounding box meets the points' box (lon, lat), widened by ``margin``°."""
    coordinates = list(points)
    if not coordinates:
        return []
    west = min(lon for lon, _ in coordinates) - margin
    east = max(lon for lon, _ in coordinates) + margin
    south = min(lat for _, lat in coordinates) - margin
    north = max(lat for _, lat in coordinates) + margin
    chosen = []
    for feature in _features():
        min_x, min_y, max_x, max_y = _bounds(feature)
        if min_x <= east and max_x >= west and min_y <= north and max_y >= south:
            chosen.append(feature)
    return chosen
