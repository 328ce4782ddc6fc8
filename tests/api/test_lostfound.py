"""Lost and found through the API: declare, match, tell, claim, decide, hand over; and every leak tried."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from backend.accounts.models import Role
from backend.audit.models import AuditEntry
from backend.lostfound import claims
from backend.lostfound.models import Item
from backend.push.models import Message
from tests.factories import IN_BRENLES, csrf, person, sign_in

NOW = datetime.now(timezone.utc)


def when(hours_ago_from: float, hours_ago_to: float) -> dict:
    return {"when_from": (NOW - timedelta(hours=hours_ago_from)).isoformat(),
            "when_to": (NOW - timedelta(hours=hours_ago_to)).isoformat()}


WALLET_LOST = {"category": "wallet", "description": "Portefeuille en cuir brun avec abonnement de bus",
               "colour": "brown", "brand": "Fossil", "marks": "Initiales L.C. gravées à l'intérieur",
               "lat": IN_BRENLES[0], "lon": IN_BRENLES[1], "radius_m": 300, **when(30, 26)}
WALLET_FOUND = {"category": "wallet", "description": "Portefeuille cuir brun, abonnement bus dedans",
                "colour": "brown", "brand": "Fossil", "marks": "L.C. gravé", "storage_place": "Armoire B, casier 4",
                "channel": "counter", "lat": IN_BRENLES[0] + 0.001, "lon": IN_BRENLES[1], **when(20, 19)}


async def _office(new_client, town):
    return await sign_in(new_client(), await person(Role.AGENT, town.brenles, email=f"bureau{id(town)}@brenles.example"))


async def test_a_lost_wallet_is_matched_claimed_accepted_and_handed_back(client, new_client, town):
    owner_user = await person(email="lea@example.org", name="Léa Citoyenne")
    owner = await sign_in(new_client(), owner_user)
    r = await owner.post("/api/v1/lostfound/lost", json=WALLET_LOST)
    assert r.status_code == 201, r.text
    lost_ref = r.json()["ref"]
    office = await _office(new_client, town)
    r = await office.post("/api/v1/lostfound/found", json=WALLET_FOUND)
    assert r.status_code == 201, r.text
    found_ref = r.json()["ref"]
    assert r.json()["item"]["holding_until"]  # kept a year by the office

    # The owner is told, without the finder and without the found object's private marks.
    told = await Message.filter(user=owner_user).order_by("-id").first()
    assert "pourrait être le vôtre" in told.subject and "L.C." not in told.body
    mine = (await owner.get(f"/api/v1/lostfound/{lost_ref}")).json()
    assert [c["ref"] for c in mine["candidates"]] == [found_ref]
    candidate = mine["candidates"][0]
    assert "marks" not in candidate and "reasons" not in candidate and "description" not in candidate
    assert mine["item"]["marks"] == WALLET_LOST["marks"]  # the owner sees their own

    # Staff see the pair ranked, with the reasons of its score.
    pairs = (await office.get("/api/v1/lostfound/candidates", params={"organisation": "brenles"})).json()["items"]
    pair = next(p for p in pairs if p["lost"] == lost_ref)
    assert pair["found"] == found_ref and pair["score"] >= 0.8
    assert {r["code"] for r in pair["reasons"]} >= {"category", "description", "colour", "brand", "place", "time"}

    r = await owner.post(f"/api/v1/lostfound/{lost_ref}/claims", json={"found": found_ref, "answer": "Mes initiales L.C. gravées"})
    assert r.status_code == 201, r.text
    claim_id = r.json()["id"]
    assert (await owner.post(f"/api/v1/lostfound/{lost_ref}/claims", json={"found": found_ref, "answer": "encore"})).status_code == 409
    pending = (await office.get("/api/v1/lostfound/claims", params={"organisation": "brenles"})).json()["items"]
    assert pending[0]["answer"] == "Mes initiales L.C. gravées" and pending[0]["found_marks"] == "L.C. gravé"
    assert await AuditEntry.filter(action="lostfound.claim_viewed", target=found_ref).count() == 1

    r = await office.post(f"/api/v1/lostfound/claims/{claim_id}/handover", json={"identity": "Carte d'identité"})
    assert r.status_code == 409  # not accepted yet
    r = await office.post(f"/api/v1/lostfound/claims/{claim_id}/decision", json={"accept": True})
    assert r.status_code == 200 and r.json()["state"] == "accepted"
    told = await Message.filter(user=owner_user).order_by("-id").first()
    assert "Armoire B, casier 4" in told.body and "pièce d'identité" in told.body
    r = await office.post(f"/api/v1/lostfound/claims/{claim_id}/handover", json={"identity": "Carte d'identité C1234"})
    assert r.status_code == 200 and r.json()["state"] == "handed_over"
    for ref in (lost_ref, found_ref):
        item = await Item.get(request__ref=ref)
        assert item.is_open is False and item.outcome.value == "returned"
    assert (await owner.get(f"/api/v1/lostfound/{lost_ref}")).json()["status"] == "resolved"
    assert await AuditEntry.filter(action="lostfound.handed_over", target=found_ref).count() == 1
    # Gone from the public list.
    public = (await client.get("/api/v1/lostfound/found", params={"organisation": "brenles"})).json()["items"]
    assert found_ref not in [i["ref"] for i in public]


async def test_nothing_private_leaks_to_the_public_or_to_the_other_party(client, new_client, town):
    owner = await sign_in(new_client(), await person())
    lost_ref = (await owner.post("/api/v1/lostfound/lost", json=WALLET_LOST)).json()["ref"]
    finder_user = await person(email="trouveur@example.org", name="Tom Trouveur")
    finder = await sign_in(new_client(), finder_user)
    found = {k: v for k, v in WALLET_FOUND.items() if k not in ("storage_place", "channel")}
    r = await finder.post("/api/v1/lostfound/found", json={**found, "finder_keeps": True})
    assert r.status_code == 201, r.text
    found_ref = r.json()["ref"]
    # A citizen cannot pretend to be the office.
    assert (await finder.post("/api/v1/lostfound/found", json=WALLET_FOUND)).status_code == 403

    public = (await client.get("/api/v1/lostfound/found", params={"organisation": "brenles"})).json()["items"]
    shown = next(i for i in public if i["ref"] == found_ref)
    text = str(shown)
    for secret in ("L.C.", "Tom", "trouveur@example.org", "Fossil", "abonnement"):
        assert secret not in text
    assert shown["at_office"] is False and shown["category"] == "wallet"
    assert abs(shown["area"]["lat"] - WALLET_FOUND["lat"]) < 0.01  # an area, not the doorstep
    # Declarations are private: not in the public requests, not to strangers, not to the other party.
    stranger = await sign_in(new_client(), await person())
    for who in (client, stranger, finder):
        assert (await who.get(f"/api/v1/lostfound/{lost_ref}")).status_code == 404
        assert (await who.get(f"/api/v1/requests/{lost_ref}")).status_code == 404
    assert (await stranger.get(f"/api/v1/lostfound/{found_ref}")).status_code == 404
    listed = (await client.get("/api/v1/requests", params={"limit": 500})).json()["items"]
    assert not {lost_ref, found_ref} & {i["ref"] for i in listed}
    # The owner's candidate view names no finder; the finder's view of their own object names no owner.
    mine = (await owner.get(f"/api/v1/lostfound/{lost_ref}")).json()
    assert "Tom" not in str(mine) and "trouveur" not in str(mine)
    r = await stranger.post(f"/api/v1/lostfound/{lost_ref}/claims", json={"found": found_ref, "answer": "à moi"})
    assert r.status_code == 404
    await owner.post(f"/api/v1/lostfound/{lost_ref}/claims", json={"found": found_ref, "answer": "Initiales L.C."})
    theirs = (await finder.get(f"/api/v1/lostfound/{found_ref}")).json()
    assert "Initiales" not in str(theirs) and "claims" in theirs and theirs["claims"] == []
    # Staff of another municipality see no claim of Brenles.
    other_office = await sign_in(new_client(), await person(Role.AGENT, town.chesalles))
    assert (await other_office.get("/api/v1/lostfound/claims", params={"organisation": "brenles"})).status_code == 403


async def test_claims_per_day_are_limited(client, new_client, town, settings):
    owner = await sign_in(new_client(), await person())
    lost_ref = (await owner.post("/api/v1/lostfound/lost", json=WALLET_LOST)).json()["ref"]
    office = await _office(new_client, town)
    founds = [(await office.post("/api/v1/lostfound/found", json={**WALLET_FOUND, "description": f"Portefeuille brun {i}"})).json()["ref"]
              for i in range(settings.lost_claims_per_day + 1)]
    codes = [(await owner.post(f"/api/v1/lostfound/{lost_ref}/claims", json={"found": ref, "answer": "Initiales L.C."})).status_code
             for ref in founds]
    assert codes == [201] * settings.lost_claims_per_day + [429]


async def test_bad_declarations_are_explained_and_change_nothing(client, new_client, town):
    owner = await sign_in(new_client(), await person())
    before = await Item.all().count()
    cases = [({"category": "spaceship"}, "category"), ({"colour": "turquoise-fluo"}, "colour"),
             ({**when(1, 5)}, "when_to"), ({**when(-48, -50)}, "when_from"), ({"when_from": "hier"}, "when_from"),
             ({**when(24 * 90, 1)}, "when_from"), ({"lat": None, "lon": None}, "lat")]
    for change, field in cases:
        r = await owner.post("/api/v1/lostfound/lost", json={**WALLET_LOST, **change})
        assert r.status_code == 422 and r.json()["error"]["field"] == field, (change, r.text)
    await csrf(client)
    r = await client.post("/api/v1/lostfound/lost", json=WALLET_LOST)  # anonymous without e-mail
    assert r.status_code == 422 and r.json()["error"]["field"] == "contact_email"
    assert await Item.all().count() == before
    # "I don't know where": the whole municipality.
    unknown = {k: v for k, v in WALLET_LOST.items() if k not in ("lat", "lon", "radius_m")}
    r = await owner.post("/api/v1/lostfound/lost", json={**unknown, "organisation": "brenles"})
    assert r.status_code == 201 and r.json()["item"]["lat"] is None


async def test_holding_periods_end_and_the_office_decides(client, new_client, town):
    office = await _office(new_client, town)
    finder_user = await person()
    finder = await sign_in(new_client(), finder_user)
    found = {k: v for k, v in WALLET_FOUND.items() if k not in ("storage_place", "channel")}
    ref = (await finder.post("/api/v1/lostfound/found", json=found)).json()["ref"]
    item = await Item.get(request__ref=ref)
    item.holding_until = NOW + timedelta(days=3)
    await item.save()
    due = (await office.get("/api/v1/lostfound/register", params={"organisation": "brenles", "due": "week"})).json()
    assert ref in [i["ref"] for i in due["items"]]
    assert await claims.expire_holdings(NOW + timedelta(days=4)) == 1
    assert await claims.expire_holdings(NOW + timedelta(days=5)) == 0  # once
    r = await office.post(f"/api/v1/lostfound/{ref}/outcome", json={"outcome": "to_finder"})
    assert r.status_code == 200 and r.json()["outcome"] == "to_finder" and r.json()["open"] is False
    told = await Message.filter(user=finder_user).order_by("-id").first()
    assert "Personne n'a réclamé" in told.body
    assert (await finder.post(f"/api/v1/lostfound/{ref}/outcome", json={"outcome": "donated"})).status_code == 403


async def test_the_apps_report_flow_declares_objects_with_their_questions_and_matches_them(client, new_client, town):
    owner_user = await person()
    owner = await sign_in(new_client(), owner_user)
    lost = {"categorie": "keys", "couleur": "silver", "marque": "Kaba", "signes": "Porte-clés en forme de chat",
            "quand": (NOW - timedelta(hours=5)).isoformat(), "rayon": "500"}
    r = await owner.post("/api/v1/requests", json={"service": "objet-perdu", "lat": IN_BRENLES[0], "lon": IN_BRENLES[1],
                                                   "description": "Trousseau de trois clés", "attributes": lost})
    assert r.status_code == 201, r.text
    lost_ref = r.json()["ref"]
    finder = await sign_in(new_client(), await person())
    found = {"categorie": "keys", "couleur": "grey", "quand": (NOW - timedelta(hours=2)).isoformat(), "garde": "remis"}
    r = await finder.post("/api/v1/requests", json={"service": "objet-trouve", "lat": IN_BRENLES[0] + 0.002,
                                                    "lon": IN_BRENLES[1], "description": "trois clés sur un anneau",
                                                    "attributes": found})
    assert r.status_code == 201, r.text
    found_ref = r.json()["ref"]
    item = await Item.get(request__ref=lost_ref)
    assert (item.category, item.colour, item.brand, item.radius_m) == ("keys", "silver", "Kaba", 500)
    assert item.marks == "Porte-clés en forme de chat"
    mine = (await owner.get(f"/api/v1/lostfound/{lost_ref}")).json()
    assert [c["ref"] for c in mine["candidates"]] == [found_ref]
    assert (await client.get(f"/api/v1/requests/{lost_ref}")).status_code == 404  # private, like any declaration
    r = await owner.post("/api/v1/requests", json={"service": "objet-perdu", "lat": IN_BRENLES[0], "lon": IN_BRENLES[1],
                                                   "attributes": {**lost, "categorie": "spaceship"}})
    assert r.status_code == 422 and await Item.filter(side="lost").count() == 1


async def test_an_anonymous_owner_follows_a_private_declaration_by_its_tracking_link_only(client, new_client, town):
    await csrf(client)
    r = await client.post("/api/v1/lostfound/lost", json={**WALLET_LOST, "contact_email": "anonyme@example.org"})
    assert r.status_code == 201, r.text
    ref, token = r.json()["ref"], r.json()["tracking_token"]
    stranger = new_client()
    for path in (f"/api/v1/lostfound/{ref}", f"/api/v1/requests/{ref}"):
        assert (await stranger.get(path, headers={"X-Tracking-Token": token})).status_code == 200
        assert (await stranger.get(path, headers={"X-Tracking-Token": token[:-2] + "xx"})).status_code == 404
        assert (await stranger.get(path)).status_code == 404


async def test_a_claim_may_carry_a_private_proof_photo_and_the_office_moves_objects(client, new_client, town):
    from tests import photos

    owner = await sign_in(new_client(), await person())
    lost_ref = (await owner.post("/api/v1/lostfound/lost", json=WALLET_LOST)).json()["ref"]
    office = await _office(new_client, town)
    found_ref = (await office.post("/api/v1/lostfound/found", json=WALLET_FOUND)).json()["ref"]
    r = await owner.post(f"/api/v1/lostfound/{lost_ref}/claims", data={"found": found_ref, "answer": "Initiales L.C."},
                         files=[("photo", ("ticket.jpg", photos.jpeg(800, 600), "image/jpeg"))])
    assert r.status_code == 201, r.text
    [claim] = (await office.get("/api/v1/lostfound/claims", params={"organisation": "brenles"})).json()["items"]
    [proof] = claim["proofs"]
    assert (await office.get(proof["url"])).status_code == 200
    assert (await owner.get(proof["url"])).status_code == 200
    for stranger in (client, await sign_in(new_client(), await person())):
        assert (await stranger.get(proof["url"])).status_code == 404
    r = await owner.post(f"/api/v1/lostfound/{lost_ref}/claims", data={"found": found_ref, "answer": "x"},
                         files=[("photo", ("a.jpg", photos.jpeg(80, 60), "image/jpeg")),
                                ("photo", ("b.jpg", photos.jpeg(80, 60), "image/jpeg"))])
    assert r.status_code == 422 and r.json()["error"]["field"] == "photo"

    r = await office.patch(f"/api/v1/lostfound/{found_ref}", json={"storage_place": "Coffre, étagère 2"})
    assert r.status_code == 200 and r.json()["storage_place"] == "Coffre, étagère 2"
    assert await AuditEntry.filter(action="lostfound.moved", target=found_ref).count() == 1
    assert (await owner.patch(f"/api/v1/lostfound/{found_ref}", json={"storage_place": "chez moi"})).status_code == 403
