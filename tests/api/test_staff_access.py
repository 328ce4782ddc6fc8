"""Staff identity and access: account requests validated by the secretary, secretaries by the prefect, rights on
services by their manager, the second factor before any staff right, and each rule tried from the wrong side."""
from __future__ import annotations

import io

from openpyxl import load_workbook

from backend.accounts.models import (
    AccessRequest, Membership, MembershipStatus, OrganisationKind, Role, ServiceGrant, User,
)
from backend.accounts import sealing, service as accounts
from backend.audit.models import AuditEntry
from backend.push.models import Message
from tests.api.test_reports_lifecycle import report
from tests.factories import PASSWORD, csrf, person, sign_in, totp_code

LIGHT = {"etat": "off"}
NAMES = {"surname": "Dupont", "first_names": "Anne Marie", "function": "Jardinière"}


async def manager_of(town, *codes: str, email: str | None = None) -> User:
    """An account holder of Brenles named manager of these services only."""
    user = await person(Role.MEMBER, town.brenles, email=email)
    member = await Membership.get(user=user, organisation=town.brenles, role=Role.MEMBER)
    for code in codes:
        await ServiceGrant.create(membership=member, service=town.services[code], role=Role.SERVICE_MANAGER)
    return user


async def enrol(client) -> list[str]:
    """Sets up the authenticator as the PWA does: the secret, then a code of it."""
    start = (await client.post("/api/v1/me/second-factor/enrolment", json={})).json()
    assert start["otpauth_uri"].startswith("otpauth://totp/Guichet:") and start["qr"].startswith("data:image/svg+xml")
    wrong = await client.post("/api/v1/me/second-factor", json={"secret": start["secret"], "code": "000000",
                                                                 "enrolment": start["enrolment"]})
    assert wrong.status_code == 422 and wrong.json()["error"]["code"] == "invalid_totp"
    email = (await client.get("/api/v1/session")).json()["user"]["email"]
    r = await client.post("/api/v1/me/second-factor", json={"secret": start["secret"], "enrolment": start["enrolment"],
                                                             "code": totp_code(start["secret"], email)})
    assert r.status_code == 201, r.text
    return r.json()["recovery_codes"]


