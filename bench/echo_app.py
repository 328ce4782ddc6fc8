"""The baseline: a bare Starlette JSON echo under the same uvicorn."""
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route


async def echo(request: Request) -> JSONResponse:
    return JSONResponse(await request.json() if request.method == "POST" else {"ok": True}, status_code=201)


app = Starlette(routes=[Route("/echo", echo, methods=["GET", "POST"])])
