"""Issue 18, the city's side: retention periods and their purge (frozen clock), rights requests executed by the
secretary, a tracking link's download, and the legal pages each organisation writes."""
from __future__ import annotations

import io
import json
import subprocess
import sys
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest

from backend.accounts.models import Role, User
from backend.audit.models import AuditEntry
from backend.config import Settings
from backend.lostfound.models import Item
from backend.media.models import Photo
from backend.privacy import retention
from backend.privacy.staff import person_tag
from backend.push.models import Outbox, OutboxChannel, OutboxStatus
from backend.requests.models import ServiceRequest
from backend.requests.service import utcnow
from tests import photos
from tests.factories import IN_BRENLES, IN_CHESALLES, csrf, person, sign_in

LAT, LON = IN_BRENLES


async def _anonymous_report(client, email: str, service: str = "voirie", at=IN_BRENLES, photo: bytes | None = None,
                            **extra) -> dict:
    await csrf(client)
    r = await client.post("/api/v1/requests", data={
        "service": service, "lat": str(at[0]), "lon": str(at[1]), "contact_email": email,
        "contact_phone": "078 111 22 33", "description": "Trou profond", "attributes": '{"taille": "large"}', **extra},
        files=[("photo", ("p.jpg", photo or photos.jpeg(640, 480), "image/jpeg"))])
    assert r.status_code == 201, r.text
    return r.json()


async def _close(ref: str, days_ago: int, status: str = "resolved") -> None:
    await ServiceRequest.filter(ref=ref).update(status=status, updated_at=utcnow() - timedelta(days=days_ago))


# -- retention ----------------------------------------------------------------------------------------------------

async def test_the_purge_removes_what_is_past_its_period_only_once_in_batches_and_says_so(
        client, new_client, town, settings, monkeypatch):
    monkeypatch.setattr(retention, "BATCH", 2)  # five contacts: three statements, the same result
    # The first one's picture is its own; the others' is one and the same file (the same content).
    old = [await _anonymous_report(client, f"vieux{i}@example.org", photo=photos.jpeg(640, 481) if i == 0 else None)
           for i in range(5)]
    for report in old:
        await _close(report["ref"], settings.retention_contact_days + 1)
    recent = await _anonymous_report(client, "recent@example.org")
    await _close(recent["ref"], settings.retention_contact_days - 1)
    still_open = await _anonymous_report(client, "ouvert@example.org")
    await ServiceRequest.filter(ref=still_open["ref"]).update(updated_at=utcnow() - timedelta(days=900))
    hidden, shared = [await Photo.get(request__ref=old[i]["ref"]) for i in (0, 1)]
    for photo, report in ((hidden, old[0]), (shared, old[1])):
        photo.hidden = True
        await photo.save(update_fields=["hidden"])
        await _close(report["ref"], settings.retention_personal_days + 1)
    hidden_file, shared_file = (Path(settings.media_root) / p.path for p in (hidden, shared))
    assert hidden_file.is_file() and shared_file.is_file() and hidden_file != shared_file
    await AuditEntry.create(action="request.status", target="ancien", at=utcnow())
    await AuditEntry.filter(target="ancien").update(at=utcnow() - timedelta(days=settings.retention_audit_days + 1))
    sent = await Outbox.create(channel=OutboxChannel.EMAIL, status=OutboxStatus.SENT, recipient="vieux0@example.org",
                               next_attempt_at=utcnow(), created_at=utcnow() - timedelta(days=settings.retention_log_days + 1))

    counts = await retention.purge(settings)
    assert counts["contacts"] == 5 and counts["photos"] == 2 and counts["audit_entries"] == 1
    assert counts["traces"] >= 1 and not await Outbox.filter(id=sent.id).exists()
    for report in old:
        row = await ServiceRequest.get(ref=report["ref"])
        assert (row.contact_email, row.contact_phone, row.tracking_token_hash) == ("", "", None)
        assert row.description == "Trou profond"  # a public report's text stays for the public record
    assert (await client.get(f"/api/v1/track/{old[1]['tracking_token']}")).status_code == 404
    for kept in (recent, still_open):
        row = await ServiceRequest.get(ref=kept["ref"])
        assert row.contact_email.endswith("@example.org") and row.tracking_token_hash
    assert not hidden_file.exists() and not await Photo.filter(id=hidden.id).exists()
    assert (await ServiceRequest.get(ref=old[0]["ref"])).photo_count == 0
    # The shared picture's row went, not the file: the other requests still show it.
    assert not await Photo.filter(id=shared.id).exists() and shared_file.is_file()
    assert (await client.get(f"/media/{shared.path}")).status_code == 200
    entry = await AuditEntry.filter(action="privacy.purged").order_by("-id").first()
    assert entry.detail == counts

    again = await retention.purge(settings)  # idempotent: nothing left to remove, and no new entry says otherwise
    assert not any(again.values()) and await AuditEntry.filter(action="privacy.purged").count() == 1

    # The frozen clock moves a day on: the report closed just under the period goes too.
    later = await retention.purge(settings, now=utcnow() + timedelta(days=2))
    assert later["contacts"] == 1 and (await ServiceRequest.get(ref=recent["ref"])).contact_email == ""