async def test_a_new_staff_member_is_validated_granted_lighting_and_handles_a_lighting_report(client, new_client, town):
    await csrf(client)
    light = (await report(client, service="eclairage", attributes=LIGHT, contact_email="a@example.org"))["ref"]
    road = (await report(client, contact_email="a@example.org"))["ref"]
    secretary = await sign_in(new_client(), await person(Role.SECRETARY, town.brenles, name="Jean Secrétaire"))
    other_secretary = await sign_in(new_client(), await person(Role.SECRETARY, town.chesalles))
    lighting = await sign_in(new_client(), await manager_of(town, "eclairage"))
    roads = await sign_in(new_client(), await manager_of(town, "voirie"))
    newcomer_user = await person(name="Léo Nouveau", email="leo@example.org")
    newcomer = await sign_in(new_client(), newcomer_user)

    r = await newcomer.post("/api/v1/access/requests", json={
        "kind": "account", "organisation": "brenles", "identity": {"civility": "monsieur", "surname": "Nouveau", "first_names": "Léo",
                                                                      "function": "Électricien", "phone": "021 555 01 20"},
        "message": "Engagé au 1er décembre"})
    assert r.status_code == 201, r.text
    asked = r.json()["items"][0]
    assert asked["status"] == "pending" and asked["deciders"] == ["Jean Secrétaire"]
    steps = {s["step"]: s["done"] for s in (await newcomer.get("/api/v1/access/summary")).json()["steps"]}
    assert steps["submitted"] and not steps["validated"]
    assert (await newcomer.post(f"/api/v1/access/requests/{asked['id']}/decision", json={"accept": True, "identity_method": "in_person"})).json()["error"]["code"] == "own_request"
    assert (await other_secretary.get("/api/v1/access/requests", params={"box": "identity"})).json()["items"] == []
    wrong = await other_secretary.post(f"/api/v1/access/requests/{asked['id']}/decision", json={"accept": True, "identity_method": "in_person"})
    assert wrong.status_code == 403 and wrong.json()["error"]["code"] == "not_yours"
    box = (await secretary.get("/api/v1/access/requests", params={"box": "identity"})).json()["items"]
    assert [i["id"] for i in box] == [asked["id"]] and box[0]["can_decide"] and box[0]["identity"]["function"] == "Électricien"
    no_method = await secretary.post(f"/api/v1/access/requests/{asked['id']}/decision", json={"accept": True})
    assert no_method.status_code == 422 and no_method.json()["error"]["field"] == "identity_method"
    r = await secretary.post(f"/api/v1/access/requests/{asked['id']}/decision",
                             json={"accept": True, "identity_method": "in_person", "identity_note": "Vu au guichet, carte d'identité"})
    assert r.status_code == 200 and r.json()["status"] == "accepted"
    again = await secretary.post(f"/api/v1/access/requests/{asked['id']}/decision", json={"accept": False, "reason": "x"})
    assert again.status_code == 409
    assert await Membership.exists(user=newcomer_user, organisation=town.brenles, role=Role.MEMBER, status=MembershipStatus.ACTIVE)
    assert (await User.get(id=newcomer_user.id)).identity_verified_at is not None
    assert await Message.filter(user=newcomer_user, subject="Votre demande d'accès est acceptée").exists()

    r = await newcomer.post("/api/v1/access/requests", json={"kind": "rights", "organisation": "brenles", "role": "agent",
                                                            "services": ["eclairage"]})
    assert r.status_code == 201, r.text
    rights = r.json()["items"][0]
    assert (await roads.post(f"/api/v1/access/requests/{rights['id']}/decision", json={"accept": True})).status_code == 403
    assert (await roads.get("/api/v1/access/requests", params={"box": "rights"})).json()["items"] == []
    assert (await lighting.post(f"/api/v1/access/requests/{rights['id']}/decision", json={"accept": True})).status_code == 200

    # The right waits for the second factor: until then the queue and the lighting report stay closed.
    held = (await newcomer.get("/api/v1/session")).json()["user"]
    assert held["second_factor_missing"] is True and held["roles"] == []
    assert (await newcomer.get("/api/v1/staff/requests")).status_code == 403
    await enrol(newcomer)
    queue = (await newcomer.get("/api/v1/staff/requests")).json()["items"]
    assert [i["ref"] for i in queue] == [light]  # the road report is not theirs
    r = await newcomer.post(f"/api/v1/requests/{light}/events", json={"status": "in_progress", "comment": "Je passe ce soir"})
    assert r.status_code == 201, r.text
    assert (await newcomer.post(f"/api/v1/requests/{road}/events", json={"status": "in_progress"})).status_code == 403
    actions = set(await AuditEntry.filter(organisation_id=town.brenles.id).values_list("action", flat=True))
    assert {"access.requested", "access.accepted"} <= actions


async def test_a_secretary_is_validated_by_the_prefect_of_the_district_only(client, new_client, town):
    other_district = await accounts.create_organisation(slug="gros-de-vaud", kind=OrganisationKind.DISTRICT,
                                                        parent=town.canton, name_fr="Gros-de-Vaud", name_en="Gros-de-Vaud")
    prefect = await sign_in(new_client(), await person(Role.PREFECT, town.district, name="Anne Préfète"))
    stranger = await sign_in(new_client(), await person(Role.PREFECT, other_district))
    secretary_of_brenles = await sign_in(new_client(), await person(Role.SECRETARY, town.brenles))
    applicant_user = await person(name="Claire Greffe")
    applicant = await sign_in(new_client(), applicant_user)
    r = await applicant.post("/api/v1/access/requests", json={"kind": "secretary", "organisation": "chesalles",
                                                             "identity": {"surname": "Greffe", "first_names": "Claire", "function": "Secrétaire municipale"}})
    assert r.status_code == 201 and r.json()["items"][0]["deciders"] == ["Anne Préfète"]
    ref = r.json()["items"][0]["id"]
    for wrong in (stranger, secretary_of_brenles):
        assert (await wrong.post(f"/api/v1/access/requests/{ref}/decision", json={"accept": True, "identity_method": "phone"})).status_code == 403
    assert (await stranger.get("/api/v1/access/requests", params={"box": "identity"})).json()["items"] == []
    refused = await prefect.post(f"/api/v1/access/requests/{ref}/decision", json={"accept": False})
    assert refused.status_code == 422 and refused.json()["error"]["field"] == "reason"
    r = await prefect.post(f"/api/v1/access/requests/{ref}/decision", json={"accept": True, "identity_method": "known_email"})
    assert r.status_code == 200
    assert await Membership.exists(user=applicant_user, organisation=town.chesalles, role=Role.SECRETARY, status=MembershipStatus.ACTIVE)


