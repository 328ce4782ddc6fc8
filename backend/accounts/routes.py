"""Account endpoints: thin handlers over accounts.service."""
from __future__ import annotations

import secrets

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from backend.accounts import schemas, second_factor, service
from backend.errors import Forbidden
from backend.middleware import CSRF_COOKIE, SESSION_COOKIE, csrf_token_for
from backend.push import service as push
from backend.realtime import service as live
from backend.web import client_ip, doc, json_response, read_json, settings_of, viewer

USER_SHAPE = {200: "`{user}`"}
NO_STORE = {"cache-control": "no-store"}
DEVICE_COOKIE = "gch_device"  # which browser this is, so that a sign-in from a new one is told to the owner


def _set_cookie(request: Request, response: Response, name: str, value: str, max_age: int) -> None:
    response.set_cookie(name, value, max_age=max_age, httponly=True, samesite="lax", path="/",
                        secure=settings_of(request).secure_cookies)


def _ensure_csrf_cookie(request: Request, response: Response, session: str | None = None) -> str:
    """Gives the browser its CSRF cookie when it has none; returns the token bound to it and to the session
    (the request's, or `session` when this answer sets a new one)."""
    value = request.cookies.get(CSRF_COOKIE)
    if not value:
        value = secrets.token_urlsafe(24)
        _set_cookie(request, response, CSRF_COOKIE, value, max_age=400 * 86400)
    current = request.cookies.get(SESSION_COOKIE, "") if session is None else session
    return csrf_token_for(settings_of(request).secret_key, value, current)


async def _user_body(user) -> dict:
    memberships = await service.active_memberships(user)
    return {"user": service.dump_user(user, memberships)}


@doc("The signed-in user (or null), the CSRF token and the unread message count.", tag="accounts",
     responses={200: "`{user, csrf_token, unread_messages}`"})
async def get_session(request: Request) -> JSONResponse:
    v = await viewer(request)
    cookies = Response()
    body = {
        "user": service.dump_user(v.user, v.memberships) | {"second_factor_missing": v.second_factor_missing}
        if v.user else None,
        "csrf_token": _ensure_csrf_cookie(request, cookies),
        "unread_messages": await push.unread_count(user_id=v.user.id) if v.user else 0,
    }
    response = json_response(body, headers=NO_STORE)
    response.raw_headers.extend(h for h in cookies.raw_headers if h[0] == b"set-cookie")
    return response


@doc("Create a citizen account; an e-mail verification link is sent. The answer is the same when the address "
     "already has an account (its owner is told by e-mail): nobody learns who has an account here.",
     body=schemas.register, tag="accounts",
     responses={202: "`{email, verification_sent: true}`", 422: "password_too_short, password_too_common, ..."})
async def register(request: Request) -> JSONResponse:
    form = await read_json(request, schemas.register)
    await service.register(settings=settings_of(request), ip=client_ip(request), **form)
    return json_response({"email": form["email"], "verification_sent": True}, 202)


@doc("Confirm the e-mail address with the token of the link.", body=schemas.token_only, tag="accounts",
     responses={200: "`{user}`", 410: "link_expired"})
async def verify_email(request: Request) -> JSONResponse:
    form = await read_json(request, schemas.token_only)
    return json_response(await _user_body(await service.verify_email(token=form["token"])))


@doc("Send the verification link again.", auth="user", tag="accounts", responses={202: "queued"})
async def resend_verification(request: Request) -> Response:
    user = (await viewer(request)).require_user()
    await service.resend_verification(settings=settings_of(request), user=user)
    return Response(status_code=202)


@doc("Sign in; sets the session cookie and answers the CSRF token of the new session.", body=schemas.login,
     tag="accounts", responses={200: "`{user, csrf_token}`", 401: "invalid_credentials or second_factor_required", 429: "too_many_requests"})
async def login(request: Request) -> JSONResponse:
    form = await read_json(request, schemas.login)
    signed = await service.login(settings=settings_of(request), ip=client_ip(request),
                                 user_agent=request.headers.get("user-agent", ""),
                                 device=request.cookies.get(DEVICE_COOKIE, ""), **form)
    cookies = Response()
    csrf_token = _ensure_csrf_cookie(request, cookies, session=signed.token)
    response = json_response(await _user_body(signed.user) | {"csrf_token": csrf_token}, headers=NO_STORE)
    response.raw_headers.extend(h for h in cookies.raw_headers if h[0] == b"set-cookie")
    _set_cookie(request, response, SESSION_COOKIE, signed.token,
                max_age=settings_of(request).session_idle_days * 86400)
    _set_cookie(request, response, DEVICE_COOKIE, signed.device, max_age=400 * 86400)
    return response


