from acuclinic.audit.context import Actor, acting_as


def client_address(request) -> str | None:
    # REMOTE_ADDR is the peer; behind a proxy, deployments set it from X-Forwarded-For
    # in the proxy itself rather than trusting a header any client can send.
    return request.META.get("REMOTE_ADDR") or None


class AuditContextMiddleware:
    """Makes the signed-in user and their address available to audit.record()."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        via = "api" if request.path.startswith("/api/") else "web"
        # The user is resolved lazily: for API token requests it is set after this runs,
        # so the actor reads request.user at the time of recording.
        with acting_as(
            Actor(user=_LazyUser(request), client_address=client_address(request), via=via)
        ):
            return self.get_response(request)


class _LazyUser:
    def __init__(self, request):
        self._request = request

    def resolve(self):
        user = getattr(self._request, "auth_user", None) or getattr(self._request, "user", None)
        return user if user is not None and user.is_authenticated else None