async def test_lost_and_found_records_lose_their_details_after_their_period(new_client, town, settings):
    owner = await sign_in(new_client(), await person(email="clefs@example.org"))
    r = await owner.post("/api/v1/requests", json={"service": "objet-perdu", "lat": LAT, "lon": LON,
                                                   "description": "Clés avec un porte-clés rouge", "attributes": {
                                                       "categorie": "keys", "signes": "gravé JD",
                                                       "quand": utcnow().isoformat(), "rayon": "500"}})
    assert r.status_code == 201, r.text
    ref = r.json()["ref"]
    await Item.filter(request__ref=ref).update(is_open=False,
                                               closed_at=utcnow() - timedelta(days=settings.retention_lostfound_days - 1))
    assert (await retention.purge(settings))["lost_and_found"] == 0
    assert (await retention.purge(settings, now=utcnow() + timedelta(days=2)))["lost_and_found"] == 1
    item = await Item.get(request__ref=ref)
    assert (item.description, item.marks) == ("", "")
    assert (await ServiceRequest.get(ref=ref)).description == ""


@pytest.mark.parametrize("value", ["0", "-3", "deux"])
def test_a_retention_of_zero_or_less_is_refused_at_start_with_a_clear_message(tmp_path, value):
    with pytest.raises(ValueError, match="RETENTION_AUDIT_DAYS"):
        Settings.load(env={"RETENTION_AUDIT_DAYS": value}, data_dir=str(tmp_path))
    result = subprocess.run([sys.executable, "-m", "backend", "migrate"], capture_output=True, text=True, timeout=60,
                            env={"DATA_DIR": str(tmp_path), "RETENTION_AUDIT_DAYS": value, "PATH": "/usr/bin:/bin"})
    assert result.returncode == 1 and "guichet: RETENTION_AUDIT_DAYS must be" in result.stderr
    assert "Traceback" not in result.stderr


async def test_the_retention_page_shows_the_rules_and_the_last_purge_to_the_secretary_only(new_client, town, settings):
    secretary = await sign_in(new_client(), await person(Role.SECRETARY, town.brenles))
    await AuditEntry.create(action="request.status", target="ancien")
    await AuditEntry.filter(target="ancien").update(at=utcnow() - timedelta(days=settings.retention_audit_days + 1))
    await retention.purge(settings)
    body = (await secretary.get("/api/v1/privacy/retention?lang=fr")).json()
    rules = {rule["setting"]: rule for rule in body["rules"]}
    assert rules["RETENTION_CONTACT_DAYS"]["days"] == settings.retention_contact_days
    assert rules["RETENTION_AUDIT_DAYS"]["what"] == "Journal des actions du personnel"
    assert body["last_purge"]["counts"]["audit_entries"] == 1
    citizen = await sign_in(new_client(), await person())
    assert (await citizen.get("/api/v1/privacy/retention")).status_code == 403
    agent = await sign_in(new_client(), await person(Role.AGENT, town.brenles))
    assert (await agent.get("/api/v1/privacy/retention")).status_code == 403


