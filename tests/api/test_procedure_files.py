"""Issue 17, point 2 (files) and the refusals it names: a question answered by a file (PDF, JPEG, PNG) checked by
its content and its size, private to the author and the staff, in the person's data export, gone with erasure and
with the retention purge; a date that may not be in the past."""
from __future__ import annotations

import io
import json
import zipfile
from datetime import date, timedelta
from pathlib import Path

from backend.accounts.models import Role
from backend.media import documents
from backend.media.models import Attachment
from backend.privacy import retention
from backend.requests.models import ServiceRequest
from backend.requests.service import utcnow
from tests import photos
from tests.factories import PASSWORD, csrf, person, sign_in

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
BADGE = {"code": "badge", "name_fr": "Macaron de stationnement", "name_en": "Parking badge", "kind": "form",
         "attributes": [
             {"code": "plaque", "datatype": "string", "required": True, "description": "Plaque"},
             {"code": "depuis", "datatype": "date", "required": True, "description": "Dès le", "future": True},
             {"code": "justificatif", "datatype": "file", "required": True, "description": "Justificatif de domicile"},
             {"code": "autre", "datatype": "boolean", "description": "Un second véhicule ?"},
             {"code": "permis", "datatype": "file", "description": "Permis du second véhicule",
              "condition": {"code": "autre", "equals": True}}]}


def _answers(**extra) -> dict:
    return {"plaque": "VD 1234", "depuis": date.today().isoformat(), **extra}


async def _badge_service(new_client, town):
    manager = await sign_in(new_client(), await person(Role.SERVICE_MANAGER, town.brenles))
    r = await manager.post("/api/v1/organisations/brenles/services", json=BADGE)
    assert r.status_code == 201, r.text


async def _send(client, answers: dict, files: list | None = None, email: str = "habitant@example.org"):
    return await client.post("/api/v1/requests", data={
        "service": "badge", "organisation": "brenles", "contact_email": email, "attributes": json.dumps(answers)},
        files=files or [])


def _stored_files(settings) -> list[Path]:
    root = documents.folder(settings)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.is_dir() else []


async def test_a_file_answer_is_kept_private_and_served_to_its_author_and_staff_only(client, new_client, town, settings):
    await _badge_service(new_client, town)
    await csrf(client)
    r = await _send(client, _answers(), [("file.justificatif", ("Facture électricité.pdf", PDF, "application/pdf"))])
    assert r.status_code == 201, r.text
    body = r.json()
    ref, token = body["ref"], body["tracking_token"]
    answer = {a["code"]: a for a in body["answers"]}["justificatif"]
    assert answer["answer"] == "Facture-electricite.pdf" and answer["url"] == f"/api/v1/requests/{ref}/files/justificatif"
    assert (await ServiceRequest.get(ref=ref)).attributes["justificatif"] == {
        "name": "Facture-electricite.pdf", "type": "application/pdf", "bytes": len(PDF)}
    [stored] = _stored_files(settings)
    assert stored.read_bytes() == PDF and not str(stored).startswith(str(Path(settings.media_root).resolve()))

    mine = await client.get(answer["url"], headers={"x-tracking-token": token})
    assert mine.status_code == 200 and mine.content == PDF
    assert mine.headers["content-type"] == "application/pdf" and mine.headers["cache-control"] == "private, no-store"
    assert mine.headers["content-disposition"].startswith("attachment")
    agent = await sign_in(new_client(), await person(Role.AGENT, town.brenles))
    assert (await agent.get(answer["url"])).content == PDF
    staff_view = {a["code"]: a for a in (await agent.get(f"/api/v1/requests/{ref}")).json()["answers"]}
    assert staff_view["justificatif"]["url"] == answer["url"]
    # Nobody else: not the public, another citizen, a wrong token, nor the staff of another municipality.
    outsider = await sign_in(new_client(), await person(email="voisin@example.org"))
    elsewhere = await sign_in(new_client(), await person(Role.AGENT, town.chesalles))
    for who, headers in ((new_client(), {}), (outsider, {}), (new_client(), {"x-tracking-token": "x" * 40}),
                         (elsewhere, {})):
        r = await who.get(answer["url"], headers=headers)
        assert r.status_code == 404 and PDF not in r.content


async def test_a_photo_as_a_file_is_re_encoded_and_a_conditional_file_follows_its_condition(
        client, new_client, town, settings):
    await _badge_service(new_client, town)
    await csrf(client)
    png = photos.png(900, 600)
    r = await _send(client, _answers(autre=True), [("file.justificatif", ("bail.png", png, "image/png")),
                                                   ("file.permis", ("permis.jpg", photos.jpeg(1200, 900), "image/jpeg"))])
    assert r.status_code == 201, r.text
    rows = {a.code: a for a in await Attachment.filter(request__ref=r.json()["ref"])}
    assert set(rows) == {"justificatif", "permis"} and rows["justificatif"].kind == "jpeg"
    assert rows["justificatif"].name == "bail.jpg"
    kept = (documents.folder(settings) / rows["permis"].path).read_bytes()
    assert kept[:3] == b"\xff\xd8\xff" and b"TestCam" not in kept and b"GPS" not in kept  # no metadata left
    # The second vehicle's file is not asked when there is no second vehicle.
    r = await _send(client, _answers(autre=False), [("file.justificatif", ("f.pdf", PDF, "application/pdf")),
                                                    ("file.permis", ("p.pdf", PDF, "application/pdf"))])
    assert r.status_code == 422 and r.json()["error"]["code"] == "not_applicable"


