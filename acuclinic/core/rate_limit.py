"""API rate limits, per token and per address: over the limit, ``429`` with ``Retry-After``.

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
from django.http import JsonResponse

WINDOW_SECONDS = 60


def _bearer(request) -> str | None:
    header = request.META.get("HTTP_AUTHORIZATION", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def _count(key: str) -> int:
    # A read and a write: in the file cache, add() then incr() would open the file
    # three times (has_key, get, set) on every API request, for the same count.
    count = cache.get(key, 0) + 1
    cache.set(key, count, timeout=WINDOW_SECONDS * 2)
    return count


def over_limit(request) -> int | None:
    """Seconds to wait if this request is over a limit (it is counted either way)."""
    now = time.time()
    window = int(now // WINDOW_SECONDS)
    retry_after = max(1, int((window + 1) * WINDOW_SECONDS - now + 0.999))
    address = request.META.get("REMOTE_ADDR") or "unknown"
    over = _count(f"api-rate:addr:{address}:{window}") > settings.ACUCLINIC_API_RATE_PER_ADDRESS
    token = _bearer(request)
    if token is not None:
        digest = hashlib.sha256(token.encode()).hexdigest()[:32]
        over |= _count(f"api-rate:token:{digest}:{window}") > settings.ACUCLINIC_API_RATE_PER_TOKEN
    return retry_after if over else None


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
