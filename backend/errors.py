"""The one error tree of Guichet; `handlers.py` turns each into the JSON body of API.md.

GuichetError                      500 internal_error
 ├── BadRequest                   400 bad_request
 │    └── MalformedJson           400 malformed_json
 ├── NotAuthenticated             401 not_authenticated
 │    ├── InvalidCredentials      401 invalid_credentials
 │    └── SecondFactorRequired    401 second_factor_required
 ├── Forbidden                    403 forbidden
 │    └── CsrfFailed              403 csrf_failed
 ├── NotFound                     404 not_found
 ├── MethodNotAllowed             405 method_not_allowed
 ├── Conflict                     409 conflict
 ├── Gone                         410 gone
 ├── PayloadTooLarge              413 payload_too_large
 │    └── ImageTooLarge           413 image_too_large
 ├── UnsupportedMediaType         415 unsupported_media_type
 ├── ValidationFailed             422 invalid (code and field name the problem)
 │    ├── OutsideArea             422 outside_area
 │    ├── InvalidTransition       422 invalid_transition
 │    └── ImageUnreadable         422 image_unreadable
 ├── TooManyRequests              429 too_many_requests (+ Retry-After)
 └── ServiceUnavailable           503 database_unavailable (+ Retry-After)
"""
from __future__ import annotations


class GuichetError(Exception):
    status = 500
    code = "internal_error"
    message = "Something went wrong on our side."

    def __init__(self, message: str | None = None, *, code: str | None = None, field: str | None = None,
                 params: dict[str, int | str] | None = None):
        self.message = message or self.message
        self.code = code or self.code
        self.field = field
        self.params = params  # the numbers of the message (a limit, a count), so that an app can say it in its language
        super().__init__(self.message)

    def body(self) -> dict:
        error = {"code": self.code, "message": self.message, "field": self.field}
        if self.params:
            error["params"] = self.params
        return {"error": error}

    def headers(self) -> dict[str, str]:
        return {}


class BadRequest(GuichetError):
    status, code, message = 400, "bad_request", "The request could not be understood."


class MalformedJson(BadRequest):
    code, message = "malformed_json", "The body is not valid JSON."


class NotAuthenticated(GuichetError):
    status, code, message = 401, "not_authenticated", "Please sign in first."


class InvalidCredentials(NotAuthenticated):
    code, message = "invalid_credentials", "E-mail or password is wrong."


class SecondFactorRequired(NotAuthenticated):
    code, message = "second_factor_required", "Enter the code of your authenticator app."


class Forbidden(GuichetError):
    status, code, message = 403, "forbidden", "You are not allowed to do this."


class CsrfFailed(Forbidden):
    code, message = "csrf_failed", "The security token is missing or wrong; reload the page and try again."


class NotFound(GuichetError):
    status, code, message = 404, "not_found", "Nothing here."


class MethodNotAllowed(GuichetError):
    status, code, message = 405, "method_not_allowed", "This method is not allowed here."


class Conflict(GuichetError):
    status, code, message = 409, "conflict", "This conflicts with something that already exists."


class Gone(GuichetError):
    status, code, message = 410, "gone", "This link has expired or was already used."


class PayloadTooLarge(GuichetError):
    status, code, message = 413, "payload_too_large", "The body is too large."


class ImageTooLarge(PayloadTooLarge):
    code, message = "image_too_large", "This image has too many pixels."


class UnsupportedMediaType(GuichetError):
    status, code, message = 415, "unsupported_media_type", "This content type is not accepted here."


class ValidationFailed(GuichetError):
    status, code, message = 422, "invalid", "Some information is missing or wrong."


class OutsideArea(ValidationFailed):
    code = "outside_area"
    message = "This place is outside every municipality served here."


class InvalidTransition(ValidationFailed):
    code = "invalid_transition"

    def __init__(self, current: str, target: str):
        super().__init__(f"A request that is {current} cannot become {target}.", field="status")


class ImageUnreadable(ValidationFailed):
    code, message = "image_unreadable", "This image is damaged or incomplete."


class TooManyRequests(GuichetError):
    status, code, message = 429, "too_many_requests", "Too many attempts; please wait before trying again."

    def __init__(self, retry_after: int, message: str | None = None):
        self.retry_after = max(1, int(retry_after))
        super().__init__(message)

    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)}


class ServiceUnavailable(GuichetError):
    """The database cannot be reached (restarting, failing over, the network between): nothing was done, and
    the same call will work once it is back."""
    status, code = 503, "database_unavailable"
    message = "The service is briefly unavailable; nothing was saved. Please try again in a moment."

    def __init__(self, retry_after: int = 5, message: str | None = None):
        self.retry_after = max(1, int(retry_after))
        super().__init__(message)

    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)}
