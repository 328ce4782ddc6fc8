"""Catalogue and request endpoints: thin handlers over the requests services."""
from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from backend.accounts import service as accounts
from backend import shell
from backend.errors import ValidationFailed
from backend.geo import places
from backend.appointments import service as appointments
from backend.requests import catalogue, procedures, questions, schemas
from backend.requests.models import Service
from backend.validation import point
from backend.web import doc, json_response, language_of, read_json, viewer


def _dump_org(org, language: str) -> dict:
    """An organisation with its name in the asker's language (`name`) and in both (`name_fr`, `name_en`)."""
    return {"slug": org.slug, "name": org.name_en if language == "en" else org.name_fr, "name_fr": org.name_fr,
            "name_en": org.name_en, "kind": org.kind.value}


@doc("The catalogue that applies at a point (`lat`, `lon`) or of an organisation (`organisation`).",
     query={"lat": "latitude", "lon": "longitude", "organisation": "slug", "lang": "fr or en"}, tag="catalogue",
     responses={200: "`{organisation, items}`", 422: "outside_area"})
async def list_services(request: Request) -> JSONResponse:
    params = request.query_params
    v = await viewer(request)
    lang = language_of(request, v.user)
    if params.get("organisation"):
        org = await accounts.organisation_by_slug(params["organisation"])
        include_inactive = v.has_role(org.id, *catalogue.MANAGERS) and params.get("all") == "1"
        services = await catalogue.services_of(org, include_inactive=include_inactive)
    elif "lat" in params or "lon" in params:
        org, services = await catalogue.catalogue_at(*point(params.get("lat"), params.get("lon")))
    else:
        raise ValidationFailed("Give lat and lon, or organisation.", code="required", field="lat")
    name = org.name_en if lang == "en" else org.name_fr
    return json_response({
        "organisation": {"slug": org.slug, "name": name},
        "items": [catalogue.dump_service(s, lang) for s in services],
    })


@doc("The catalogue of procedures of an organisation, searched by words (`q`, either language, accents ignored), "
     "family (`family`, a group's French name) and audience (`audience`: individuals, companies, associations).",
     query={"organisation": "slug", "q": "words", "family": "group", "audience": "individuals, companies or "
            "associations"}, tag="catalogue",
     responses={200: "`{organisation, families, items: [service + page]}`", 404: "not_found", 422: "invalid_choice"})
async def list_procedures(request: Request) -> JSONResponse:
    params = request.query_params
    v = await viewer(request)
    lang = language_of(request, v.user)
    if not params.get("organisation"):
        raise ValidationFailed("Give the organisation.", code="required", field="organisation")
    org = await accounts.organisation_by_slug(params["organisation"])
    services = await catalogue.services_of(org)
    found = procedures.search(services, words=params.get("q", ""), family=params.get("family", ""),
                              audience=params.get("audience", ""))
    return json_response({
        "organisation": _dump_org(org, lang), "families": procedures.families(services, lang),
        "items": [catalogue.dump_service(s, lang) | {"page": procedures.page(s, lang)} for s in found],
    })


@doc("One procedure's page: the service, its questions, and what it is for, who may ask, the documents, the "
     "duration and the cost.", tag="catalogue", responses={200: "the service with `page` and `organisation`",
                                                               404: "unknown_service"})
async def get_procedure(request: Request) -> JSONResponse:
    v = await viewer(request)
    lang = language_of(request, v.user)
    org = await accounts.organisation_by_slug(request.path_params["slug"])
    service = await catalogue.service_by_code(org, request.path_params["code"])
    agendas = [appointments.dump_agenda(a, lang) for a in await appointments.agendas_of(service)]
    return json_response(catalogue.dump_service(service, lang) | {"page": procedures.page(service, lang),
                                                                  "organisation": _dump_org(org, lang),
                                                                  "agendas": agendas})


@doc("Add a service to an organisation's catalogue (service managers).", body=schemas.new_service, auth="staff",
     tag="catalogue", responses={201: "the service", 403: "forbidden", 409: "service_exists"})
async def create_service(request: Request) -> JSONResponse:
    v = await viewer(request)
    org = await accounts.organisation_by_slug(request.path_params["slug"])
    form = await read_json(request, schemas.new_service)
    service = await catalogue.create_service(viewer=v, organisation=org,
                                             fields={k: val for k, val in form.items() if val is not None})
    return json_response(catalogue.dump_service(service, language_of(request, v.user)), 201)


@doc("Change a service of the catalogue (service managers); `active: false` withdraws it.",
     body=schemas.service_update, auth="staff", tag="catalogue", responses={200: "the service", 403: "forbidden"})
async def update_service(request: Request) -> JSONResponse:
    v = await viewer(request)
    org = await accounts.organisation_by_slug(request.path_params["slug"])
    form = await read_json(request, schemas.service_update)
    service = await catalogue.update_service(viewer=v, organisation=org, code=request.path_params["code"],
                                             fields={k: val for k, val in form.items() if val is not None})
    return json_response(catalogue.dump_service(service, language_of(request, v.user)))