@doc("Sign out: ends the session.", tag="accounts", responses={204: "signed out"})
async def logout(request: Request) -> Response:
    session = (await viewer(request)).session
    await service.logout(session=session)
    if session is not None:  # its live screens end now, in every process
        await live.publish_access_change(request.app.state.bus, session_id=session.id)
    response = Response(status_code=204)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@doc("Ask for a password reset link (the answer is the same whether the account exists or not).",
     body=schemas.email_only, tag="accounts", responses={202: "sent if the account exists"})
async def password_reset(request: Request) -> Response:
    form = await read_json(request, schemas.email_only)
    await service.request_password_reset(settings=settings_of(request), email=form["email"], ip=client_ip(request))
    return Response(status_code=202)


@doc("Choose a new password with the token of the reset link.", body=schemas.reset_confirm, tag="accounts",
     responses=USER_SHAPE | {410: "link_expired"})
async def password_reset_confirm(request: Request) -> JSONResponse:
    form = await read_json(request, schemas.reset_confirm)
    user = await service.reset_password(settings=settings_of(request), **form)
    return json_response(await _user_body(user))


@doc("Change the password; other sessions are ended.", body=schemas.change_password, auth="user", tag="accounts",
     responses=USER_SHAPE)
async def change_password(request: Request) -> JSONResponse:
    v = await viewer(request)
    form = await read_json(request, schemas.change_password)
    user = await service.change_password(settings=settings_of(request), user=v.require_user(), session=v.session,
                                         current=form["current_password"], new=form["new_password"])
    return json_response(await _user_body(user))


@doc("Change the e-mail address: a confirmation link goes to the new address.", body=schemas.change_email,
     auth="user", tag="accounts", responses={202: "link sent"})
async def change_email(request: Request) -> Response:
    v = await viewer(request)
    form = await read_json(request, schemas.change_email)
    await service.request_email_change(settings=settings_of(request), user=v.require_user(), **form)
    return Response(status_code=202)


@doc("Confirm a new e-mail address with the token of the link.", body=schemas.token_only, tag="accounts",
     responses=USER_SHAPE | {410: "link_expired"})
async def confirm_email_change(request: Request) -> JSONResponse:
    form = await read_json(request, schemas.token_only)
    return json_response(await _user_body(await service.confirm_email_change(token=form["token"])))


@doc("The signed-in user's profile.", auth="user", tag="accounts", responses=USER_SHAPE)
async def get_me(request: Request) -> JSONResponse:
    return json_response(await _user_body((await viewer(request)).require_user()))


@doc("Change the name, the language, the phone or the postal address (an empty value clears it).", body=schemas.profile, auth="user", tag="accounts", responses=USER_SHAPE)
async def update_me(request: Request) -> JSONResponse:
    user = (await viewer(request)).require_user()
    form = await read_json(request, schemas.profile)
    return json_response(await _user_body(await service.update_profile(user=user, **form)))


def _dump_token(row) -> dict:
    return {"id": row.id, "name": row.name, "prefix": row.prefix, "created_at": row.created_at.isoformat(),
            "last_used_at": row.last_used_at.isoformat() if row.last_used_at else None,
            "scopes": row.scopes.split(), "expires_at": service.token_expiry(row).isoformat()}


@doc("Personal API tokens (Bearer) of the signed-in user.", auth="user", tag="accounts",
     responses={200: "`{items: [...], next_cursor: null}`"})
async def list_tokens(request: Request) -> JSONResponse:
    user = (await viewer(request)).require_user()
    rows = await service.list_api_tokens(user=user)
    return json_response({"items": [_dump_token(r) for r in rows], "next_cursor": None})


@doc("Create a personal API token, with scopes and an end; its value is shown once. Made in a browser session "
     "(a staff account's after its second factor); it ends with any password change or reset.",
     body=schemas.api_token, auth="user", tag="accounts",
     responses={201: "the token with its `token` value", 403: "second_factor_required, session_required"})
