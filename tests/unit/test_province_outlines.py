"""The offline province outlines (static/geo/provinces.geojson) agree with the reference cities.

No database: reads the GeoJSON and fixtures/cities.csv directly. Distances are
planar, in degrees (good enough at province scale). A city that is outside its
own province's outline but within NEAR_EDGE_DEGREES of it is accepted, with a
warning naming it: the outlines are coarse (see static/geo/SOURCES.md), so a
coastal or border city can fall just outside. Farther than that is a failure.
"""

import csv
import json
import math
import warnings
from itertools import pairwise
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
OUTLINES = ROOT / "static" / "geo" / "provinces.geojson"
CITIES = ROOT / "fixtures" / "cities.csv"
NEAR_EDGE_DEGREES = 0.05
MAX_BYTES = 600 * 1024
MAINLAND_PROVINCE_COUNT = 31


def load_outlines() -> dict:
    return json.loads(OUTLINES.read_text(encoding="utf-8"))


def load_cities() -> list[dict]:
    with CITIES.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def polygons_of(geometry: dict) -> list:
    """A Polygon or MultiPolygon as a list of polygons (each a list of rings)."""
    if geometry["type"] == "Polygon":
        return [geometry["coordinates"]]
    if geometry["type"] == "MultiPolygon":
        return geometry["coordinates"]
    raise ValueError(f"not a polygon geometry: {geometry['type']}")


def ring_contains(ring: list, lon: float, lat: float) -> bool:
    """Ray casting (even-odd): does a ray from the point cross the ring an odd number of times?"""
    inside = False
    for (x1, y1), (x2, y2) in pairwise(ring):
        if (y1 > lat) != (y2 > lat):
            x_at_lat = x1 + (lat - y1) * (x2 - x1) / (y2 - y1)
            if lon < x_at_lat:
                inside = not inside
    return inside


def geometry_contains(geometry: dict, lon: float, lat: float) -> bool:
    """Inside the exterior ring of some polygon and inside none of its holes."""
    return any(
        ring_contains(polygon[0], lon, lat) and not any(ring_contains(hole, lon, lat) for hole in polygon[1:])
        for polygon in polygons_of(geometry)
    )


def distance_to_outline(geometry: dict, lon: float, lat: float) -> float:
    """Shortest planar distance, in degrees, from the point to any edge of the geometry."""
    best = math.inf
    for polygon in polygons_of(geometry):
        for ring in polygon:
            for (x1, y1), (x2, y2) in pairwise(ring):
                dx, dy = x2 - x1, y2 - y1
                length2 = dx * dx + dy * dy
                t = 0.0 if length2 == 0 else max(0.0, min(1.0, ((lon - x1) * dx + (lat - y1) * dy) / length2))
                best = min(best, math.hypot(lon - (x1 + t * dx), lat - (y1 + t * dy)))
    return best


@pytest.fixture(scope="module")
def outlines_by_code() -> dict:
    return {feature["properties"]["code"]: feature for feature in load_outlines()["features"]}


def test_the_helpers_handle_holes_and_distance():
    square_with_hole = {
        "type": "Polygon",
        "coordinates": [
            [[0, 0], [4, 0], [4, 4], [0, 4], [0, 0]],
            [[1, 1], [1, 3], [3, 3], [3, 1], [1, 1]],
        ],
    }
    assert geometry_contains(square_with_hole, 0.5, 0.5)
    assert not geometry_contains(square_with_hole, 2, 2)  # in the hole
    assert not geometry_contains(square_with_hole, 5, 2)
    assert distance_to_outline(square_with_hole, 5, 2) == pytest.approx(1)
    assert distance_to_outline(square_with_hole, 2, 2) == pytest.approx(1)


def test_the_file_is_small_valid_geojson_of_the_mainland_provinces():
    assert OUTLINES.stat().st_size < MAX_BYTES
    collection = load_outlines()
    assert collection["type"] == "FeatureCollection"
    features = collection["features"]
    codes = [feature["properties"]["code"] for feature in features]
    assert len(codes) == len(set(codes)) == MAINLAND_PROVINCE_COUNT
    problems = []
    for feature in features:
        properties = feature["properties"]
        code = properties["code"]
        assert feature["type"] == "Feature"
        assert len(code) == 6 and code.isdigit() and code.endswith("0000"), code
        assert properties["name_zh"] and properties["name_en"], code
        for polygon in polygons_of(feature["geometry"]):
            for ring in polygon:
                if len(ring) < 4 or ring[0] != ring[-1]:
                    problems.append(f"{code}: ring not closed or under 4 positions")
                for lon, lat in ring:
                    if not (73 <= lon <= 136 and 3 <= lat <= 54):
                        problems.append(f"{code}: position {lon},{lat} outside China's extent")
                    if round(lon, 3) != lon or round(lat, 3) != lat:
                        problems.append(f"{code}: position {lon},{lat} not rounded to 3 decimals")
    assert problems == []


def test_every_city_province_has_an_outline_with_the_same_names(outlines_by_code):
    missing, renamed = set(), set()
    for city in load_cities():
        feature = outlines_by_code.get(city["province_code"])
        if feature is None:
            missing.add(city["province_code"])
            continue
        properties = feature["properties"]
        names = (properties["name_zh"], properties["name_en"])
        if names != (city["province_zh"], city["province_en"]):
            renamed.add(
                f"{city['province_code']}: cities.csv {city['province_zh']}/{city['province_en']}, "
                f"outline {properties['name_zh']}/{properties['name_en']}"
            )
    assert missing == set()
    assert renamed == set()


def test_every_city_lies_in_its_own_province(outlines_by_code):
    near_edge, outside = [], []
    for city in load_cities():
        feature = outlines_by_code.get(city["province_code"])
        if feature is None:
            continue  # reported by the test above
        lon, lat = float(city["longitude"]), float(city["latitude"])
        if geometry_contains(feature["geometry"], lon, lat):
            continue
        gap = distance_to_outline(feature["geometry"], lon, lat)
        label = f"{city['code']} {city['name_en']} ({lat}, {lon}) is {gap:.3f}° outside {city['province_en']}"
        (near_edge if gap <= NEAR_EDGE_DEGREES else outside).append(label)
    for label in near_edge:
        warnings.warn(f"accepted within {NEAR_EDGE_DEGREES}°: {label}", stacklevel=1)
    assert outside == []