@doc("A procedure's questions as its managers edit them: both languages, the withdrawn ones, the version, and "
     "the versions before.", auth="staff", tag="catalogue",
     responses={200: "`{code, name, kind, version, attributes, history}`", 403: "forbidden"})
async def get_questions(request: Request) -> JSONResponse:
    v = await viewer(request)
    org = await accounts.organisation_by_slug(request.path_params["slug"])
    service = await catalogue.editable(viewer=v, organisation=org, code=request.path_params["code"])
    return json_response({"code": service.code, "name": catalogue.localised(service, "name", language_of(request, v.user)),
                          "kind": service.kind.value, "version": service.questions_version,
                          "attributes": service.attributes, "history": await questions.history(service)})


@doc("The procedures whose questions the viewer may change (service managers).", auth="staff", tag="catalogue",
     responses={200: "`{items: [{organisation, organisation_name, code, name, version}]}`"})
async def editable_services(request: Request) -> JSONResponse:
    v = await viewer(request)
    v.require_user()
    lang = language_of(request, v.user)
    orgs = v.org_ids_with(*catalogue.MANAGERS) | set(v.service_ids_with(*catalogue.MANAGERS))
    rows = await Service.filter(organisation_id__in=list(orgs), kind="form").select_related("organisation") \
        .order_by("organisation_id", "position", "name_fr") if orgs else []
    return json_response({"items": [
        {"organisation": s.organisation.slug, "organisation_name": catalogue.localised(s.organisation, "name", lang),
         "code": s.code, "name": catalogue.localised(s, "name", lang), "version": s.questions_version,
         "active": s.active}
        for s in rows if v.has_role(s.organisation_id, *catalogue.MANAGERS, service_id=s.id)]})


@doc("The organisations: canton, districts, municipalities.", tag="organisations",
     responses={200: "`{items: [...], next_cursor: null}`"})
async def list_organisations(request: Request) -> JSONResponse:
    orgs = await accounts.organisation_tree()
    lang = language_of(request, (await viewer(request)).user)
    by_id = {o.id: o for o in orgs}
    return json_response({"items": [
        _dump_org(o, lang) | {"parent": by_id[o.parent_id].slug if o.parent_id in by_id else None,
                        "bbox": [o.min_lon, o.min_lat, o.max_lon, o.max_lat] if o.boundary else None}
        for o in orgs
    ], "next_cursor": None})


@doc("One organisation with its boundary and contact.", tag="organisations", responses={200: "the organisation"})
async def get_organisation(request: Request) -> JSONResponse:
    org = await accounts.organisation_by_slug(request.path_params["slug"])
    return json_response(_dump_org(org, language_of(request, (await viewer(request)).user)) | {
        "contact_email": org.contact_email, "contact_phone": org.contact_phone, "address": org.address,
        "opening_hours": org.opening_hours, "boundary": org.boundary,
    })


@doc("The organisation that serves a point.", query={"lat": "latitude", "lon": "longitude"}, tag="organisations",
     responses={200: "the organisation", 422: "outside_area"})
async def organisation_at(request: Request) -> JSONResponse:
    org = await accounts.organisation_at(*point(request.query_params.get("lat"), request.query_params.get("lon")))
    return json_response(_dump_org(org, language_of(request, (await viewer(request)).user)))


@doc("Places matching an address (`q`, 3 to 200 characters) within the area served: the geocoder's, then the "
     "addresses of public reports.", query={"q": "an address or a part of it"}, tag="organisations",
     responses={200: "`{items: [{label, lat, lon, source}]}`", 422: "too_short, too_long"})
async def find_places(request: Request) -> JSONResponse:
    text = (request.query_params.get("q") or "").strip()
    if len(text) < places.MIN_LENGTH:
        raise ValidationFailed("Type at least 3 characters.", code="too_short", field="q")
    if len(text) > places.MAX_LENGTH:
        raise ValidationFailed("q is too long.", code="too_long", field="q", params={"max": places.MAX_LENGTH})
    boxes = list((await shell.served_area())["areas"].values())
    area = [min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes)] \
        if boxes else None
    items = await places.search(text, geocoder=request.app.state.geocoder, area=area)
    return json_response({"items": items})


routes = [
    Route("/api/v1/places", find_places, methods=["GET"]),
    Route("/api/v1/services", list_services, methods=["GET"]),
    Route("/api/v1/procedures", list_procedures, methods=["GET"]),
    Route("/api/v1/procedures/{slug}/{code}", get_procedure, methods=["GET"]),
    Route("/api/v1/organisations", list_organisations, methods=["GET"]),
    Route("/api/v1/organisations/at", organisation_at, methods=["GET"]),
    Route("/api/v1/organisations/{slug}", get_organisation, methods=["GET"]),
    Route("/api/v1/organisations/{slug}/services", create_service, methods=["POST"]),
    Route("/api/v1/organisations/{slug}/services/{code}", update_service, methods=["PATCH"]),
    Route("/api/v1/organisations/{slug}/services/{code}/questions", get_questions, methods=["GET"]),
    Route("/api/v1/staff/procedures", editable_services, methods=["GET"]),
]
