"""Issue 19, point 4 (a part): a decider puts a staff access request on hold with the reason (a third decision
besides accept and refuse); the applicant is told and may still withdraw; it stays among those to handle and is
decided later."""
from __future__ import annotations

from backend.accounts.models import AccessRequest, Membership, Role
from backend.audit.models import AuditEntry
from backend.push.models import Message
from tests.factories import csrf, person, sign_in


async def test_a_request_on_hold_is_told_kept_to_handle_and_decided_later(client, new_client, town):
    await csrf(client)
    secretary = await sign_in(new_client(), await person(Role.SECRETARY, town.brenles, name="Jean Secrétaire"))
    applicant_user = await person(name="Léa Attente", email="lea.attente@example.org")
    applicant = await sign_in(new_client(), applicant_user)
    r = await applicant.post("/api/v1/access/requests", json={"kind": "account", "organisation": "brenles",
                                                              "identity": {"surname": "Attente", "first_names": "Léa", "function": "Jardinière"}})
    asked = r.json()["items"][0]["id"]
    path = f"/api/v1/access/requests/{asked}/decision"

    r = await secretary.post(path, json={"accept": False, "hold": True})
    assert r.status_code == 422 and r.json()["error"]["field"] == "reason"  # say what is missing
    assert (await applicant.post(path, json={"accept": False, "hold": True, "reason": "x"})).status_code == 403
    r = await secretary.post(path, json={"accept": False, "hold": True, "reason": "Copie du contrat de travail"})
    assert r.status_code == 200 and r.json()["status"] == "on_hold" and r.json()["reason"] == "Copie du contrat de travail"
    assert not await Membership.filter(user_id=applicant_user.id).exists()
    told = await Message.filter(user_id=applicant_user.id).order_by("-id").first()
    assert told.subject == "Votre demande d'accès est en attente" and "Copie du contrat de travail" in told.body
    assert await AuditEntry.filter(action="access.held", target=f"access:{asked}").exists()

    listed = (await secretary.get("/api/v1/access/requests", params={"box": "identity"})).json()
    box = listed["items"]
    assert [(i["id"], i["status"], i["can_decide"]) for i in box] == [(asked, "on_hold", True)]  # still to handle
    assert listed["total"] == 1
    assert (await secretary.get("/api/v1/access/summary")).status_code == 200
    held = (await secretary.get("/api/v1/access/requests", params={"box": "identity", "status": "on_hold"})).json()["items"]
    assert [i["id"] for i in held] == [asked]

    r = await secretary.post(path, json={"accept": True, "identity_method": "document",
                                         "identity_note": "Contrat reçu"})
    assert r.status_code == 200 and r.json()["status"] == "accepted"
    assert await Membership.filter(user_id=applicant_user.id, organisation_id=town.brenles.id).exists()
    assert (await secretary.post(path, json={"accept": False, "hold": True, "reason": "encore"})).status_code == 409


async def test_the_applicant_withdraws_a_request_on_hold(client, new_client, town):
    await csrf(client)
    secretary = await sign_in(new_client(), await person(Role.SECRETARY, town.brenles))
    applicant = await sign_in(new_client(), await person())
    asked = (await applicant.post("/api/v1/access/requests", json={
        "kind": "account", "organisation": "brenles", "identity": {"surname": "Agent", "first_names": "Max", "function": "Agent"}})).json()["items"][0]["id"]
    await secretary.post(f"/api/v1/access/requests/{asked}/decision",
                         json={"accept": False, "hold": True, "reason": "Numéro d'employé ?"})
    r = await applicant.post(f"/api/v1/access/requests/{asked}/withdraw", json={})
    assert r.status_code == 204
    assert (await AccessRequest.get(id=asked)).status == "withdrawn"


async def test_an_account_is_asked_in_several_municipalities_at_once_all_or_none(client, new_client, town):
    """Issue 19, point 4: several municipalities in one request, with a comment; a wrong one makes none."""
    from tests.api.test_staff_access import NAMES

    applicant_user = await person(email="deux.communes@example.org")
    applicant = await sign_in(new_client(), applicant_user)
    body = {"kind": "account", "organisation": "brenles", "identity": NAMES, "message": "Je travaille pour les deux."}
    r = await applicant.post("/api/v1/access/requests", json=body | {"also": ["chesalles", "atlantide"]})
    assert r.status_code == 422 and r.json()["error"]["code"] == "unknown_organisation"
    assert not await AccessRequest.filter(applicant_id=applicant_user.id).exists()
    r = await applicant.post("/api/v1/access/requests", json=body | {"also": ["broye-jorat"]})
    assert r.status_code == 422 and r.json()["error"]["code"] == "unknown_organisation"  # a district, not a town
    assert not await AccessRequest.filter(applicant_id=applicant_user.id).exists()
    r = await applicant.post("/api/v1/access/requests", json=body | {"kind": "rights", "also": ["chesalles"]})
    assert r.status_code == 422 and r.json()["error"]["field"] == "also"
    r = await applicant.post("/api/v1/access/requests", json=body | {"also": ["chesalles", "brenles"]})
    assert r.status_code == 201, r.text
    made = r.json()["items"]
    assert sorted(i["organisation"]["slug"] for i in made) == ["brenles", "chesalles"]
    assert {i["message"] for i in made} == {"Je travaille pour les deux."}
