#!/usr/bin/env python3
"""Build static/geo/provinces.geojson from the echarts 4 China map.

The province outlines come from the npm package ``echarts@4.9.0``
(Apache-2.0), file ``package/map/json/china.json``. Regenerate with::

    mkdir -p /tmp/geo && cd /tmp/geo
    npm pack echarts@4.9.0
    tar xzf echarts-4.9.0.tgz package/map/json/china.json
    python3 docs/scripts/build_province_outlines.py \
        /tmp/geo/package/map/json/china.json            # run from the repo root

Optional arguments: ``--out PATH`` (default: static/geo/provinces.geojson
beside this repository) and ``--tolerance DEG`` (Douglas-Peucker tolerance in
degrees, default 0.01).

Steps (standard library only):

1. Decode echarts' compact "UTF8Encoding" coordinates exactly as echarts 4
   does (src/coord/geo/parseGeoJson.js): each ring string is read as pairs of
   char codes; each code minus 64 is zigzag-decoded ((x >> 1) ^ -(x & 1)),
   added to the running previous value that starts at the ring's
   encodeOffsets pair, and divided by the scale (UTF8Scale, default 1024).
2. Keep the 31 provincial-level divisions of mainland China (drops 710000
   Taiwan, 810000 Hong Kong, 820000 Macao, which the source also holds).
3. Drop degenerate rings (fewer than 3 distinct points: the source encodes
   25 tiny islands as A-B-A), cut the few tiny twisted loops ("bow ties")
   the source has (see cut_twists), then simplify every ring with
   Douglas-Peucker (planar, in degrees), round to 3 decimals, drop repeated
   points and close the ring. If a simplified ring crosses itself or falls
   under 4 positions, it is redone at half the tolerance, down to no
   simplification at all.
4. Orient rings as RFC 7946 asks (exterior counter-clockwise, holes
   clockwise) and write a FeatureCollection, one feature per line, sorted by
   code, with properties ``code``, ``name_zh`` and ``name_en``.

No datum shift is applied: the coordinates are written as the package has
them (see static/geo/SOURCES.md on GCJ-02).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_OUT = ROOT / "static" / "geo" / "provinces.geojson"
DECIMALS = 3

# GB/T 2260 code -> (official Chinese name, English name) for the 31
# provincial-level divisions of mainland China.
PROVINCES = {
    "110000": ("北京市", "Beijing"),
    "120000": ("天津市", "Tianjin"),
    "130000": ("河北省", "Hebei"),
    "140000": ("山西省", "Shanxi"),
    "150000": ("内蒙古自治区", "Inner Mongolia"),
    "210000": ("辽宁省", "Liaoning"),
    "220000": ("吉林省", "Jilin"),
    "230000": ("黑龙江省", "Heilongjiang"),
    "310000": ("上海市", "Shanghai"),
    "320000": ("江苏省", "Jiangsu"),
    "330000": ("浙江省", "Zhejiang"),
    "340000": ("安徽省", "Anhui"),
    "350000": ("福建省", "Fujian"),
    "360000": ("江西省", "Jiangxi"),
    "370000": ("山东省", "Shandong"),
    "410000": ("河南省", "Henan"),
    "420000": ("湖北省", "Hubei"),
    "430000": ("湖南省", "Hunan"),
    "440000": ("广东省", "Guangdong"),
    "450000": ("广西壮族自治区", "Guangxi"),
    "460000": ("海南省", "Hainan"),
    "500000": ("重庆市", "Chongqing"),
    "510000": ("四川省", "Sichuan"),
    "520000": ("贵州省", "Guizhou"),
    "530000": ("云南省", "Yunnan"),
    "540000": ("西藏自治区", "Xizang"),
    "610000": ("陕西省", "Shaanxi"),
    "620000": ("甘肃省", "Gansu"),
    "630000": ("青海省", "Qinghai"),
    "640000": ("宁夏回族自治区", "Ningxia"),
    "650000": ("新疆维吾尔自治区", "Xinjiang"),
}

Point = tuple[float, float]


# --- 1. decoding -----------------------------------------------------------


def decode_ring(encoded: str, offset: list[int], scale: float) -> list[Point]:
    """Decode one echarts 4 "UTF8Encoding" ring into (lon, lat) pairs."""
    prev_x, prev_y = offset
    points = []
    for i in range(0, len(encoded) - 1, 2):
        x = ord(encoded[i]) - 64
        y = ord(encoded[i + 1]) - 64
        x = (x >> 1) ^ (-(x & 1))  # zigzag
        y = (y >> 1) ^ (-(y & 1))
        prev_x += x
        prev_y += y
        points.append((prev_x / scale, prev_y / scale))
    return points


def decoded_polygons(feature: dict, encoded: bool, scale: float) -> list[list[list[Point]]]:
    """Return the feature's geometry as a list of polygons (lists of rings)."""
    geometry = feature["geometry"]
    coordinates = geometry["coordinates"]
    polygons = [coordinates] if geometry["type"] == "Polygon" else coordinates
    if not encoded:
        return [[[tuple(p) for p in ring] for ring in polygon] for polygon in polygons]
    offsets = geometry["encodeOffsets"]
    if geometry["type"] == "Polygon":
        offsets = [offsets]
    return [
        [decode_ring(ring, ring_offset, scale) for ring, ring_offset in zip(polygon, polygon_offsets, strict=True)]
        for polygon, polygon_offsets in zip(polygons, offsets, strict=True)
    ]


