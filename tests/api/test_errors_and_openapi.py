"""One error shape everywhere, and an OpenAPI document that lists every route."""
from __future__ import annotations

import re
from pathlib import Path

from backend.openapi import api_routes
from tests.factories import IN_BRENLES, csrf

ROOT = Path(__file__).resolve().parents[2]


async def test_starlette_errors_come_in_the_api_shape(client):
    r = await client.get("/api/v1/does-not-exist")
    assert r.status_code == 404 and r.json() == {"error": {"code": "not_found", "message": "Nothing here.", "field": None}}
    r = await client.delete("/api/v1/session")
    assert r.status_code == 405 and r.json()["error"]["code"] == "method_not_allowed"
    r = await client.get("/static/nothing.js")
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"


async def test_an_unexpected_failure_is_a_json_500_without_a_trace(app, client):
    from starlette.routing import Route

    async def boom(request):
        raise RuntimeError("secret internals")

    app.router.routes.insert(0, Route("/api/v1/boom", boom))
    import httpx
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app, raise_app_exceptions=False),
                                 base_url="http://testserver") as c:
        r = await c.get("/api/v1/boom")
    assert r.status_code == 500
    assert r.json() == {"error": {"code": "internal_error", "message": "Something went wrong on our side.", "field": None}}
    assert "secret" not in r.text


async def test_the_openapi_document_lists_every_api_route(app, client):
    doc = (await client.get("/api/openapi.json")).json()
    assert doc["openapi"] == "3.1.0"
    listed = {(m, p) for p, ops in doc["paths"].items() for m in ops}
    routes = [(m.lower(), p.replace(":int", "")) for m, p, _ in api_routes(app.routes)
              if p.startswith("/api/")]
    assert routes, "no API route found"
    missing = [r for r in routes if r not in listed]
    assert not missing, f"routes missing from OpenAPI: {missing}"
    register = doc["paths"]["/api/v1/auth/register"]["post"]
    schema = register["requestBody"]["content"]["application/json"]["schema"]
    assert schema["required"] == ["email", "password", "name"] and schema["additionalProperties"] is False
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            assert op["summary"], (method, path)
            assert "default" in op["responses"]


async def test_the_app_shell_answers_client_side_routes(client):
    r = await client.get("/account/verify?token=abc")
    assert r.status_code == 200 and "text/html" in r.headers["content-type"]
    assert r.headers["content-security-policy"].startswith("default-src 'self'")


async def test_a_client_that_hangs_up_mid_body_changes_nothing_and_is_not_a_crash(app, town, caplog):
    from backend.requests.models import ServiceRequest

    body = b'{"service": "voirie", "lat": 46.67, "lon": 6.85, "description": "Tr'
    messages = [{"type": "http.request", "body": body, "more_body": True}, {"type": "http.disconnect"}]
    sent: list[dict] = []

    async def receive() -> dict:
        return messages.pop(0)

    async def send(message: dict) -> None:
        sent.append(message)

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST", "scheme": "http",
             "path": "/api/v1/requests", "raw_path": b"/api/v1/requests", "query_string": b"", "root_path": "",
             "headers": [(b"host", b"testserver"), (b"content-type", b"application/json")],
             "client": ("127.0.0.1", 5000), "server": ("testserver", 80)}
    await app(scope, receive, send)  # must not raise
    assert sent[0]["status"] == 400
    assert await ServiceRequest.all().count() == 0
    assert not [r for r in caplog.records if r.levelname in ("ERROR", "CRITICAL")]


def _texts(path: Path) -> dict[str, str]:
    return dict(re.findall(r'"errors\.([a-z_]+)": "((?:[^"\\]|\\.)*)"', path.read_text()))


def test_the_app_has_a_french_and_an_english_text_for_every_error_code_the_server_sends():
    """Issue 21, point 4: the app says each error in its own language, by code; a code added on the server without
    its texts would reach a French citizen in English."""
    source = "\n".join(p.read_text() for p in (ROOT / "backend").rglob("*.py"))
    codes = set(re.findall(r'\bcode="([a-z_]+)"', source))
    codes |= set(re.findall(r'\bcode(?:, message)? = "([a-z_]+)"', source))
    codes |= set(re.findall(r'status, code, message = \d+, "([a-z_]+)"', source))
    assert {"invalid_credentials", "password_too_common", "link_expired", "reopen_period_over"} <= codes
    fr = _texts(ROOT / "pwa/static/js/strings/fr-errors.js")
    en = _texts(ROOT / "pwa/static/js/strings/en-errors.js")
    assert not codes - set(fr), f"no French text for {sorted(codes - set(fr))}"
    assert set(fr) == set(en)
    for code in fr:  # the same numbers in both languages
        assert set(re.findall(r"\{(\w+)\}", fr[code])) == set(re.findall(r"\{(\w+)\}", en[code])), code


async def test_an_error_with_a_limit_carries_it_for_the_app_to_say(client, town):
    """The numbers of a message come apart from its English words, so that the app can put them in its own."""
    await csrf(client)
    r = await client.post("/api/v1/auth/register",
                          json={"name": "Léa", "email": "lea@example.org", "password": "short"})
    assert r.status_code == 422
    assert r.json()["error"]["code"] == "password_too_short" and r.json()["error"]["params"] == {"min": 10}
    r = await client.post("/api/v1/requests", json={
        "service": "proprete", "lat": IN_BRENLES[0], "lon": IN_BRENLES[1], "description": "x" * 5000, "contact_email": "a@b.ch"})
    assert r.status_code == 422 and r.json()["error"]["field"] == "description"
    assert r.json()["error"]["params"] == {"max": 4000}
