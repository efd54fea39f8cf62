"""Build the portal's world map geometry from world-atlas (Natural Earth), once, offline.

Usage (developers only; the output is committed, the portal never builds it):
    npm install world-atlas@2.0.2
    python scripts/build_world_geojson.py node_modules/world-atlas \
        src/un1540/web/static/geo/world.json

What it does:
- decodes the 110m TopoJSON (177 countries) into polygons;
- splits every ring that crosses the antimeridian into its east and west parts (Russia, Fiji,
  ...) so planar maps draw no streaks across the world;
- keys each shape by ISO3 for the 193 UN Member States (other shapes stay, unnamed and grey,
  as UN maps draw them);
- adds a point for each Member State too small for the 110m file, from the 50m file's shape,
  so all 193 States can be seen and clicked;
- rounds coordinates to 0.01 degree to keep the file small.
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path
from typing import Any

from shapely.geometry import MultiPolygon, Polygon, box, mapping
from shapely.ops import unary_union

STATES_CSV = Path(__file__).resolve().parents[1] / "src/un1540/reference/states.csv"
DROP = {"010"}  # Antarctica: not a State, and it dominates an equirectangular map
# Member States in neither file: placed at their capital (public coordinates).
FALLBACK_POINTS = {"TUV": (179.19, -8.52)}  # Tuvalu, Funafuti


def member_states() -> dict[str, tuple[str, str]]:
    lines = [
        line
        for line in STATES_CSV.read_text(encoding="utf-8").splitlines()
        if not line.startswith("#")
    ]
    return {row["m49"]: (row["iso3"], row["short_name"]) for row in csv.DictReader(lines)}


def decode_arcs(topology: dict[str, Any]) -> list[list[tuple[float, float]]]:
    scale = topology["transform"]["scale"]
    translate = topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x += dx
            y += dy
            points.append((x * scale[0] + translate[0], y * scale[1] + translate[1]))
        arcs.append(points)
    return arcs


def ring(indexes: list[int], arcs: list[list[tuple[float, float]]]) -> list[tuple[float, float]]:
    points: list[tuple[float, float]] = []
    for index in indexes:
        arc = arcs[index] if index >= 0 else list(reversed(arcs[~index]))
        points.extend(arc if not points else arc[1:])
    return points


def unwrap(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Make a ring continuous in longitude (no jump of more than 180 degrees)."""
    result = [points[0]]
    for lon, lat in points[1:]:
        previous = result[-1][0]
        while lon - previous > 180:
            lon -= 360
        while lon - previous < -180:
            lon += 360
        result.append((lon, lat))
    return result


def split_antimeridian(polygon: Polygon) -> list[Polygon]:
    """Cut a polygon that spills past +-180 into parts, each moved back into [-180, 180]."""
    parts = []
    for shift in (-360, 0, 360):
        window = box(-180 - shift, -90, 180 - shift, 90)
        piece = polygon.intersection(window)
        if piece.is_empty:
            continue
        for part in getattr(piece, "geoms", [piece]):
            if isinstance(part, Polygon) and part.area > 0:
                moved = Polygon(
                    [(x + shift, y) for x, y in part.exterior.coords],
                    [[(x + shift, y) for x, y in hole.coords] for hole in part.interiors],
                )
                parts.append(moved)
    return parts


def geometry_polygons(
    geometry: dict[str, Any], arcs: list[list[tuple[float, float]]]
) -> list[Polygon]:
    if geometry["type"] == "Polygon":
        polygon_arcs = [geometry["arcs"]]
    elif geometry["type"] == "MultiPolygon":
        polygon_arcs = geometry["arcs"]
    else:
        return []
    polygons = []
    for rings in polygon_arcs:
        exterior = unwrap(ring(rings[0], arcs))
        holes = [unwrap(ring(r, arcs)) for r in rings[1:]]
        polygon = Polygon(exterior, holes).buffer(0)
        for part in getattr(polygon, "geoms", [polygon]):
            polygons.extend(split_antimeridian(part))
    return polygons


def rounded(geometry: Any) -> dict[str, Any]:
    def round_coords(value: Any) -> Any:
        if isinstance(value, (list, tuple)) and value and isinstance(value[0], (int, float)):
            return [round(value[0], 2), round(value[1], 2)]
        return [round_coords(item) for item in value]

    data = mapping(geometry)
    return {"type": data["type"], "coordinates": round_coords(data["coordinates"])}


def features(topology: dict[str, Any]) -> dict[str, Any]:
    arcs = decode_arcs(topology)
    return {
        geometry.get("id"): geometry for geometry in topology["objects"]["countries"]["geometries"]
    }, arcs


def main(atlas_dir: str, output: str) -> None:
    members = member_states()
    topo_110 = json.loads((Path(atlas_dir) / "countries-110m.json").read_text())
    topo_50 = json.loads((Path(atlas_dir) / "countries-50m.json").read_text())
    shapes_110, arcs_110 = features(topo_110)
    shapes_50, arcs_50 = features(topo_50)
    out_features = []
    unnamed = 0
    for m49, geometry in shapes_110.items():
        if m49 in DROP:
            continue
        polygons = geometry_polygons(geometry, arcs_110)
        if not polygons:
            continue
        merged = unary_union(polygons)
        multi = merged if isinstance(merged, MultiPolygon) else MultiPolygon([merged])
        if m49 in members:
            iso3, name = members[m49]
        else:
            unnamed += 1
            iso3, name = f"x{unnamed:02d}", ""
        out_features.append(
            {
                "type": "Feature",
                "properties": {"iso3": iso3, "name": name, "member": m49 in members},
                "geometry": rounded(multi),
            }
        )
    points = []
    for m49, (iso3, name) in sorted(members.items(), key=lambda item: item[1][0]):
        if m49 in shapes_110:
            continue
        if m49 not in shapes_50:
            lon, lat = FALLBACK_POINTS[iso3]
            points.append({"iso3": iso3, "name": name, "lon": lon, "lat": lat})
            continue
        polygons = geometry_polygons(shapes_50[m49], arcs_50)
        largest = max(polygons, key=lambda polygon: polygon.area)
        point = largest.representative_point()
        points.append(
            {"iso3": iso3, "name": name, "lon": round(point.x, 2), "lat": round(point.y, 2)}
        )
    document = {
        "type": "FeatureCollection",
        "source": (
            "world-atlas 2.0.2 (Natural Earth 1:110m and 1:50m, public domain), "
            "built by scripts/build_world_geojson.py"
        ),
        "features": out_features,
        "small_states": points,
    }
    Path(output).write_text(json.dumps(document, separators=(",", ":"), ensure_ascii=False))
    named = sum(1 for f in out_features if f["properties"]["member"])
    print(
        f"{len(out_features)} shapes ({named} Member States), {len(points)} small States as points"
    )


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
