"""Reverse geocoding behind a small strategy: `none` (the citizen types the address) or `nominatim` (geopy)."""
from __future__ import annotations

import asyncio
import logging
from urllib.parse import urlparse

from geopy.exc import GeopyError
from geopy.geocoders import Nominatim

log = logging.getLogger("guichet.geocoder")


class NoGeocoder:
    async def address_at(self, lat: float, lon: float) -> str:
        return ""

    async def point_of(self, address: str) -> tuple[float, float] | None:
        return None

    async def search(self, text: str, *, area: list[float] | None, limit: int) -> list[dict]:
        return []


class NominatimGeocoder:
    """Asks a Nominatim server (ours or a provider's) for the street address of a point; never fails a report."""

    def __init__(self, base_url: str, user_agent: str, timeout: float = 3.0):
        url = urlparse(base_url)
        self.client = Nominatim(user_agent=user_agent, domain=url.netloc + url.path.rstrip("/"),
                                scheme=url.scheme or "https", timeout=timeout)

    async def address_at(self, lat: float, lon: float) -> str:
        try:
            found = await asyncio.to_thread(self.client.reverse, (lat, lon), exactly_one=True, language="fr", zoom=18)
        except (GeopyError, OSError, ValueError) as exc:
            log.warning("reverse geocoding failed: %r", exc)
            return ""
        if found is None:
            return ""
        parts = found.raw.get("address", {})
        street = " ".join(x for x in (parts.get("road", ""), parts.get("house_number", "")) if x)
        town = " ".join(x for x in (parts.get("postcode", ""), parts.get("village") or parts.get("town")
                                    or parts.get("city", "")) if x)
        return (", ".join(x for x in (street, town) if x) or found.address or "")[:300]


    async def point_of(self, address: str) -> tuple[float, float] | None:
        """Where an address is (Open311 clients may send an address instead of a point); None if unknown."""
        try:
            found = await asyncio.to_thread(self.client.geocode, address, exactly_one=True, language="fr")
        except (GeopyError, OSError, ValueError) as exc:
            log.warning("geocoding failed: %r", exc)
            return None
        return (found.latitude, found.longitude) if found is not None else None


    async def search(self, text: str, *, area: list[float] | None, limit: int) -> list[dict]:
        """Places matching `text` within `area` ([min_lat, min_lon, max_lat, max_lon]); [] when it fails."""
        box = {"viewbox": [(area[0], area[1]), (area[2], area[3])], "bounded": True} if area else {}
        try:
            found = await asyncio.to_thread(self.client.geocode, text, exactly_one=False, limit=limit,
                                            language="fr", **box)
        except (GeopyError, OSError, ValueError) as exc:
            log.warning("address search failed: %r", exc)
            return []
        return [{"label": (f.address or "")[:300], "lat": f.latitude, "lon": f.longitude, "source": "geocoder"}
                for f in found or []]


def geocoder_for(kind: str, base_url: str, contact: str) -> NoGeocoder | NominatimGeocoder:
    if kind == "nominatim":
        if not base_url:
            raise ValueError("GEOCODER=nominatim needs NOMINATIM_URL")
        return NominatimGeocoder(base_url, user_agent=f"guichet ({contact})")
    if kind != "none":
        raise ValueError(f"GEOCODER must be none or nominatim, got {kind!r}")
    return NoGeocoder()
