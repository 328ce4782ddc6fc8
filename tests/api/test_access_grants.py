"""Issue 19, point 4 (a part): a service's manager gives an attached account holder a right directly, without
waiting for a request, and moves a right's end date; both audited, the person told."""
from __future__ import annotations

from datetime import timedelta

from backend.accounts.models import Role, ServiceGrant
from backend.audit.models import AuditEntry
from backend.push.models import Message
from backend.requests.service import utcnow
from tests.api.test_staff_access import manager_of
from tests.factories import person, sign_in


async def test_a_manager_gives_a_right_on_their_service_and_moves_its_end(new_client, town):
    lighting = await sign_in(new_client(), await manager_of(town, "eclairage"))
    holder = await person(Role.MEMBER, town.brenles, name="Hugo Électricien")
    path = f"/api/v1/access/organisations/brenles/people/{holder.id}/grants"
    until = (utcnow() + timedelta(days=90)).isoformat()
    r = await lighting.post(path, json={"service": "eclairage", "role": "agent", "valid_until": until})
    assert r.status_code == 201, r.text
    grant = await ServiceGrant.get(id=r.json()["id"]).prefetch_related("service", "membership")
    assert (grant.service.code, grant.role, grant.membership.user_id) == ("eclairage", Role.AGENT, holder.id)
    told = await Message.filter(user_id=holder.id).order_by("-id").first()
    assert told.subject == "Un droit vous est donné" and "Éclairage public en panne" in told.body
    assert await AuditEntry.filter(action="access.granted", target=f"user:{holder.email}").exists()

    later = (utcnow() + timedelta(days=200)).isoformat()
    r = await lighting.patch(f"/api/v1/access/grants/{grant.id}", json={"valid_until": later})
    assert r.status_code == 200 and r.json()["valid_until"][:10] == later[:10]
    r = await lighting.patch(f"/api/v1/access/grants/{grant.id}", json={"valid_until": None})
    assert r.status_code == 200 and r.json()["valid_until"] is None  # for good
    changes = await AuditEntry.filter(action="access.right_end_changed").order_by("id")
    assert [c.detail["to"] is None for c in changes] == [False, True]


async def test_rights_are_given_only_on_ones_services_to_attached_people_and_never_to_oneself(new_client, town):
    manager_user = await manager_of(town, "eclairage")
    lighting = await sign_in(new_client(), manager_user)
    holder = await person(Role.MEMBER, town.brenles)
    stranger = await person()
    base = "/api/v1/access/organisations/brenles/people"
    for user_id, body, status, code in (
            (holder.id, {"service": "voirie", "role": "agent"}, 403, "not_yours"),
            (stranger.id, {"service": "eclairage", "role": "agent"}, 422, "not_attached"),
            (manager_user.id, {"service": "eclairage", "role": "agent"}, 403, "own_request"),
            (holder.id, {"service": "eclairage", "role": "admin"}, 422, "invalid_choice"),
            (holder.id, {"service": "eclairage", "role": "agent",
                         "valid_until": (utcnow() - timedelta(days=1)).isoformat()}, 422, "in_the_past")):
        r = await lighting.post(f"{base}/{user_id}/grants", json=body)
        assert (r.status_code, r.json()["error"]["code"]) == (status, code), body
    assert not await ServiceGrant.filter(membership__user_id=holder.id).exists()
    r = await lighting.post(f"{base}/{holder.id}/grants", json={"service": "eclairage", "role": "field_agent"})
    other = await sign_in(new_client(), await person(Role.SECRETARY, town.chesalles))
    r = await other.patch(f"/api/v1/access/grants/{r.json()['id']}", json={"valid_until": None})
    assert r.status_code == 403