async def test_the_second_factor_is_asked_once_enrolled_codes_are_good_once_and_recovery_codes_stand_in(client, new_client, town,
                                                                                                      settings):
    user = await person(Role.MEMBER, town.brenles, email="membre@example.org")
    user.totp_secret = None
    await user.save()
    first = new_client()
    await sign_in(first, user)
    codes = await enrol(first)
    assert len(codes) == 10 and len(set(codes)) == 10
    user = await User.get(id=user.id)
    later = new_client()
    await csrf(later)
    assert (await later.post("/api/v1/auth/login", json={"email": user.email, "password": PASSWORD})).json()["error"]["code"] == "second_factor_required"
    code = totp_code(sealing.unseal(user.totp_secret, secret_key=settings.secret_key), user.email)
    assert (await later.post("/api/v1/auth/login", json={"email": user.email, "password": PASSWORD, "totp": code})).status_code == 200
    replay = new_client()
    await csrf(replay)
    r = await replay.post("/api/v1/auth/login", json={"email": user.email, "password": PASSWORD, "totp": code})
    assert r.status_code == 401 and r.json()["error"]["code"] == "invalid_totp"
    r = await replay.post("/api/v1/auth/login", json={"email": user.email, "password": PASSWORD, "totp": codes[0]})
    assert r.status_code == 200
    replay.headers["X-CSRF-Token"] = r.json()["csrf_token"]
    again = new_client()
    await csrf(again)
    assert (await again.post("/api/v1/auth/login", json={"email": user.email, "password": PASSWORD, "totp": codes[0]})).status_code == 401
    state = (await replay.get("/api/v1/me/second-factor")).json()
    assert state == {"enrolled": True, "recovery_codes_left": 9}
    assert (await replay.post("/api/v1/me/second-factor/enrolment", json={})).status_code == 409


async def test_a_new_device_is_told_and_the_previous_sign_in_is_shown(client, new_client, town):
    user = await person(email="voyage@example.org")
    await sign_in(new_client(), user)
    assert not await Message.filter(user=user).exists()  # the first device of an account
    second = await sign_in(new_client(), user)
    assert await Message.filter(user=user, subject="Nouvelle connexion à votre compte").count() == 1
    me = (await second.get("/api/v1/session")).json()["user"]
    assert me["previous_login_at"] is not None and me["previous_login_at"] < me["last_login_at"]


async def test_ending_a_membership_removes_its_rights_at_once_and_only_the_secretary_may(client, new_client, town):
    await csrf(client)
    light = (await report(client, service="eclairage", attributes=LIGHT, contact_email="a@example.org"))["ref"]
    secretary = await sign_in(new_client(), await person(Role.SECRETARY, town.brenles))
    chesalles = await sign_in(new_client(), await person(Role.SECRETARY, town.chesalles))
    agent_user = await manager_of(town)
    member = await Membership.get(user=agent_user, role=Role.MEMBER)
    await ServiceGrant.create(membership=member, service=town.services["eclairage"], role=Role.AGENT)
    agent = await sign_in(new_client(), agent_user)
    assert (await agent.get(f"/api/v1/requests/{light}")).json().get("contact") is not None  # staff view
    people = (await secretary.get("/api/v1/access/organisations/brenles/people")).json()["items"]
    assert any(p["email"] == agent_user.email and p["rights"][0]["service"] == "eclairage" for p in people)
    assert (await chesalles.get("/api/v1/access/organisations/brenles/people")).status_code == 403
    path = f"/api/v1/access/organisations/brenles/people/{agent_user.id}/end"
    assert (await chesalles.post(path, json={"reason": "Départ"})).status_code == 403
    assert (await agent.post(path, json={"reason": "Départ"})).status_code == 403
    assert (await secretary.post(path, json={"reason": "Départ à la retraite"})).status_code == 204
    assert not await ServiceGrant.filter(membership=member).exists()
    assert (await agent.get(f"/api/v1/requests/{light}")).json().get("contact") is None  # public view only
    assert await AuditEntry.filter(action="access.membership_ended", target=f"user:{agent_user.email}").exists()


