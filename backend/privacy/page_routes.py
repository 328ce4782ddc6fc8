"""The legal and information pages: read by anyone, written by an organisation's administrators."""
from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from backend.accounts import organisations
from backend.privacy import pages, schemas
from backend.web import doc, json_response, language_of, read_json, settings_of, viewer

KINDS = ", ".join(pages.KINDS)


async def _organisation(request: Request):
    slug = request.query_params.get("organisation") or request.path_params.get("slug")
    return await organisations.organisation_by_slug(slug) if slug else await pages.home_organisation()


@doc(f"A legal or information page ({KINDS}) of an organisation (default: the town this server is for), in the "
     "language asked (`?lang=`, else Accept-Language): the administrators' text, else the built-in one.",
     query={"organisation": "slug", "lang": "fr or en"}, tag="pages",
     responses={200: "`{kind, organisation, language, title, body, edited, updated_at}`", 404: "unknown_page"})
async def read_page(request: Request) -> JSONResponse:
    org = await _organisation(request)
    body = await pages.page(org, request.path_params["kind"], language_of(request), settings_of(request))
    return json_response(body, headers={"cache-control": "no-cache"})


@doc("Administrators: write a page of their organisation in one language (audited).", body=schemas.page,
     auth="staff", tag="pages", responses={200: "the page", 403: "forbidden", 404: "unknown_page"})
async def write_page(request: Request) -> JSONResponse:
    org = await _organisation(request)
    form = await read_json(request, schemas.page)
    return json_response(await pages.save(viewer=await viewer(request), org=org, kind=request.path_params["kind"],
                                          settings=settings_of(request), **form))


@doc("Administrators: drop their text of a page in one language (`?lang=`): the built-in text shows again.",
     query={"lang": "fr or en"}, auth="staff", tag="pages", responses={200: "the page", 403: "forbidden"})
async def reset_page(request: Request) -> JSONResponse:
    org = await _organisation(request)
    return json_response(await pages.reset(viewer=await viewer(request), org=org, kind=request.path_params["kind"],
                                           language=request.query_params.get("lang", ""), settings=settings_of(request)))


routes = [
    Route("/api/v1/pages/{kind}", read_page, methods=["GET"]),
    Route("/api/v1/organisations/{slug}/pages/{kind}", write_page, methods=["PUT"]),
    Route("/api/v1/organisations/{slug}/pages/{kind}", reset_page, methods=["DELETE"]),
]
