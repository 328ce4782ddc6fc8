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
        place = {"display_name": "Rue du Four 3, 1683 Brenles, Suisse", "lat": "46.67", "lon": "6.85",
                 "address": {"road": "Rue du Four", "house_number": "3", "postcode": "1683",
                             "village": "Brenles", "country": "Suisse"}}
        body = json.dumps([place] if url.path == "/search" else place).encode()  # a search answers a list
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


async def test_an_address_search_asks_the_geocoder_within_the_area_served_then_the_known_addresses(
        app, client, town, settings, nominatim):
    from backend.requests.models import ServiceRequest
    await csrf(client)
    for address, public in (("Rue du Four 12, 1683 Brenles", True), ("Rue du Fourneau 1, secret", False)):
        r = await client.post("/api/v1/requests", json={"service": "proprete", "lat": IN_BRENLES[0], "lon": IN_BRENLES[1],
                                                        "contact_email": "x@example.org", "address": address})
        await ServiceRequest.filter(ref=r.json()["ref"]).update(public=public)
    # Without a geocoder, the addresses of public reports answer (any case), never a private one.
    found = (await client.get("/api/v1/places", params={"q": "rue du four"})).json()["items"]
    assert [(p["label"], p["source"]) for p in found] == [("Rue du Four 12, 1683 Brenles", "reports")]
    assert abs(found[0]["lat"] - IN_BRENLES[0]) < 1e-6 and abs(found[0]["lon"] - IN_BRENLES[1]) < 1e-6
    # With one, its places come first, asked within the box of the towns served.
    app.state.geocoder = geocoder_for("nominatim", nominatim, settings.vapid_contact)
    found = (await client.get("/api/v1/places", params={"q": "Rue du Four"})).json()["items"]
    assert [p["source"] for p in found] == ["geocoder", "reports"]
    assert found[0] == {"label": "Rue du Four 3, 1683 Brenles, Suisse", "lat": 46.67, "lon": 6.85, "source": "geocoder"}
    asked = FakeNominatim.asked[-1]
    assert asked["path"] == "/search" and asked["q"] == "Rue du Four" and asked["bounded"] == "1"
    box = [float(n) for n in asked["viewbox"].split(",")]
    assert min(box[0], box[2]) < IN_BRENLES[1] < max(box[0], box[2])
    assert min(box[1], box[3]) < IN_BRENLES[0] < max(box[1], box[3])


async def test_an_address_search_too_short_or_too_long_is_refused_with_its_field(client, town):
    for text, code in (("ab", "too_short"), ("x" * 201, "too_long")):
        r = await client.get("/api/v1/places", params={"q": text})
        assert r.status_code == 422 and r.json()["error"]["code"] == code and r.json()["error"]["field"] == "q"
    assert (await client.get("/api/v1/places")).json()["error"]["code"] == "too_short"