# --- 3. simplification and ring hygiene ------------------------------------


def _segment_distance(p: Point, a: Point, b: Point) -> float:
    (px, py), (ax, ay), (bx, by) = p, a, b
    dx, dy = bx - ax, by - ay
    length2 = dx * dx + dy * dy
    if length2 == 0:
        return ((px - ax) ** 2 + (py - ay) ** 2) ** 0.5
    t = max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / length2))
    cx, cy = ax + t * dx, ay + t * dy
    return ((px - cx) ** 2 + (py - cy) ** 2) ** 0.5


def douglas_peucker(points: list[Point], tolerance: float) -> list[Point]:
    """Simplify an open polyline, keeping both ends (iterative, no recursion)."""
    if len(points) < 3 or tolerance <= 0:
        return list(points)
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        worst, worst_index = -1.0, -1
        for i in range(first + 1, last):
            d = _segment_distance(points[i], points[first], points[last])
            if d > worst:
                worst, worst_index = d, i
        if worst > tolerance:
            keep[worst_index] = True
            stack.append((first, worst_index))
            stack.append((worst_index, last))
    return [p for p, kept in zip(points, keep, strict=True) if kept]


def simplify_ring(ring: list[Point], tolerance: float) -> list[Point]:
    """Simplify a ring (open, no closing duplicate) split at its farthest point."""
    if len(ring) < 4 or tolerance <= 0:
        return list(ring)
    start = ring[0]
    far = max(range(len(ring)), key=lambda i: (ring[i][0] - start[0]) ** 2 + (ring[i][1] - start[1]) ** 2)
    first = douglas_peucker(ring[: far + 1], tolerance)
    second = douglas_peucker(ring[far:] + [start], tolerance)
    return first[:-1] + second[:-1]


def clean_ring(ring: list[Point]) -> list[Point]:
    """Round, drop repeated points and the closing duplicate (open ring)."""
    out: list[Point] = []
    for x, y in ring:
        p = (round(x, DECIMALS), round(y, DECIMALS))
        if not out or out[-1] != p:
            out.append(p)
    while len(out) > 1 and out[-1] == out[0]:
        out.pop()
    return out


def _cross(o: Point, a: Point, b: Point) -> float:
    return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])


def _on_segment(p: Point, a: Point, b: Point) -> bool:
    return min(a[0], b[0]) <= p[0] <= max(a[0], b[0]) and min(a[1], b[1]) <= p[1] <= max(a[1], b[1])


def _segments_touch(a: Point, b: Point, c: Point, d: Point) -> bool:
    d1, d2, d3, d4 = _cross(c, d, a), _cross(c, d, b), _cross(a, b, c), _cross(a, b, d)
    if ((d1 > 0 > d2) or (d1 < 0 < d2)) and ((d3 > 0 > d4) or (d3 < 0 < d4)):
        return True
    return (
        (d1 == 0 and _on_segment(a, c, d))
        or (d2 == 0 and _on_segment(b, c, d))
        or (d3 == 0 and _on_segment(c, a, b))
        or (d4 == 0 and _on_segment(d, a, b))
    )


def self_intersects(ring: list[Point]) -> bool:
    """True if two non-adjacent edges of the open ring touch or cross."""
    n = len(ring)
    edges = [(ring[i], ring[(i + 1) % n]) for i in range(n)]
    boxes = [(min(a[0], b[0]), max(a[0], b[0]), min(a[1], b[1]), max(a[1], b[1])) for a, b in edges]
    for i in range(n):
        x0, x1, y0, y1 = boxes[i]
        for j in range(i + 2, n):
            if i == 0 and j == n - 1:
                continue  # adjacent through the closing point
            u0, u1, v0, v1 = boxes[j]
            if u0 > x1 or u1 < x0 or v0 > y1 or v1 < y0:
                continue
            if _segments_touch(*edges[i], *edges[j]):
                return True
    return False


def _crossing_point(a: Point, b: Point, c: Point, d: Point) -> Point:
    denom = (b[0] - a[0]) * (d[1] - c[1]) - (b[1] - a[1]) * (d[0] - c[0])
    if denom == 0:  # collinear overlap: the shared point will do
        return c
    t = ((c[0] - a[0]) * (d[1] - c[1]) - (c[1] - a[1]) * (d[0] - c[0])) / denom
    return (round(a[0] + t * (b[0] - a[0]), DECIMALS), round(a[1] + t * (b[1] - a[1]), DECIMALS))


