"""Errors that services raise for the user to read; views and the API render them."""


class ServiceError(Exception):
    """A request the clinic's rules refuse. ``code`` is stable for API clients."""

    status = 400

    def __init__(self, code: str, message: str, *, field: str | None = None, extra=None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field
        self.extra = extra or {}


class InvalidRequest(ServiceError):
    status = 422


class Conflict(ServiceError):
    status = 409


class NotFound(ServiceError):
    status = 404


class Forbidden(ServiceError):
    status = 403
