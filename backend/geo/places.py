"""Finding a place by its address, for a person without GPS (a desk computer, a phone indoors, a call).

Two sources, in this order: the configured geocoder (`GEOCODER=nominatim`), asked within the area served; then
the addresses already known here, those of public reports (a street that had a pothole is found again). With
`GEOCODER=none` the second source alone answers, which covers the streets people report from.
"""
from __future__ import annotations

from typing import Any

from backend import sql

MIN_LENGTH = 3
MAX_LENGTH = 200


async def known_addresses(text: str, limit: int) -> list[dict]:
    """Addresses of public reports that contain `text` (any case), the most reported first, at their mean point."""
    where = sql.Where()
    where.add("public = {}", True).add("address <> {}", "").add(where.contains("address", text))
    found = await sql.rows(
        f"SELECT address, AVG(lat) AS lat, AVG(lon) AS lon, COUNT(*) AS n FROM service_request WHERE {where} "
        f"GROUP BY address ORDER BY n DESC, address LIMIT {int(limit)}", where.values)
    return [{"label": row["address"], "lat": float(row["lat"]), "lon": float(row["lon"]), "source": "reports"}
            for row in found if row["lat"] is not None]


async def search(text: str, *, geocoder: Any, area: list[float] | None, limit: int = 8) -> list[dict]:
    """At most `limit` places for `text`: the geocoder's first, then known addresses not already given."""
    text = " ".join(text.split())
    out = await geocoder.search(text, area=area, limit=limit)
    seen = {p["label"].casefold() for p in out}
    for place in await known_addresses(text, limit):
        if place["label"].casefold() not in seen and len(out) < limit:
            out.append(place)
    return out[:limit]