def cut_twists(ring: list[Point], stats: dict, max_loop: int = 8) -> list[Point]:
    """Cut the small twisted loops ("bow ties") that the source has in a few rings.

    When edge i crosses edge j a few vertices further on, the vertices between
    them form a tiny loop turned inside out; they are replaced by the crossing
    point. Crossings farther apart are left alone (prepare_ring then keeps the
    ring as the source has it and counts it).
    """
    for _ in range(100):
        n = len(ring)
        found = None
        for i in range(n):
            for j in range(i + 2, min(i + 2 + max_loop, n)):
                if i == 0 and j == n - 1:
                    continue
                a, b = ring[i], ring[(i + 1) % n]
                c, d = ring[j], ring[(j + 1) % n]
                if _segments_touch(a, b, c, d):
                    found = (i, j, _crossing_point(a, b, c, d))
                    break
            if found:
                break
        if not found:
            return ring
        i, j, point = found
        ring = clean_ring(ring[: i + 1] + [point] + ring[j + 1 :])
        stats["twists_cut"] += 1
    return ring


def signed_area(ring: list[Point]) -> float:
    n = len(ring)
    return sum(ring[i][0] * ring[(i + 1) % n][1] - ring[(i + 1) % n][0] * ring[i][1] for i in range(n)) / 2


def prepare_ring(raw: list[Point], tolerance: float, exterior: bool, stats: dict) -> list[list[float]] | None:
    """Simplify, round, validate and orient one ring; return closed GeoJSON positions."""
    source = clean_ring([(float(x), float(y)) for x, y in raw])
    if len(source) >= 4:
        source = cut_twists(source, stats)
    if len(source) < 3:
        stats["dropped"] += 1
        return None
    tol = tolerance
    while True:
        ring = clean_ring(simplify_ring(source, tol))
        if len(ring) >= 3 and not self_intersects(ring):
            break
        if tol == 0:
            stats["invalid_in_source"] += 1
            break  # keep the unsimplified ring as the source has it
        tol = tol / 2 if tol > tolerance / 64 else 0
        stats["retried"] += 1
    if len(ring) < 3:
        stats["dropped"] += 1
        return None
    if (signed_area(ring) > 0) != exterior:  # RFC 7946: exterior CCW, holes CW
        ring.reverse()
    stats["points"] += len(ring) + 1
    return [list(p) for p in ring] + [list(ring[0])]


# --- 2 and 4. selection and output -----------------------------------------


def build(source: dict, tolerance: float) -> tuple[dict, dict]:
    encoded = bool(source.get("UTF8Encoding"))
    scale = source.get("UTF8Scale") or 1024
    stats: dict = {"points": 0, "retried": 0, "dropped": 0, "twists_cut": 0}
    stats.update(invalid_in_source=0, skipped=[])
    features = {}
    for feature in source["features"]:
        code = str(feature.get("id") or feature["properties"].get("id") or "")
        if code not in PROVINCES:
            stats["skipped"].append(f"{code} {feature['properties'].get('name', '')}")
            continue
        polygons = []
        for polygon in decoded_polygons(feature, encoded, scale):
            rings = []
            for index, raw in enumerate(polygon):
                ring = prepare_ring(raw, tolerance, exterior=index == 0, stats=stats)
                if ring is None:
                    if index == 0:
                        break  # no exterior left: drop the whole polygon
                    continue
                rings.append(ring)
            if rings:
                polygons.append(rings)
        if not polygons:
            raise SystemExit(f"{code}: nothing left after simplification")
        geometry = (
            {"type": "Polygon", "coordinates": polygons[0]}
            if len(polygons) == 1
            else {"type": "MultiPolygon", "coordinates": polygons}
        )
        name_zh, name_en = PROVINCES[code]
        features[code] = {
            "type": "Feature",
            "properties": {"code": code, "name_zh": name_zh, "name_en": name_en},
            "geometry": geometry,
        }
    missing = sorted(set(PROVINCES) - set(features))
    if missing:
        raise SystemExit(f"source lacks provinces: {', '.join(missing)}")
    return {"type": "FeatureCollection", "features": [features[c] for c in sorted(features)]}, stats


def dump(collection: dict) -> str:
    """Compact JSON with one feature per line, so diffs stay readable."""
    lines = ['{"type":"FeatureCollection","features":[']
    features = collection["features"]
    for i, feature in enumerate(features):
        text = json.dumps(feature, ensure_ascii=False, separators=(",", ":"))
        lines.append(text + ("," if i < len(features) - 1 else ""))
    lines.append("]}")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("china_json", type=Path, help="extracted echarts 4 map/json/china.json")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"output file (default {DEFAULT_OUT})")
    parser.add_argument("--tolerance", type=float, default=0.01, help="Douglas-Peucker tolerance in degrees")
    args = parser.parse_args(argv)

    source = json.loads(args.china_json.read_text(encoding="utf-8"))
    collection, stats = build(source, args.tolerance)
    text = dump(collection)
    json.loads(text)  # sanity: what we write parses
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    print(
        f"wrote {args.out}: {len(collection['features'])} features, {stats['points']} positions, "
        f"{len(text.encode('utf-8'))} bytes; "
        f"rings re-simplified at a finer tolerance: {stats['retried']}, "
        f"degenerate rings dropped: {stats['dropped']}, twisted loops cut: {stats['twists_cut']}, "
        f"left self-intersecting: {stats['invalid_in_source']}; "
        f"skipped: {', '.join(stats['skipped']) or 'none'}",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
