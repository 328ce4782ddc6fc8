"""Open311 GeoReport v2, field by field as the specification names them, in JSON and in XML."""
from __future__ import annotations

from xml.etree import ElementTree

from backend.accounts.models import Role
from backend.audit.models import AuditEntry
from backend.ratelimit import service as ratelimit
from backend.ratelimit.models import RateCounter
from backend.requests.models import ServiceRequest
from tests.api.test_lostfound import WALLET_LOST
from tests.factories import IN_BRENLES, person, sign_in

V2 = "/open311/v2"
SERVICE_FIELDS = ["service_code", "service_name", "description", "metadata", "type", "keywords", "group"]
REQUEST_FIELDS = ["service_request_id", "status", "status_notes", "service_name", "service_code", "description",
                  "agency_responsible", "service_notice", "requested_datetime", "updated_datetime", "expected_datetime",
                  "address", "address_id", "zipcode", "lat", "long", "media_url"]


def xml(response) -> ElementTree.Element:
    assert response.headers["content-type"].startswith("text/xml")
    assert response.content.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    return ElementTree.fromstring(response.content)


async def _key(new_client, town) -> tuple[str, int]:
    admin = await sign_in(new_client(), await person(Role.ADMIN, town.brenles))
    r = await admin.post("/api/v1/organisations/brenles/open311-keys", json={"name": "Portail cantonal"})
    assert r.status_code == 201, r.text
    return r.json()["key"], r.json()["id"]