# -- rights executed by the secretary -----------------------------------------------------------------------------

async def test_the_secretary_exports_and_anonymises_a_persons_data_in_their_town_only(
        client, new_client, town, settings):
    email = "guichet.papier@example.org"
    here = await _anonymous_report(client, email)
    elsewhere = await _anonymous_report(new_client(), email, service="voirie", at=IN_CHESALLES)
    secretary = await sign_in(new_client(), await person(Role.SECRETARY, town.brenles))
    found = (await secretary.get(f"/api/v1/privacy/people?organisation=brenles&email={email.upper()}")).json()
    assert [r["ref"] for r in found["requests"]] == [here["ref"]] and found["account"] is False

    ask = {"organisation": "brenles", "email": email, "reason": "Courrier du 3 décembre, pièce d'identité vue"}
    r = await secretary.post("/api/v1/privacy/people/export", json=ask)
    assert r.status_code == 200 and r.headers["content-type"] == "application/zip"
    data = json.loads(zipfile.ZipFile(io.BytesIO(r.content)).read("data.json"))
    assert [req["ref"] for req in data["requests"]] == [here["ref"]]  # Chesalles' request is not Brenles' to give
    assert data["requests"][0]["contact"]["email"] == email

    # Another town's secretary can neither look nor act; a missing reason is refused and changes nothing.
    other = await sign_in(new_client(), await person(Role.SECRETARY, town.chesalles))
    assert (await other.post("/api/v1/privacy/people/anonymise", json=ask)).status_code == 403
    assert (await other.get(f"/api/v1/privacy/people?organisation=brenles&email={email}")).status_code == 403
    r = await secretary.post("/api/v1/privacy/people/anonymise", json=ask | {"reason": ""})
    assert r.status_code == 422 and r.json()["error"]["field"] == "reason"
    assert (await ServiceRequest.get(ref=here["ref"])).contact_email == email

    r = await secretary.post("/api/v1/privacy/people/anonymise", json=ask)
    assert r.status_code == 200 and r.json()["requests_anonymised"] == 1 and r.json()["account_deleted"] is False
    assert (await ServiceRequest.get(ref=here["ref"])).contact_email == ""
    assert (await ServiceRequest.get(ref=elsewhere["ref"])).contact_email == email
    entries = await AuditEntry.filter(action__in=["privacy.exported", "privacy.anonymised"]).order_by("id")
    assert [e.action for e in entries] == ["privacy.exported", "privacy.anonymised"]
    assert all(e.detail["reason"] == ask["reason"] for e in entries)
    assert entries[0].target == person_tag(email) and email not in json.dumps([e.detail for e in entries])


async def test_an_account_is_deleted_with_its_last_requests_and_kept_when_it_has_others(client, new_client, town):
    user = await person(email="double@example.org", name="Double Ville")
    me = await sign_in(new_client(), user)
    for at in (IN_BRENLES, IN_CHESALLES):
        r = await me.post("/api/v1/requests", json={"service": "voirie", "lat": at[0], "lon": at[1],
                                                    "attributes": {"taille": "large"}})
        assert r.status_code == 201, r.text
    secretary = await sign_in(new_client(), await person(Role.SECRETARY, town.brenles))
    ask = {"organisation": "brenles", "email": user.email, "reason": "Demande au guichet"}
    r = await secretary.post("/api/v1/privacy/people/anonymise", json=ask)
    assert r.json()["account_kept"] is True and await User.filter(id=user.id).exists()
    other = await sign_in(new_client(), await person(Role.SECRETARY, town.chesalles))
    r = await other.post("/api/v1/privacy/people/anonymise", json=ask | {"organisation": "chesalles"})
    assert r.json()["account_deleted"] is True and not await User.filter(id=user.id).exists()