async def create_token(request: Request) -> JSONResponse:
    v = await viewer(request)
    v.require_user()
    form = await read_json(request, schemas.api_token)
    row, token = await service.create_api_token(viewer=v, name=form["name"], scopes=form.get("scopes"),
                                                expires_in_days=form["expires_in_days"])
    return json_response(_dump_token(row) | {"token": token}, 201, headers={"cache-control": "no-store"})


@doc("Revoke a personal API token.", auth="user", tag="accounts", responses={204: "revoked"})
async def revoke_token(request: Request) -> Response:
    user = (await viewer(request)).require_user()
    await service.revoke_api_token(user=user, token_id=int(request.path_params["token_id"]))
    return Response(status_code=204)


@doc("Start setting up the second factor: a new secret for an authenticator app, with its QR code.", auth="user",
     tag="accounts", responses={200: "`{secret, otpauth_uri, qr, enrolment}`", 409: "second_factor_enrolled"})
async def second_factor_enrolment(request: Request) -> JSONResponse:
    user = (await viewer(request)).require_user()
    return json_response(second_factor.enrolment(user, secret_key=settings_of(request).secret_key), headers=NO_STORE)


@doc("Finish setting up the second factor with a code of the app; answers the ten recovery codes, shown once. "
     "This session has then passed the second factor; the account's other sessions end.",
     body=schemas.second_factor, auth="user", tag="accounts",
     responses={201: "`{recovery_codes}`", 409: "second_factor_enrolled", 422: "invalid_totp"})
async def second_factor_confirm(request: Request) -> JSONResponse:
    v = await viewer(request)
    form = await read_json(request, schemas.second_factor)
    codes = await second_factor.confirm(user=v.require_user(), session=v.session,
                                        secret_key=settings_of(request).secret_key, **form)
    return json_response({"recovery_codes": codes}, 201, headers={"cache-control": "no-store"})


@doc("New recovery codes (the old ones stop working), in a session that passed the second factor.", auth="user",
     tag="accounts", responses={201: "`{recovery_codes}`", 403: "second_factor_required"})
async def renew_recovery_codes(request: Request) -> JSONResponse:
    v = await viewer(request)
    user = v.require_user()
    if not user.totp_secret or v.session is None or v.session.second_factor_at is None:
        raise Forbidden("Sign in with your second factor first.", code="second_factor_required")
    return json_response({"recovery_codes": await second_factor.renew_recovery_codes(user=user)}, 201,
                         headers={"cache-control": "no-store"})


@doc("How many recovery codes are left.", auth="user", tag="accounts", responses={200: "`{enrolled, recovery_codes_left}`"})
async def second_factor_state(request: Request) -> JSONResponse:
    user = (await viewer(request)).require_user()
    return json_response({"enrolled": bool(user.totp_secret),
                          "recovery_codes_left": await second_factor.recovery_codes_left(user)})


routes = [
    Route("/api/v1/me/second-factor", second_factor_state, methods=["GET"]),
    Route("/api/v1/me/second-factor/enrolment", second_factor_enrolment, methods=["POST"]),
    Route("/api/v1/me/second-factor", second_factor_confirm, methods=["POST"]),
    Route("/api/v1/me/second-factor/recovery-codes", renew_recovery_codes, methods=["POST"]),
    Route("/api/v1/session", get_session, methods=["GET"]),
    Route("/api/v1/auth/register", register, methods=["POST"]),
    Route("/api/v1/auth/verify-email", verify_email, methods=["POST"]),
    Route("/api/v1/auth/resend-verification", resend_verification, methods=["POST"]),
    Route("/api/v1/auth/login", login, methods=["POST"]),
    Route("/api/v1/auth/logout", logout, methods=["POST"]),
    Route("/api/v1/auth/password-reset", password_reset, methods=["POST"]),
    Route("/api/v1/auth/password-reset/confirm", password_reset_confirm, methods=["POST"]),
    Route("/api/v1/auth/email-change/confirm", confirm_email_change, methods=["POST"]),
    Route("/api/v1/me", get_me, methods=["GET"]),
    Route("/api/v1/me", update_me, methods=["PATCH"]),
    Route("/api/v1/me/password", change_password, methods=["POST"]),
    Route("/api/v1/me/email", change_email, methods=["POST"]),
    Route("/api/v1/me/tokens", list_tokens, methods=["GET"]),
    Route("/api/v1/me/tokens", create_token, methods=["POST"]),
    Route("/api/v1/me/tokens/{token_id:int}", revoke_token, methods=["DELETE"]),
]