async def test_discovery_services_and_definitions_in_both_formats(client, town):
    d = (await client.get(f"{V2}/discovery.json")).json()
    assert d["endpoints"][0]["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert set(d["endpoints"][0]["formats"]) == {"text/xml", "application/json"}
    assert xml(await client.get(f"{V2}/discovery.xml")).find("endpoints/endpoint/type").text == "production"

    r = await client.get(f"{V2}/services.json")  # two municipalities here: which one?
    assert r.status_code == 400 and r.json()[0]["code"] == 400 and "jurisdiction_id" in r.json()[0]["description"]
    r = await client.get(f"{V2}/services.xml", params={"jurisdiction_id": "atlantis"})
    assert r.status_code == 404 and xml(r).find("error/code").text == "404"

    services = (await client.get(f"{V2}/services.json", params={"jurisdiction_id": "brenles"})).json()
    assert all(list(s) == SERVICE_FIELDS for s in services)
    pothole = next(s for s in services if s["service_code"] == "voirie")
    assert pothole["metadata"] is True and pothole["type"] == "realtime" and pothole["group"] == "Routes et trottoirs"
    assert not any(s["service_code"].startswith("objet-") for s in services)  # lost and found stay out
    root = xml(await client.get(f"{V2}/services.xml", params={"jurisdiction_id": "brenles"}))
    assert root.tag == "services" and len(root.findall("service")) == len(services)
    first = root.find("service")
    assert [c.tag for c in first] == SERVICE_FIELDS and first.find("service_code").text == services[0]["service_code"]

    definition = (await client.get(f"{V2}/services/voirie.json", params={"jurisdiction_id": "brenles"})).json()
    [size] = definition["attributes"]
    assert definition["service_code"] == "voirie"
    assert (size["code"], size["datatype"], size["required"], size["variable"], size["order"]) == (
        "taille", "singlevaluelist", True, True, 1)
    assert [v["key"] for v in size["values"]] == ["small", "medium", "large"] and size["values"][0]["name"]
    root = xml(await client.get(f"{V2}/services/voirie.xml", params={"jurisdiction_id": "brenles"}))
    assert root.tag == "service_definition"
    assert [v.find("key").text for v in root.findall("attributes/attribute/values/value")] == ["small", "medium", "large"]
    r = await client.get(f"{V2}/services/inconnu.json", params={"jurisdiction_id": "brenles"})
    assert r.status_code == 404 and r.json()[0]["code"] == 404


async def test_a_request_posted_with_a_key_is_followed_through_open311_and_handled_in_guichet(client, new_client, town):
    key, key_id = await _key(new_client, town)
    form = {"api_key": key, "jurisdiction_id": "brenles", "service_code": "voirie", "lat": str(IN_BRENLES[0]),
            "long": str(IN_BRENLES[1]), "description": "Nid-de-poule <profond> & dangereux \x01 😀",
            "attribute[taille]": "large", "email": "client@example.org", "first_name": "Ana", "last_name": "Client",
            "phone": "021 555 00 00", "device_id": "tablette-7", "account_id": "A-42",
            "media_url": "https://photos.example/1.jpg"}
    r = await client.post(f"{V2}/requests.json", data=form)
    assert r.status_code == 200, r.text
    [created] = r.json()
    ref, token = created["service_request_id"], created["token"]
    assert created["account_id"] == "A-42" and created["service_notice"] == ""
    req = await ServiceRequest.get(ref=ref)
    assert req.channel.value == "open311" and req.attributes == {"taille": "large"}
    entry = await AuditEntry.get(action="open311.request_created", target=ref)
    assert entry.detail["key"] == key_id and entry.detail["media_url"] == "https://photos.example/1.jpg"
    assert (await client.get(f"{V2}/tokens/{token}.json")).json() == [{"service_request_id": ref, "token": token}]

    params = {"jurisdiction_id": "brenles", "service_request_id": ref}
    [seen] = (await client.get(f"{V2}/requests.json", params=params)).json()
    assert list(seen) == REQUEST_FIELDS
    assert (seen["status"], seen["service_code"], seen["long"]) == ("open", "voirie", IN_BRENLES[1])
    assert seen["requested_datetime"].endswith("Z") and seen["expected_datetime"]
    assert seen["agency_responsible"] == town.brenles.name_fr
    for secret in ("client@example.org", "Ana", "Client", "021 555", "tablette"):
        assert secret not in str(seen)
    # XML: well-formed whatever the citizen typed, and the same data as the JSON.
    root = xml(await client.get(f"{V2}/requests/{ref}.xml", params={"jurisdiction_id": "brenles"}))
    request = root.find("request")
    assert root.tag == "service_requests" and [c.tag for c in request] == REQUEST_FIELDS
    assert request.find("description").text == "Nid-de-poule <profond> & dangereux  😀"
    assert request.find("service_request_id").text == ref and request.find("status").text == "open"

    # The agent sees it in the back office and resolves it; Open311 reads the new status back.
    agent = await sign_in(new_client(), await person(Role.AGENT, town.brenles))
    queue = (await agent.get("/api/v1/staff/requests", params={"channel": "open311"})).json()
    assert ref in [i["ref"] for i in queue["items"]]
    assert (await agent.get(f"/api/v1/requests/{ref}")).json()["contact"]["email"] == "client@example.org"
    await agent.post(f"/api/v1/requests/{ref}/events", json={"status": "resolved", "comment": "Trou rebouché."})
    [after] = (await client.get(f"{V2}/requests/{ref}.json", params={"jurisdiction_id": "brenles"})).json()
    assert after["status"] == "closed" and "Trou rebouché." in after["status_notes"]
    closed = (await client.get(f"{V2}/requests.json", params={"jurisdiction_id": "brenles", "status": "closed"})).json()
    assert ref in [x["service_request_id"] for x in closed]
    assert ref not in [x["service_request_id"] for x in
                       (await client.get(f"{V2}/requests.json", params={"jurisdiction_id": "brenles", "status": "open"})).json()]


async def test_bad_posts_and_queries_get_the_specs_errors_and_change_nothing(client, new_client, town):
    key, key_id = await _key(new_client, town)
    base = {"api_key": key, "jurisdiction_id": "brenles", "service_code": "proprete", "lat": str(IN_BRENLES[0]),
            "long": str(IN_BRENLES[1])}
    before = await ServiceRequest.all().count()
    cases = [({"api_key": ""}, 403), ({"api_key": "o311_faux"}, 403), ({"service_code": "inconnu"}, 400),
             ({"lat": "", "long": ""}, 400), ({"address_string": "Rue du Bourg 1", "lat": "", "long": ""}, 400),
             ({"lat": "95"}, 400), ({"jurisdiction_id": "chesalles"}, 403), ({"service_code": "voirie"}, 400),
             ({"service_code": "voirie", "attribute[taille]": "immense"}, 400), ({"service_code": "objet-perdu"}, 400),
             # Audit point 15: a list of addresses sent the tracking link to each of them.
             ({"email": "a@example.org,b@example.org"}, 400), ({"email": "a@example.org; b@example.org"}, 400),
             ({"email": "Eve <eve@example.org>"}, 400)]
    for change, status in cases:
        for fmt in ("json", "xml"):
            r = await client.post(f"{V2}/requests.{fmt}", data={**base, **change})
            assert r.status_code == status, (change, fmt, r.text)
            if fmt == "json":
                [error] = r.json()
                assert error["code"] == status and error["description"]
            else:
                assert xml(r).find("error/code").text == str(status)
    assert await ServiceRequest.all().count() == before
    # Audit point 23: without a key nothing big is read; a file is not part of an Open311 post.
    r = await client.post(f"{V2}/requests.json", params={"api_key": "o311_faux"}, files={"media": ("x.jpg", b"x" * 2_000_000)})
    assert r.status_code in (403, 413)
    r = await client.post(f"{V2}/requests.json", data=base, files={"media": ("x.jpg", b"x" * 1000, "image/jpeg")})
    assert r.status_code == 400 and r.json()[0]["code"] == 400 and await ServiceRequest.all().count() == before
    r = await client.post(f"{V2}/requests.json", data={**base, "description": "x"}, files={"pad": ("p", b"x" * 2_000_000)})
    assert r.status_code == 413
    r = await client.get(f"{V2}/requests.json", params={"jurisdiction_id": "brenles", "start_date": "2026-01-01T00:00:00Z",
                                                        "end_date": "2026-06-01T00:00:00Z"})
    assert r.status_code == 400 and "90 days" in r.json()[0]["description"]
    r = await client.get(f"{V2}/requests.json", params={"jurisdiction_id": "brenles", "start_date": "hier"})
    assert r.status_code == 400
    assert (await client.get(f"{V2}/requests.yaml", params={"jurisdiction_id": "brenles"})).status_code == 404
    # A key is rate-limited; a revoked key no longer works; only the organisation's administrators manage keys.
    start, _ = ratelimit._window(3600)
    await RateCounter.update_or_create(key=f"open311:{key_id}", window_start=start, defaults={"count": 10_000})
    assert (await client.post(f"{V2}/requests.json", data=base)).status_code == 429
    agent = await sign_in(new_client(), await person(Role.AGENT, town.brenles))
    assert (await agent.post("/api/v1/organisations/brenles/open311-keys", json={"name": "x"})).status_code == 403
    admin = await sign_in(new_client(), await person(Role.ADMIN, town.brenles))
    assert [k["id"] for k in (await admin.get("/api/v1/organisations/brenles/open311-keys")).json()["items"]] == [key_id]
    assert (await admin.delete(f"/api/v1/organisations/brenles/open311-keys/{key_id}")).status_code == 204
    assert (await client.post(f"{V2}/requests.json", data=base)).status_code == 403


async def test_nothing_private_leaves_through_open311(client, new_client, town):
    owner = await sign_in(new_client(), await person())
    lost_ref = (await owner.post("/api/v1/lostfound/lost", json=WALLET_LOST)).json()["ref"]
    listed = (await client.get(f"{V2}/requests.json", params={"jurisdiction_id": "brenles"})).json()
    assert lost_ref not in [x["service_request_id"] for x in listed]
    r = await client.get(f"{V2}/requests/{lost_ref}.json", params={"jurisdiction_id": "brenles"})
    assert r.status_code == 404
    r = await client.get(f"{V2}/requests.json", params={"jurisdiction_id": "brenles", "service_request_id": lost_ref})
    assert r.json() == []