async def test_idle_accounts_are_shown_to_the_secretary(client, new_client, town):
    from datetime import timedelta

    secretary = await sign_in(new_client(), await person(Role.SECRETARY, town.brenles))
    sleeping = await person(Role.MEMBER, town.brenles, email="dort@example.org")
    await User.filter(id=sleeping.id).update(last_login_at=accounts.utcnow() - timedelta(days=200))
    awake = await person(Role.MEMBER, town.brenles, email="eveille@example.org")
    await User.filter(id=awake.id).update(last_login_at=accounts.utcnow())
    idle = (await secretary.get("/api/v1/access/organisations/brenles/idle")).json()["items"]
    assert [i["email"] for i in idle] == ["dort@example.org"]
    assert (await secretary.get("/api/v1/access/summary")).json()["counts"]["idle"] == 1
    agent = await sign_in(new_client(), await person(Role.AGENT, town.brenles))
    assert (await agent.get("/api/v1/access/organisations/brenles/idle")).status_code == 403


async def test_dashboards_filter_search_page_and_export(client, new_client, town):
    lighting = await sign_in(new_client(), await manager_of(town, "eclairage", "voirie", "tags"))
    for name in ("Alice Martin", "Bruno Keller", "Chloé Martin"):
        user = await person(Role.MEMBER, town.brenles, name=name)
        applicant = await sign_in(new_client(), user)
        r = await applicant.post("/api/v1/access/requests", json={"kind": "rights", "organisation": "brenles",
                                                                 "role": "agent", "services": ["eclairage", "voirie"]})
        assert r.status_code == 201 and len(r.json()["items"]) == 2  # one request per service, each decided apart
    first = (await lighting.get("/api/v1/access/requests", params={"box": "rights", "limit": 4})).json()
    rest = (await lighting.get("/api/v1/access/requests", params={"box": "rights", "cursor": first["next_cursor"]})).json()
    assert len(first["items"]) == 4 and len(rest["items"]) == 2 and rest["next_cursor"] is None
    found = (await lighting.get("/api/v1/access/requests", params={"box": "rights", "q": "martin"})).json()["items"]
    assert sorted({i["applicant"]["name"] for i in found}) == ["Alice Martin", "Chloé Martin"]
    csv_text = (await lighting.get("/api/v1/access/requests.csv", params={"box": "rights", "q": "bruno"})).content.decode("utf-8-sig")
    lines = csv_text.strip().splitlines()
    assert lines[0].startswith("Numéro;Déposée le (Europe/Zurich);") and len(lines) == 3 and all("Bruno Keller" in line for line in lines[1:])
    book = load_workbook(io.BytesIO((await lighting.get("/api/v1/access/requests.xlsx", params={"box": "rights"})).content))
    assert book.active.max_row == 7 and book.active["G2"].value in ("Alice Martin", "Bruno Keller", "Chloé Martin")
    for params, field in [({"box": "everything"}, "box"), ({"box": "rights", "status": "maybe"}, "status"),
                          ({"box": "rights", "cursor": "abc"}, "cursor")]:
        r = await lighting.get("/api/v1/access/requests", params=params)
        assert r.status_code == 422 and r.json()["error"]["field"] == field


