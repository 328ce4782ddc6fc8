"""A citizen's rights over their data: a copy of all of it (ZIP), rectification, and erasure that leaves the
public record but no trace of the person in any table."""
from __future__ import annotations

import io
import json
import zipfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

from tortoise import Tortoise, fields

from backend.accounts.models import Role, User
from backend.media.models import Photo
from backend.requests.models import ServiceRequest
from tests import photos
from tests.factories import IN_BRENLES, PASSWORD, csrf, person, sign_in

EMAIL, NAME, PHONE, ADDRESS = "ines.privee@example.org", "Inès Privée-Exemple", "079 555 01 02", "Chemin Caché 9, 1683 Brenles"


async def _citizen_with_history(new_client, town) -> tuple[User, object, str, str]:
    user = await person(email=EMAIL, name=NAME)
    me = await sign_in(new_client(), user)
    r = await me.patch("/api/v1/me", json={"phone": PHONE, "postal_address": ADDRESS})
    assert r.status_code == 200 and r.json()["user"]["phone"] == PHONE, r.text
    r = await me.post("/api/v1/requests", data={
        "service": "voirie", "lat": str(IN_BRENLES[0]), "lon": str(IN_BRENLES[1]), "attributes": '{"taille": "large"}',
        "description": "Gros trou devant chez moi", "contact_phone": PHONE},
        files=[("photo", ("trou.jpg", photos.jpeg(800, 600), "image/jpeg"))])
    assert r.status_code == 201, r.text
    public_ref = r.json()["ref"]
    assert (await me.post(f"/api/v1/requests/{public_ref}/comments", json={"comment": f"Signé {NAME}"})).status_code == 201
    lost = {"categorie": "keys", "couleur": "silver", "signes": f"Porte-clés gravé {NAME}",
            "quand": (datetime.now(timezone.utc) - timedelta(hours=3)).isoformat(), "rayon": "500"}
    r = await me.post("/api/v1/requests", json={"service": "objet-perdu", "lat": IN_BRENLES[0], "lon": IN_BRENLES[1],
                                                "description": f"Clés de {NAME}, appeler le {PHONE}", "attributes": lost})
    assert r.status_code == 201, r.text
    return user, me, public_ref, r.json()["ref"]


async def test_a_citizen_downloads_all_their_data_and_nobody_elses(client, new_client, town):
    user, me, public_ref, lost_ref = await _citizen_with_history(new_client, town)
    other = await sign_in(new_client(), await person(email="autre@example.org", name="Autre Personne"))
    await other.post("/api/v1/requests", json={"service": "proprete", "lat": IN_BRENLES[0], "lon": IN_BRENLES[1],
                                               "description": "Pas à Inès"})
    r = await me.get("/api/v1/me/export")
    assert r.status_code == 200 and r.headers["content-type"] == "application/zip"
    assert r.headers["content-disposition"].startswith('attachment; filename="guichet-mes-donnees-')
    archive = zipfile.ZipFile(io.BytesIO(r.content))
    data = json.loads(archive.read("data.json"))
    assert data["account"]["email"] == EMAIL and data["account"]["name"] == NAME
    assert (data["account"]["phone"], data["account"]["postal_address"]) == (PHONE, ADDRESS)
    by_ref = {req["ref"]: req for req in data["requests"]}
    assert set(by_ref) == {public_ref, lost_ref}
    assert by_ref[public_ref]["answers"][0]["answer"] == "Grand (plus d'un mètre)"
    assert by_ref[public_ref]["contact"]["phone"] == PHONE
    assert any(e.get("comment") == f"Signé {NAME}" for e in by_ref[public_ref]["events"])
    assert by_ref[lost_ref]["object"]["marks"] == f"Porte-clés gravé {NAME}"
    photo = by_ref[public_ref]["photos"][0]["url"].rsplit("/", 1)[1]
    assert archive.read(f"photos/{public_ref}/{photo}")[:2] == b"\xff\xd8"  # the JPEG itself
    assert "Pas à Inès" not in r.content.decode("latin-1") and "autre@example.org" not in json.dumps(data)
    # Signed out, there is nothing to download.
    assert (await client.get("/api/v1/me/export")).status_code == 401


