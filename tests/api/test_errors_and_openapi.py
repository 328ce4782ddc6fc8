"""One error shape everywhere, and an OpenAPI document that lists every route."""
from __future__ import annotations

from backend.openapi import api_routes


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