async def test_bad_applications_are_refused_and_change_nothing(client, new_client, town):
    outsider = await sign_in(new_client(), await person())
    unverified_user = await accounts.create_user(email="pasverifie@example.org", name="X", password=PASSWORD, verified=False)
    unverified = await sign_in(new_client(), unverified_user)
    cases = [
        (unverified, {"kind": "account", "organisation": "brenles", "identity": {"function": "x"}}, 403, "email_unverified"),
        (outsider, {"kind": "account", "organisation": "broye-jorat", "identity": {"function": "x"}}, 422, "unknown_organisation"),
        (outsider, {"kind": "account", "organisation": "brenles"}, 422, "required"),
        (outsider, {"kind": "rights", "organisation": "brenles", "role": "agent", "services": ["eclairage"]}, 403, "not_attached"),
        (outsider, {"kind": "account", "organisation": "brenles", "identity": {"function": 3}}, 422, "invalid_type"),
        (outsider, {"kind": "sultan", "organisation": "brenles"}, 422, "invalid_choice"),
        # Issue 19, point 4: who the applicant is, as on their identity document.
        (outsider, {"kind": "account", "organisation": "brenles", "identity": {"function": "f", "first_names": "Y"}},
         422, "required"),
        (outsider, {"kind": "account", "organisation": "brenles", "identity": NAMES | {"civility": "sire"}}, 422,
         "invalid_choice"),
        (outsider, {"kind": "account", "organisation": "brenles", "identity": NAMES | {"birth_date": "31.12.1980"}},
         422, "invalid_type"),
        (outsider, {"kind": "account", "organisation": "brenles", "identity": NAMES | {"birth_date": "2020-01-01"}},
         422, "out_of_range"),
    ]
    for who, body, status, code in cases:
        r = await who.post("/api/v1/access/requests", json=body)
        assert (r.status_code, r.json()["error"]["code"]) == (status, code), body
    member = await sign_in(new_client(), await person(Role.MEMBER, town.brenles))
    r = await member.post("/api/v1/access/requests", json={"kind": "rights", "organisation": "brenles", "role": "agent", "services": ["nope"]})
    assert r.status_code == 422 and r.json()["error"]["code"] == "unknown_service"
    r = await member.post("/api/v1/access/requests", json={"kind": "rights", "organisation": "brenles", "role": "prefect", "services": ["voirie"]})
    assert r.status_code == 422
    assert await AccessRequest.all().count() == 0
    body = {"kind": "rights", "organisation": "brenles", "role": "agent", "services": ["voirie"]}
    assert (await member.post("/api/v1/access/requests", json=body)).status_code == 201
    assert (await member.post("/api/v1/access/requests", json=body)).json()["error"]["code"] == "already_requested"


async def test_where_a_municipality_has_no_secretary_its_prefect_decides_attachments(client, new_client, town):
    prefect = await sign_in(new_client(), await person(Role.PREFECT, town.district))
    brenles = await sign_in(new_client(), await person(Role.SECRETARY, town.brenles))
    mover_user = await person(Role.MEMBER, town.brenles, name="Nadia Mobile")
    await User.filter(id=mover_user.id).update(identity_verified_at=accounts.utcnow())
    mover = await sign_in(new_client(), mover_user)
    r = await mover.post("/api/v1/access/requests", json={"kind": "account", "organisation": "chesalles"})
    assert r.status_code == 201 and r.json()["items"][0]["kind"] == "attachment"  # identified already
    ref = r.json()["items"][0]["id"]
    assert (await brenles.get("/api/v1/access/requests", params={"box": "attachments"})).json()["items"] == []
    assert [i["id"] for i in (await prefect.get("/api/v1/access/requests", params={"box": "attachments"})).json()["items"]] == [ref]
    assert (await prefect.post(f"/api/v1/access/requests/{ref}/decision", json={"accept": True})).status_code == 200
    assert await Membership.exists(user=mover_user, organisation=town.chesalles, role=Role.MEMBER)


