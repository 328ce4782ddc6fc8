"""Issue 19, point 4: an applicant attaches a copy of an identity document; only the deciders see it, and it is
deleted once the request is decided or withdrawn."""
from __future__ import annotations

import io
import json
import zipfile

from backend.accounts.access_documents import folder
from backend.accounts.models import AccessRequest, Role
from tests import photos
from tests.api.test_staff_access import NAMES
from tests.factories import csrf, person, sign_in

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


async def _applied(new_client, town):
    applicant = await sign_in(new_client(), await person())
    r = await applicant.post("/api/v1/access/requests", json={"kind": "account", "organisation": "brenles",
                                                              "identity": NAMES})
    return applicant, r.json()["items"][0]["id"]


async def test_only_the_deciders_see_the_document_and_it_goes_with_the_decision(client, new_client, town, settings):
    await csrf(client)
    secretary = await sign_in(new_client(), await person(Role.SECRETARY, town.brenles))
    applicant, asked = await _applied(new_client, town)
    path = f"/api/v1/access/requests/{asked}/document"
    r = await applicant.post(path, files={"document": ("carte.pdf", PDF, "application/pdf")})
    assert r.status_code == 201 and r.json()["document"]["type"] == "pdf", r.text
    first = (await AccessRequest.get(id=asked)).document_name
    r = await applicant.post(path, files={"document": ("carte.png", photos.png(900, 600), "image/png")})
    assert r.status_code == 201 and r.json()["document"]["type"] == "jpeg"  # a photo is re-encoded, no metadata
    assert not (folder(settings) / first).exists()  # the earlier copy is gone

    got = await secretary.get(path)
    assert got.status_code == 200 and got.headers["content-type"] == "image/jpeg"
    assert got.headers["cache-control"] == "no-store" and got.content[:3] == b"\xff\xd8\xff"
    box = (await secretary.get("/api/v1/access/requests", params={"box": "identity"})).json()["items"]
    assert box[0]["document"]["url"] == path
    for stranger in (await person(Role.SECRETARY, town.chesalles), await person(Role.AGENT, town.brenles), await person()):
        assert (await (await sign_in(new_client(), stranger)).get(path)).status_code == 404
    assert (await client.get(path)).status_code == 401

    stored = folder(settings) / (await AccessRequest.get(id=asked)).document_name
    r = await secretary.post(f"/api/v1/access/requests/{asked}/decision",
                             json={"accept": True, "identity_method": "document"})
    assert r.status_code == 200 and r.json()["document"] is None
    assert not stored.exists() and (await AccessRequest.get(id=asked)).document_name == ""
    assert (await applicant.get(path)).status_code == 404
    # The request, and who the applicant said they were, are in their own data.
    data = json.loads(zipfile.ZipFile(io.BytesIO((await applicant.get("/api/v1/me/export")).content)).read("data.json"))
    assert data["staff_access_requests"][0]["identity"]["surname"] == NAMES["surname"]


async def test_wrong_documents_are_refused_and_a_withdrawal_deletes_the_copy(client, new_client, town, settings):
    await csrf(client)
    applicant, asked = await _applied(new_client, town)
    path = f"/api/v1/access/requests/{asked}/document"
    for name, data, status, code in (("a.txt", b"bonjour", 422, "unsupported_document"),
                                     ("cut.pdf", PDF[:-8], 422, "unsupported_document"),
                                     ("huge.pdf", PDF + b"0" * settings.identity_document_max_bytes, 413, None),
                                     ("bomb.png", photos.bomb(), 413, None),
                                     ("poly.jpg", photos.html_polyglot(), 422, None)):
        r = await applicant.post(path, files={"document": (name, data, "application/octet-stream")})
        assert r.status_code == status and (code is None or r.json()["error"]["code"] == code), name
    assert (await AccessRequest.get(id=asked)).document_name == "" and list(folder(settings).iterdir()) == []
    other, _ = await _applied(new_client, town)
    assert (await other.post(path, files={"document": ("c.pdf", PDF, "application/pdf")})).status_code == 404

    assert (await applicant.post(path, files={"document": ("c.pdf", PDF, "application/pdf")})).status_code == 201
    assert len(list(folder(settings).iterdir())) == 1
    assert (await applicant.post(f"/api/v1/access/requests/{asked}/withdraw", json={})).status_code == 204
    assert list(folder(settings).iterdir()) == []
