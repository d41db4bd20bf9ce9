"""Who is calling the API, and may they: an API token or a session, then permissions.

Each endpoint says what it needs with ``auth=require("people.view_patient", …)``, the
same permissions its HTML page asks for (roles.py), checked before the request body is
even read. A refusal is audited, as on the pages (core.access).

A bearer token is checked by Django's ``authenticate`` (the token backend is people's,
people/auth_backend.py), so this module, below every app, knows no token model.
"""

from django.conf import settings
from django.contrib.auth import authenticate
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from acuclinic.core.access import access_denied
from acuclinic.core.api_errors import NotAuthenticated
from acuclinic.core.errors import Forbidden

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def permitted(request, user, perms: tuple[str, ...]):
    """``user`` if they hold every permission in ``perms``; otherwise audit and refuse."""
    if not user.has_perms(perms):
        access_denied.send(
            sender=permitted,
            request=request,
            object_type="api",
            detail=f"{request.method} {request.path}",
        )
        role = getattr(user, "role", "none")
        raise Forbidden("forbidden", f"Your role ({role}) does not allow this.")
    return user


class BearerToken(HttpBearer):
    """``Authorization: Bearer acu_…``: a token made on /account/tokens/ or by the command."""

    def __init__(self, perms: tuple[str, ...]):
        self.perms = perms
        super().__init__()

    def authenticate(self, request, token: str):
        user = authenticate(request, api_token=token.strip())
        if user is None:
            if getattr(request, "api_token_refusal", "") == "expired":
                raise NotAuthenticated(
                    "token_expired",
                    "This API token has expired: make a new one on the API tokens page.",
                )
            raise NotAuthenticated(
                "invalid_token",
                "This API token is not valid: it is unknown or revoked, or its account "
                "is disabled.",
            )
        # The audit trail's actor for this request (see audit.middleware).
        request.auth_user = user
        if getattr(user, "api_token_read_only", False) and request.method not in SAFE_METHODS:
            access_denied.send(
                sender=BearerToken,
                request=request,
                object_type="api",
                detail=f"read-only token: {request.method} {request.path}",
            )
            raise Forbidden(
                "token_read_only", "This API token is read-only: it cannot change anything."
            )
        return permitted(request, user, self.perms)


class Session(APIKeyCookie):
    """The signed-in browser session, with Django's CSRF check on writes, as on the pages."""

    param_name = settings.SESSION_COOKIE_NAME

    def __init__(self, perms: tuple[str, ...]):
        self.perms = perms
        super().__init__(csrf=True)

    def __call__(self, request):
        user = request.user
        if not user.is_authenticated:
            return None  # nobody signed in: ninja answers 401
        # CSRF only once we know a session is in use: an anonymous caller is told to
        # authenticate, not that a token they never needed is missing.
        if check_csrf(request):
            raise Forbidden(
                "csrf_failed",
                "The CSRF check failed: send the csrftoken cookie's value in an "
                "X-CSRFToken header, or use an API token instead of the session.",
            )
        return permitted(request, user, self.perms)

    def authenticate(self, request, key):
        return None  # not reached: __call__ above does the work


def require(*perms: str) -> list:
    """The auth for an endpoint: token or session, holding every one of ``perms``."""
    return [BearerToken(perms), Session(perms)]
