"""How the JSON API says what went wrong: always JSON, always a stable ``code``.

Every error body is ``{"code": …, "message": …, "field": …}`` plus whatever the error
carries: a double booking adds ``"alternatives"`` (free slots nearby), invalid
input adds ``"errors"`` (one entry per field). Clients branch on ``code``; ``message`` is
for people. Bad input never becomes a 500.
"""

import logging
from datetime import datetime

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.core.signals import got_request_exception
from django.http import Http404
from django.utils.log import log_response
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError

from acuclinic.core.api_json import MalformedBody
from acuclinic.core.errors import ServiceError

# What a client should do about a 401, in the header RFC 9110 asks for.
WWW_AUTHENTICATE = 'Bearer realm="acuclinic"'

# Pydantic's error types that deserve a plainer name; our own field types raise
# errors whose type already is the code (see api_types), and they pass through.
_FIELD_CODES = {
    "missing": "required",
    "extra_forbidden": "unknown_field",
    "enum": "invalid_choice",
    "literal_error": "invalid_choice",
}
# Codes precise enough to stand for the whole response when every problem shares one.
_OWN_FIELD_CODES = {"naive_datetime", "date_out_of_range", "text_has_nul"}

_STATUS_CODES = {
    400: "bad_request",
    401: "not_authenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    422: "invalid",
    429: "throttled",
}


class NotAuthenticated(ServiceError):
    """No valid credentials: sign in, or send a valid API token."""

    status = 401


class FieldErrorOut(Schema):
    field: str | None
    code: str
    message: str


class RefOut(Schema):
    id: int
    name: str


class AlternativeOut(Schema):
    """A free slot offered in place of one that is taken, in the location's time zone."""

    start: datetime
    end: datetime
    start_display: str
    practitioner: RefOut
    room: RefOut


class ErrorOut(Schema):
    """The body of every 4xx response."""

    code: str
    message: str
    field: str | None = None
    errors: list[FieldErrorOut] | None = None
    # The nearest free slots: with the practitioner asked for first, then colleagues.
    alternatives: list[AlternativeOut] | None = None


# Every 4xx the API answers with, declared on every operation so a client (and the
# contract test, tests/test_api_contract.py) finds each one documented: 400 a body that
# is not JSON, 401 no valid credentials, 403 a role or token that does not allow it,
# 404 an unknown id or address, 409 a clash with what is already there (a double
# booking), 422 invalid input, 429 over the rate limit (core.rate_limit). Ninja's own
# ``codes_4xx`` leaves out 422, the commonest of them.
CLIENT_ERROR_CODES = frozenset({400, 401, 403, 404, 409, 422, 429})
ERRORS = {CLIENT_ERROR_CODES: ErrorOut}


def error_body(code: str, message: str, field: str | None = None, **extra) -> dict:
    return {"code": code, "message": message, "field": field, **extra}


def _field_name(loc: tuple) -> str | None:
    # ("body", "payload", "start") -> "start"; ("query", "limit") -> "limit";
    # ("body", "payload") is the whole body.
    parts = list(loc[2:] if loc and loc[0] == "body" else loc[1:])
    return ".".join(str(p) for p in parts) or None


def field_errors(exc: ValidationError) -> list[dict]:
    errors = []
    for error in exc.errors:
        field = _field_name(tuple(error.get("loc", ())))
        kind = error.get("type", "")
        code = _FIELD_CODES.get(kind) or (kind if kind in _OWN_FIELD_CODES else "invalid")
        message = error.get("msg", "Invalid value.")
        if field is None and kind == "missing":
            message = "Send a JSON object in the request body."
        errors.append({"field": field, "code": code, "message": message})
    return errors


def _service_error(request, exc: ServiceError, api: NinjaAPI):
    response = api.create_response(
        request, error_body(exc.code, exc.message, exc.field, **exc.extra), status=exc.status
    )
    if exc.status == 401:
        response["WWW-Authenticate"] = WWW_AUTHENTICATE
    return response


def _validation_error(request, exc: ValidationError, api: NinjaAPI):
    errors = field_errors(exc)
    codes = {e["code"] for e in errors}
    code = codes.pop() if len(codes) == 1 and codes <= _OWN_FIELD_CODES else "invalid"
    first = errors[0] if errors else {"field": None, "message": "Invalid input."}
    message = f"{first['field']}: {first['message']}" if first["field"] else first["message"]
    if len(errors) > 1:
        message += f" (and {len(errors) - 1} more problem{'s' if len(errors) > 2 else ''})"
    return api.create_response(
        request, error_body(code, message, first["field"], errors=errors), status=422
    )


def _http_error(request, exc: HttpError, api: NinjaAPI):
    if isinstance(exc, AuthenticationError):
        return _service_error(
            request,
            NotAuthenticated(
                "not_authenticated",
                "Sign in, or send an API token as “Authorization: Bearer <token>”.",
            ),
            api,
        )
    cause = exc.__cause__
    if exc.status_code == 400 and cause is not None:
        # ninja wraps any failure to read the body in HttpError(400); say which.
        message = str(cause) if isinstance(cause, MalformedBody) else "The body is not valid JSON."
        body = error_body("malformed_json", message)
    else:
        body = error_body(_STATUS_CODES.get(exc.status_code, "error"), str(exc))
    return api.create_response(request, body, status=exc.status_code)


def _not_found(request, exc: Http404, api: NinjaAPI):
    return api.create_response(
        request, error_body("not_found", "There is nothing at this address."), status=404
    )


def _suspicious(request, exc: SuspiciousOperation, api: NinjaAPI):
    # What Django itself does with these (a 400 and a line in its security log), in
    # our JSON shape. The usual one here is a body over DATA_UPLOAD_MAX_MEMORY_SIZE.
    logging.getLogger(f"django.security.{exc.__class__.__name__}").error(
        str(exc), extra={"status_code": 400, "request": request}
    )
    if isinstance(exc, RequestDataTooBig):
        body = error_body("body_too_large", "The request body is too large.")
    else:
        body = error_body("bad_request", "The request was refused as suspicious.")
    return api.create_response(request, body, status=400)


def _unexpected(request, exc: Exception, api: NinjaAPI):
    # A bug, not bad input: log it the way Django logs a 500 (and mail ADMINS), tell the
    # test client, and still answer in JSON.
    got_request_exception.send(sender=None, request=request)
    response = api.create_response(
        request,
        error_body(
            "server_error", "Something went wrong on our side. It has been logged; try again."
        ),
        status=500,
    )
    log_response(
        "Internal Server Error: %s",
        request.path,
        response=response,
        request=request,
        exception=exc,
    )
    return response


def install_error_handlers(api: NinjaAPI) -> None:
    handlers = [
        (ServiceError, _service_error),
        (ValidationError, _validation_error),
        (HttpError, _http_error),
        (Http404, _not_found),
        (SuspiciousOperation, _suspicious),
        (Exception, _unexpected),
    ]
    for exc_class, handler in handlers:
        api.add_exception_handler(
            exc_class, lambda request, exc, handler=handler: handler(request, exc, api)
        )
