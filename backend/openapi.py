"""Builds the OpenAPI 3.1 document from the routes and the `@doc` each handler carries."""
from __future__ import annotations

import re
from typing import Any

from starlette.routing import BaseRoute, Mount, Route

ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {"error": {
        "type": "object", "required": ["code", "message", "field"],
        "properties": {"code": {"type": "string"}, "message": {"type": "string"},
                       "field": {"type": ["string", "null"]}},
    }},
}
_PARAM = re.compile(r"{([a-zA-Z_][a-zA-Z0-9_]*)(:[a-z]+)?}")


def api_routes(routes: list[BaseRoute], prefix: str = "") -> list[tuple[str, str, Any]]:
    """(method, path, endpoint) for every API route, mounts included."""
    found = []
    for route in routes:
        if isinstance(route, Route) and route.include_in_schema:
            for method in sorted((route.methods or {"GET"}) - {"HEAD"}):
                found.append((method, prefix + route.path, route.endpoint))
        elif isinstance(route, Mount) and route.routes:
            found.extend(api_routes(list(route.routes), prefix + route.path))
    return found


def build(routes: list[BaseRoute], *, version: str) -> dict[str, Any]:
    paths: dict[str, dict] = {}
    for method, path, endpoint in api_routes(routes):
        meta = getattr(endpoint, "openapi", None)
        if meta is None:
            continue
        oa_path = _PARAM.sub(r"{\1}", path)
        operation: dict[str, Any] = {
            "summary": meta["summary"],
            "operationId": f"{method.lower()}_{endpoint.__name__}",
            "tags": [meta["tag"]] if meta["tag"] else [],
            "parameters": [
                {"name": name, "in": "path", "required": True,
                 "schema": {"type": "integer" if conv == ":int" else "string"}}
                for name, conv in _PARAM.findall(path)
            ] + [
                {"name": name, "in": "query", "required": False, "description": text, "schema": {"type": "string"}}
                for name, text in meta["query"].items()
            ],
            "responses": {
                str(code): ({"description": text, "content": {"application/json": {"schema": ERROR_SCHEMA}}}
                            if code >= 400 else {"description": text})
                for code, text in meta["responses"].items()
            },
        }
        operation["responses"].setdefault("default", {
            "description": "An error in the shape of API.md",
            "content": {"application/json": {"schema": ERROR_SCHEMA}},
        })
        if method in ("GET", "DELETE"):  # no body: `content` is what a GET answers (a spreadsheet, a stream)
            if meta["content"] != "application/json" and "200" in operation["responses"]:
                operation["responses"]["200"]["content"] = {meta["content"]: {"schema": {"type": "string"}}}
        elif meta["body"] is not None:
            operation["requestBody"] = {"required": True, "content": {
                meta["content"]: {"schema": meta["body"].json_schema()}}}
        elif meta["content"] != "application/json":
            operation["requestBody"] = {"required": True, "content": {meta["content"]: {"schema": {"type": "object"}}}}
        if meta["auth"] != "none":
            operation["security"] = [{"session": []}, {"bearer": []}]
            operation["description"] = f"Requires: {meta['auth']}."
        paths.setdefault(oa_path, {})[method.lower()] = operation
    return {
        "openapi": "3.1.0",
        "info": {"title": "Guichet API", "version": version,
                 "description": "A municipality's digital counter. Errors: `{error: {code, message, field}}`."},
        "paths": paths,
        "components": {
            "schemas": {"Error": ERROR_SCHEMA},
            "securitySchemes": {
                "session": {"type": "apiKey", "in": "cookie", "name": "guichet_session",
                            "description": "Browsers: also send X-CSRF-Token from GET /api/v1/session."},
                "bearer": {"type": "http", "scheme": "bearer", "description": "Personal API token."},
            },
        },
    }