async def test_wrong_files_and_dates_are_refused_and_nothing_is_stored(client, new_client, town, settings):
    await _badge_service(new_client, town)
    await csrf(client)
    yesterday = (date.today() - timedelta(days=2)).isoformat()
    justificatif = [("file.justificatif", ("f.pdf", PDF, "application/pdf"))]
    cases = [
        (_answers(), [], 422, "required", "attributes.justificatif"),
        (_answers(justificatif="f.pdf"), [], 422, "invalid_type", "attributes.justificatif"),
        (_answers(), [("file.justificatif", ("f.pdf", photos.TEXT_AS_JPG, "application/pdf"))], 422,
         "unsupported_document", "attributes.justificatif"),
        (_answers(), [("file.justificatif", ("f.pdf", PDF[:-8], "application/pdf"))], 422, "unsupported_document",
         "attributes.justificatif"),
        (_answers(), [("file.justificatif", ("f.svg", photos.SVG, "image/svg+xml"))], 422, "unsupported_document",
         "attributes.justificatif"),
        (_answers(), [("file.justificatif", ("f.jpg", photos.zip_polyglot(), "image/jpeg"))], 422,
         "unsupported_document", "attributes.justificatif"),
        (_answers(), [("file.justificatif", ("f.jpg", photos.truncated(), "image/jpeg"))], 422,
         "unsupported_document", "attributes.justificatif"),
        (_answers(), [("file.justificatif", ("f.png", photos.bomb(), "image/png"))], 413, "image_too_large",
         "attributes.justificatif"),
        (_answers(), [("file.justificatif", ("f.pdf", PDF + b"0" * settings.max_file_bytes, "application/pdf"))],
         413, "payload_too_large", "attributes.justificatif"),
        (_answers(), [("file.justificatif", ("f.pdf", b"", "application/pdf"))], 422, "required",
         "attributes.justificatif"),
        (_answers(), justificatif + [("file.inconnu", ("f.pdf", PDF, "application/pdf"))], 422, "unknown_field",
         "attributes.inconnu"),
        (_answers(depuis=yesterday), justificatif, 422, "in_the_past", "attributes.depuis"),
    ]
    for answers, files, status, code, field in cases:
        r = await _send(client, answers, files)
        error = r.json()["error"]
        assert (r.status_code, error["code"], error["field"]) == (status, code, field), (answers, files, r.text)
        assert error["message"]
    assert not await ServiceRequest.filter(service__code="badge").exists()
    assert await Attachment.all().count() == 0 and _stored_files(settings) == []


async def test_files_go_in_the_export_and_go_away_with_erasure_and_retention(client, new_client, town, settings):
    await _badge_service(new_client, town)
    user = await person(email="titulaire@example.org")
    me = await sign_in(new_client(), user)
    r = await _send(me, _answers(), [("file.justificatif", ("bail.pdf", PDF, "application/pdf"))])
    assert r.status_code == 201, r.text
    ref = r.json()["ref"]
    archive = zipfile.ZipFile(io.BytesIO((await me.get("/api/v1/me/export")).content))
    assert archive.read(f"files/{ref}/justificatif-bail.pdf") == PDF
    data = json.loads(archive.read("data.json"))
    [exported] = [q for q in data["requests"] if q["ref"] == ref]
    assert exported["files"] == [{"question": "justificatif", "name": "bail.pdf",
                                  "in_zip": f"files/{ref}/justificatif-bail.pdf"}]  # where we keep it stays ours

    assert (await me.request("DELETE", "/api/v1/me", json={"password": PASSWORD})).status_code == 204
    assert await Attachment.all().count() == 0 and _stored_files(settings) == []
    assert (await ServiceRequest.get(ref=ref)).attributes == {}

    # An anonymous request closed long ago: the purge takes its answers and its file.
    await csrf(client)
    r = await _send(client, _answers(), [("file.justificatif", ("bail.pdf", PDF, "application/pdf"))])
    old = r.json()["ref"]
    r = await _send(client, _answers(), [("file.justificatif", ("bail.pdf", PDF, "application/pdf"))])
    recent = r.json()["ref"]
    await ServiceRequest.filter(ref=old).update(
        status="resolved", updated_at=utcnow() - timedelta(days=settings.retention_personal_days + 1))
    counts = await retention.purge(settings)
    assert counts["personal_texts"] >= 1 and counts["files"] == 1
    assert (await ServiceRequest.get(ref=old)).attributes == {}
    assert [a.request_id for a in await Attachment.all()] == [(await ServiceRequest.get(ref=recent)).id]
    assert len(_stored_files(settings)) == 1