async def test_rectification_checks_what_is_given_and_an_empty_value_removes_it(new_client, town):
    me = await sign_in(new_client(), await person())
    r = await me.patch("/api/v1/me", json={"phone": "0" * 41})
    assert r.status_code == 422 and r.json()["error"]["field"] == "phone" and r.json()["error"]["code"] == "too_long"
    r = await me.patch("/api/v1/me", json={"name": "  Jeanne   Dupont ", "postal_address": " Rue du Four  1\n\n 1683  Brenles "})
    assert r.json()["user"]["name"] == "Jeanne Dupont" and r.json()["user"]["postal_address"] == "Rue du Four 1\n1683 Brenles"
    r = await me.patch("/api/v1/me", json={"postal_address": ""})
    assert r.status_code == 200 and r.json()["user"]["postal_address"] == "" and r.json()["user"]["name"] == "Jeanne Dupont"
    assert (await me.patch("/api/v1/me", json={"name": ""})).json()["error"]["code"] == "too_short"


async def _every_text_value() -> list[tuple[str, str, str]]:
    """(table, column, text) for every text and JSON column of every table."""
    out = []
    for model in Tortoise.apps["models"].values():
        names = [name for name, field in model._meta.fields_map.items()
                 if isinstance(field, (fields.CharField, fields.TextField, fields.JSONField))]
        if not names:
            continue
        for row in await model.all().values(*names):
            out += [(model._meta.db_table, name, json.dumps(value, ensure_ascii=False) if not isinstance(value, str)
                     else value) for name, value in row.items() if value]
    return out


async def test_erasure_asks_the_password_keeps_the_public_record_and_leaves_no_trace_of_the_person(
        client, new_client, town, settings):
    user, me, public_ref, lost_ref = await _citizen_with_history(new_client, town)
    photo_path = (await Photo.get(request__ref=public_ref)).path
    r = await me.request("DELETE", "/api/v1/me", json={"password": "not-the-password"})
    error = r.json()["error"]
    assert r.status_code == 422 and (error["code"], error["field"]) == ("invalid_credentials", "password")
    assert await User.filter(email=EMAIL).exists()
    assert (await me.request("DELETE", "/api/v1/me", json={})).json()["error"]["field"] == "password"

    r = await me.request("DELETE", "/api/v1/me", json={"password": PASSWORD})
    assert r.status_code == 204
    assert (await me.get("/api/v1/session")).json()["user"] is None
    assert (await me.get("/api/v1/me/export")).status_code == 401
    # The public record stays: the report, its photo, its public description.
    public = (await client.get(f"/api/v1/requests/{public_ref}")).json()
    assert public["description"] == "Gros trou devant chez moi" and len(public["photos"]) == 1
    assert await Photo.filter(path=photo_path).exists() and (Path(settings.media_root) / photo_path).is_file()
    kept = await ServiceRequest.get(ref=lost_ref)
    assert kept.author_id is None and kept.description == "" and kept.contact_phone == ""
    # No table holds the e-mail, the name, the phone or the address.
    traces = [(table, column, text) for table, column, text in await _every_text_value()
              if any(s.casefold() in text.casefold() for s in (EMAIL, NAME, PHONE, ADDRESS))]
    assert traces == []
    await csrf(client)  # and the account is gone
    login = await client.post("/api/v1/auth/login", json={"email": EMAIL, "password": PASSWORD})
    assert login.status_code == 401 and login.json()["error"]["code"] == "invalid_credentials"


async def test_a_staff_account_is_not_deleted_here_and_a_stranger_cannot_erase_anyone(client, new_client, town):
    agent = await person(Role.AGENT, town.brenles)
    staff = await sign_in(new_client(), agent)
    r = await staff.request("DELETE", "/api/v1/me", json={"password": PASSWORD})
    assert r.status_code == 409 and r.json()["error"]["code"] == "staff_account"
    assert await User.filter(id=agent.id).exists()
    await csrf(client)
    assert (await client.request("DELETE", "/api/v1/me", json={"password": PASSWORD})).status_code == 401