async def test_naming_deputies_managers_secretaries_and_prefects_each_by_whom_it_belongs_to(client, new_client, town):
    secretary = await sign_in(new_client(), await person(Role.SECRETARY, town.brenles))
    chesalles = await sign_in(new_client(), await person(Role.SECRETARY, town.chesalles))
    prefect = await sign_in(new_client(), await person(Role.PREFECT, town.district))
    admin = await sign_in(new_client(), await person(Role.ADMIN, town.canton))
    member = await person(Role.MEMBER, town.brenles, email="irene@example.org")
    outsider = await person(email="dehors@example.org")
    names = "/api/v1/access/organisations/brenles/names"
    deputy = {"email": "irene@example.org", "role": "deputy"}
    assert (await chesalles.post(names, json=deputy)).status_code == 403
    assert (await secretary.post(names, json={"email": "dehors@example.org", "role": "deputy"})).json()["error"]["code"] == "not_attached"
    assert (await secretary.post(names, json={"email": "personne@example.org", "role": "deputy"})).status_code == 404
    assert (await secretary.post(names, json={"role": "deputy"})).json()["error"]["field"] == "email"
    assert (await secretary.post(names, json=deputy)).status_code == 204
    assert await Membership.exists(user=member, organisation=town.brenles, role=Role.DEPUTY, status=MembershipStatus.ACTIVE)
    assert await AuditEntry.filter(action="access.named", target="user:irene@example.org").exists()

    # A manager of street lighting only: edits that service, removes its rights, and nothing else.
    lighting = {"email": "irene@example.org", "role": "service_manager", "services": ["eclairage"]}
    assert (await secretary.post(names, json=lighting)).status_code == 204
    manager = await sign_in(new_client(), member)
    assert (await manager.patch("/api/v1/organisations/brenles/services/eclairage", json={"due_hours": 48})).status_code == 200
    assert (await manager.patch("/api/v1/organisations/brenles/services/voirie", json={"due_hours": 48})).status_code == 403
    worker = await manager_of(town)
    worker_member = await Membership.get(user=worker, role=Role.MEMBER)
    light_right = await ServiceGrant.create(membership=worker_member, service=town.services["eclairage"], role=Role.AGENT)
    road_right = await ServiceGrant.create(membership=worker_member, service=town.services["voirie"], role=Role.AGENT)
    why = {"reason": "Changement de service"}
    assert (await manager.request("DELETE", f"/api/v1/access/grants/{road_right.id}", json=why)).status_code == 403
    r = await manager.request("DELETE", f"/api/v1/access/grants/{light_right.id}", json={})  # issue 21, point 19
    assert r.status_code == 422 and r.json()["error"]["field"] == "reason"
    assert (await manager.request("DELETE", f"/api/v1/access/grants/{light_right.id}", json=why)).status_code == 204
    trail = await AuditEntry.filter(action="access.right_removed").order_by("-id").first()
    assert trail.detail["reason"] == "Changement de service" and trail.detail["service"] == "eclairage"
    own = await ServiceGrant.get(membership__user=member, role=Role.SERVICE_MANAGER)
    r = await manager.request("DELETE", f"/api/v1/access/grants/{own.id}", json=why)
    assert r.json()["error"]["code"] == "own_request"
    assert await ServiceGrant.filter(id=road_right.id).exists() and not await ServiceGrant.filter(id=light_right.id).exists()

    # Secretaries are named by the prefect of the district, prefects by the canton's administrator.
    await User.filter(id=outsider.id).update(identity_verified_at=accounts.utcnow())
    secretary_body = {"email": "dehors@example.org", "role": "secretary"}
    assert (await secretary.post("/api/v1/access/organisations/chesalles/names", json=secretary_body)).status_code == 403
    assert (await prefect.post("/api/v1/access/organisations/chesalles/names", json=secretary_body)).status_code == 204
    assert await Membership.exists(user=outsider, organisation=town.chesalles, role=Role.SECRETARY)
    prefect_body = {"email": "dehors@example.org", "role": "prefect"}
    assert (await prefect.post("/api/v1/access/organisations/broye-jorat/names", json=prefect_body)).status_code == 403
    assert (await admin.post("/api/v1/access/organisations/broye-jorat/names", json=prefect_body)).status_code == 204
    assert await Membership.exists(user=outsider, organisation=town.district, role=Role.PREFECT)
