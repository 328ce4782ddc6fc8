"""Issue 18, point 7: the security headers on every kind of answer: the app's HTML, the API, and the photos."""
from __future__ import annotations

from tests import photos
from tests.factories import IN_BRENLES, csrf


async def test_html_api_and_media_answers_carry_every_security_header(client, town):
    await csrf(client)
    r = await client.post("/api/v1/requests", data={
        "service": "proprete", "lat": str(IN_BRENLES[0]), "lon": str(IN_BRENLES[1]), "contact_email": "h@example.org"},
        files=[("photo", ("p.jpg", photos.jpeg(640, 480), "image/jpeg"))])
    assert r.status_code == 201, r.text
    photo = r.json()["photos"][0]
    answers = {"html": await client.get("/"), "api": await client.get("/api/v1/session"),
               "media": await client.get(photo["url"]), "thumbnail": await client.get(photo["thumbnail_url"])}
    for kind, answer in answers.items():
        assert answer.status_code == 200, kind
        h = answer.headers
        csp = {part.split()[0]: part.split()[1:] for part in h["content-security-policy"].split("; ")}
        assert csp["script-src"] == ["'self'"], kind  # no 'unsafe-inline', no 'unsafe-eval', no other origin
        assert csp["frame-ancestors"] == ["'none'"] and csp["default-src"] == ["'self'"], kind
        assert h["x-content-type-options"] == "nosniff", kind
        assert h["referrer-policy"] == "same-origin", kind
        assert h["permissions-policy"] == "geolocation=(self), camera=(self)", kind
        assert h["x-frame-options"] == "DENY", kind
