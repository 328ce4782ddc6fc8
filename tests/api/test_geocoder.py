"""Reverse geocoding through geopy against a fake Nominatim: a real HTTP server on loopback."""
from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import pytest

from backend.geo.geocoder import NoGeocoder, geocoder_for
from tests.factories import IN_BRENLES, csrf


class FakeNominatim(BaseHTTPRequestHandler):
    asked: list[dict] = []

    def do_GET(self):
        url = urlparse(self.path)
        FakeNominatim.asked.append({"path": url.path, **{k: v[0] for k, v in parse_qs(url.query).items()}})
        body = json.dumps({"display_name": "Rue du Four 3, 1683 Brenles, Suisse",
                           "lat": "46.67", "lon": "6.85",
                           "address": {"road": "Rue du Four", "house_number": "3", "postcode": "1683",
                                       "village": "Brenles", "country": "Suisse"}}).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def nominatim():
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeNominatim)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


async def test_the_address_is_filled_by_nominatim_when_configured(app, client, town, settings, nominatim):
    app.state.geocoder = geocoder_for("nominatim", nominatim, settings.vapid_contact)
    await csrf(client)
    r = await client.post("/api/v1/requests", json={"service": "proprete", "lat": IN_BRENLES[0], "lon": IN_BRENLES[1],
                                                    "contact_email": "x@example.org"})
    assert r.status_code == 201 and r.json()["address"] == "Rue du Four 3, 1683 Brenles"
    assert FakeNominatim.asked[-1]["path"] == "/reverse" and float(FakeNominatim.asked[-1]["lat"]) == IN_BRENLES[0]
    typed = await client.post("/api/v1/requests", json={"service": "proprete", "lat": IN_BRENLES[0], "lon": IN_BRENLES[1],
                                                        "contact_email": "x@example.org", "address": "Devant l'école"})
    assert typed.json()["address"] == "Devant l'école"


async def test_by_default_no_geocoder_is_asked_and_a_dead_one_never_fails_a_report(app, client, town, settings):
    assert isinstance(app.state.geocoder, NoGeocoder)
    app.state.geocoder = geocoder_for("nominatim", "http://127.0.0.1:9", settings.vapid_contact)
    await csrf(client)
    r = await client.post("/api/v1/requests", json={"service": "proprete", "lat": IN_BRENLES[0], "lon": IN_BRENLES[1],
                                                    "contact_email": "x@example.org"})
    assert r.status_code == 201 and r.json()["address"] == ""
    with pytest.raises(ValueError):
        geocoder_for("google", "", "")