async def test_a_tracking_link_downloads_its_request_and_nothing_else(client, town):
    report = await _anonymous_report(client, "suivi@example.org")
    r = await client.get(f"/api/v1/track/{report['tracking_token']}/export")
    assert r.status_code == 200 and r.headers["content-disposition"].startswith(f'attachment; filename="guichet-{report["ref"]}-')
    archive = zipfile.ZipFile(io.BytesIO(r.content))
    data = json.loads(archive.read("data.json"))
    assert [req["ref"] for req in data["requests"]] == [report["ref"]]
    assert data["requests"][0]["contact"]["email"] == "suivi@example.org"
    assert any(name.startswith(f"photos/{report['ref']}/") for name in archive.namelist())
    assert (await client.get("/api/v1/track/not-a-token/export")).status_code == 404


# -- legal pages --------------------------------------------------------------------------------------------------

async def test_every_page_has_a_built_in_text_naming_the_town_and_the_retention_in_force(client, town, settings):
    for kind in ("terms", "privacy", "accessibility", "legal", "help"):
        for lang in ("fr", "en"):
            r = await client.get(f"/api/v1/pages/{kind}?organisation=brenles&lang={lang}")
            assert r.status_code == 200 and r.json()["edited"] is False and r.json()["body"], (kind, lang)
            assert ("Brenles" in r.json()["body"]), (kind, lang)
    privacy = (await client.get("/api/v1/pages/privacy?lang=fr")).json()  # the town the server is for
    assert privacy["organisation"] == "brenles" and privacy["title"] == "Protection des données"
    assert f"{settings.retention_contact_days} jours" in privacy["body"]
    r = await client.get("/api/v1/pages/cookies")
    assert r.status_code == 404 and r.json()["error"]["code"] == "unknown_page"


async def test_an_administrator_writes_the_towns_page_audited_and_nobody_else_can(client, new_client, town):
    admin = await sign_in(new_client(), await person(Role.ADMIN, town.brenles))
    text = {"language": "en", "title": "Privacy at Brenles", "body": "## Who\nThe town clerk.\n\n- one\n- two"}
    r = await admin.put("/api/v1/organisations/brenles/pages/privacy", json=text)
    assert r.status_code == 200 and r.json()["edited"] is True and r.json()["body"] == text["body"]
    assert (await client.get("/api/v1/pages/privacy?organisation=brenles&lang=en")).json()["title"] == "Privacy at Brenles"
    assert (await client.get("/api/v1/pages/privacy?organisation=brenles&lang=fr")).json()["edited"] is False
    assert (await client.get("/api/v1/pages/privacy?organisation=chesalles&lang=en")).json()["edited"] is False
    assert await AuditEntry.filter(action="pages.updated", organisation_id=town.brenles.id).count() == 1

    for who in (await person(Role.SECRETARY, town.brenles), await person(Role.ADMIN, town.chesalles), await person()):
        other = await sign_in(new_client(), who)
        r = await other.put("/api/v1/organisations/brenles/pages/privacy", json=text | {"title": "Pirate"})
        assert r.status_code == 403, who.email
    for bad, field in (({"language": "de"}, "language"), ({"title": ""}, "title"), ({"body": "x" * 50_001}, "body")):
        r = await admin.put("/api/v1/organisations/brenles/pages/privacy", json=text | bad)
        assert r.status_code == 422 and r.json()["error"]["field"] == field
    assert (await client.get("/api/v1/pages/privacy?organisation=brenles&lang=en")).json()["title"] == "Privacy at Brenles"

    canton = await sign_in(new_client(), await person(Role.ADMIN, town.canton))  # the canton's write for its towns
    r = await canton.put("/api/v1/organisations/brenles/pages/help", json=text | {"title": "Aide de Brenles"})
    assert r.status_code == 200 and r.json()["title"] == "Aide de Brenles"

    r = await admin.delete("/api/v1/organisations/brenles/pages/privacy?lang=en")
    assert r.status_code == 200 and r.json()["edited"] is False and r.json()["title"] == "Privacy notice"
