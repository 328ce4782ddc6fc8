"""Geometry for routing and searching: point in polygon, bounding boxes, distances."""
from __future__ import annotations

import math
from typing import Any, Iterable

from geopy.distance import geodesic, great_circle

from backend.errors import ValidationFailed

EARTH_RADIUS_M = 6_371_008.8


def _rings(geometry: dict) -> list[list[list[list[float]]]]:
    """The polygons of a GeoJSON Polygon or MultiPolygon, each a list of rings of [lon, lat]."""
    kind = geometry.get("type")
    if kind == "Polygon":
        return [geometry["coordinates"]]
    if kind == "MultiPolygon":
        return list(geometry["coordinates"])
    if kind == "Feature":
        return _rings(geometry["geometry"])
    raise ValueError(f"unsupported geometry type {kind!r}")


def _in_ring(lon: float, lat: float, ring: list[list[float]]) -> bool:
    inside = False
    j = len(ring) - 1
    for i in range(len(ring)):
        xi, yi = ring[i][0], ring[i][1]
        xj, yj = ring[j][0], ring[j][1]
        if (yi > lat) != (yj > lat) and lon < (xj - xi) * (lat - yi) / (yj - yi) + xi:
            inside = not inside
        j = i
    return inside


def contains(geometry: dict, lat: float, lon: float) -> bool:
    """True when the point lies in the polygon (outer ring in, no hole containing it)."""
    for polygon in _rings(geometry):
        if polygon and _in_ring(lon, lat, polygon[0]) and not any(_in_ring(lon, lat, h) for h in polygon[1:]):
            return True
    return False


def bounds(geometry: dict) -> tuple[float, float, float, float]:
    """(min_lat, min_lon, max_lat, max_lon) of a polygon."""
    points = [p for polygon in _rings(geometry) for ring in polygon for p in ring]
    lons = [p[0] for p in points]
    lats = [p[1] for p in points]
    return min(lats), min(lons), max(lats), max(lons)


def validate_polygon(geometry: Any) -> dict:
    """Checks a GeoJSON boundary enough to route points with it."""
    try:
        polygons = _rings(geometry)
        for polygon in polygons:
            for ring in polygon:
                if len(ring) < 4 or any(len(p) < 2 or not -180 <= p[0] <= 180 or not -90 <= p[1] <= 90 for p in ring):
                    raise ValueError("ring")
    except (ValueError, KeyError, TypeError, AttributeError):
        raise ValidationFailed("The boundary must be a GeoJSON Polygon or MultiPolygon in WGS84.",
                               code="invalid_geometry", field="boundary") from None
    return geometry


def distance_m(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Geodesic distance in metres between two (lat, lon) points."""
    return geodesic(a, b).meters


def near_distance_m(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance in metres: within a town, a few centimetres from the geodesic, many times faster."""
    return great_circle(a, b).meters


def box_around(lat: float, lon: float, metres: float) -> tuple[float, float, float, float]:
    """A (min_lat, min_lon, max_lat, max_lon) box that contains the circle of `metres` around the point."""
    dlat = math.degrees(metres / EARTH_RADIUS_M)
    dlon = math.degrees(metres / (EARTH_RADIUS_M * max(0.01, math.cos(math.radians(lat)))))
    return lat - dlat, lon - dlon, lat + dlat, lon + dlon


def parse_bbox(raw: str) -> tuple[float, float, float, float]:
    """`minlon,minlat,maxlon,maxlat` as API.md gives it, returned as (min_lat, min_lon, max_lat, max_lon)."""
    try:
        min_lon, min_lat, max_lon, max_lat = (float(x) for x in raw.split(","))
    except ValueError:
        raise ValidationFailed("bbox must be minlon,minlat,maxlon,maxlat.", code="invalid_bbox", field="bbox") from None
    if not (-180 <= min_lon <= max_lon <= 180 and -90 <= min_lat <= max_lat <= 90):
        raise ValidationFailed("bbox corners are out of order or out of range.", code="invalid_bbox", field="bbox")
    return min_lat, min_lon, max_lat, max_lon


def centroid(points: Iterable[tuple[float, float]]) -> tuple[float, float]:
    pts = list(points)
    return sum(p[0] for p in pts) / len(pts), sum(p[1] for p in pts) / len(pts)
