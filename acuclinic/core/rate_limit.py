"""Rate limits counted in the cache: the API's, per token and per address (over the
limit, ``429`` with ``Retry-After``), and requests for a password-reset link, per address
and per email address (``reset_request_wait``).

Counted in fixed one-minute windows in Django's cache. The default cache (settings.py)
is a folder of files under ``var/``, shared by every worker process on the machine; the
count is approximate under races (a get then a set), which is all a rate limit needs.
A token is counted by a digest of what was sent, so unknown tokens are counted too
(guessing them is throttled like anything else) and no secret is kept in the cache.
"""

import hashlib
import time

from django.conf import settings
from django.core.cache import cache
from django.dispatch import Signal
from django.http import JsonResponse

WINDOW_SECONDS = 60
# Reset links are asked for rarely; a window of an hour stops a script from filling
# someone's inbox (or the mail server's quota) without getting in a forgetful person's way.
RESET_WINDOW_SECONDS = 3600

# Announced when a password-reset request is refused (the audit app records it, as for
# sign-ins: core sits below audit). Arguments: request, email, reason ("address" or "email").
reset_request_refused = Signal()


def _bearer(request) -> str | None:
    header = request.META.get("HTTP_AUTHORIZATION", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def _count(key: str, window_seconds: int = WINDOW_SECONDS) -> int:
    # incr() is atomic where the cache can be (Redis, local memory) and one round trip on
    # every request but a window's first, which adds the key instead.
    try:
        return cache.incr(key)
    except ValueError:  # not there yet, or expired
        if cache.add(key, 1, timeout=window_seconds * 2):
            return 1
        return cache.incr(key)  # another request added it first


def _window(window_seconds: int) -> tuple[int, int]:
    """The current window's number, and the seconds until the next one starts."""
    now = time.time()
    window = int(now // window_seconds)
    return window, max(1, int((window + 1) * window_seconds - now + 0.999))


def _digest(value: str) -> str:
    # Keys hold a digest, not the secret or the personal data itself.
    return hashlib.sha256(value.encode()).hexdigest()[:32]


def over_limit(request) -> int | None:
    """Seconds to wait if this request is over a limit (it is counted either way)."""
    window, retry_after = _window(WINDOW_SECONDS)
    address = request.META.get("REMOTE_ADDR") or "unknown"
    over = _count(f"api-rate:addr:{address}:{window}") > settings.ACUCLINIC_API_RATE_PER_ADDRESS
    token = _bearer(request)
    if token is not None:
        over |= (
            _count(f"api-rate:token:{_digest(token)}:{window}")
            > settings.ACUCLINIC_API_RATE_PER_TOKEN
        )
    return retry_after if over else None


def reset_request_wait(request, email: str) -> int | None:
    """Seconds to wait if this request for a password-reset link is one too many from
    its address or for its email address, else None; counted either way.

    The email is counted whether or not an account has it, so a refusal says nothing
    about which addresses belong to staff. A refusal is announced (and so audited).
    """
    window, retry_after = _window(RESET_WINDOW_SECONDS)
    address = request.META.get("REMOTE_ADDR") or "unknown"
    by_address = (
        _count(f"reset-rate:addr:{address}:{window}", RESET_WINDOW_SECONDS)
        > settings.ACUCLINIC_RESET_RATE_PER_ADDRESS
    )
    by_email = (
        _count(f"reset-rate:email:{_digest(email.strip().lower())}:{window}", RESET_WINDOW_SECONDS)
        > settings.ACUCLINIC_RESET_RATE_PER_EMAIL
    )
    if not (by_address or by_email):
        return None
    reset_request_refused.send(
        sender=reset_request_wait,
        request=request,
        email=email,
        reason="address" if by_address else "email",
    )
    return retry_after


class ApiRateLimitMiddleware:
    """Refuses API requests over the per-token or per-address rate with 429."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith("/api/"):
            retry_after = over_limit(request)
            if retry_after is not None:
                response = JsonResponse(
                    {
                        "code": "throttled",
                        "message": "Too many requests from this token or address. "
                        f"Try again in {retry_after} seconds.",
                        "field": None,
                    },
                    status=429,
                )
                response["Retry-After"] = str(retry_after)
                return response
        return self.get_response(request)
