"""Calling the JSON API from tests as one person, by API token or by browser session."""

import json

from django.test import Client
from django.urls import reverse

from acuclinic.people import services

BASE = "/api/v1"


def api_token(user, name: str = "Test integration") -> str:
    """A fresh token's secret for ``user``."""
    _, secret = services.api_token_create(user=user, name=name)
    return secret


class JsonClient:
    """Sends JSON to /api/v1/…; ``path`` is relative to it, e.g. ``/patients/3``.

    With ``token`` it authenticates by ``Authorization: Bearer``; otherwise it uses
    whatever session ``client`` holds (``client.force_login(user)``).
    """

    def __init__(self, client: Client | None = None, *, token: str | None = None, headers=None):
        self.client = client or Client()
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}
        self.headers.update(headers or {})

    def get(self, path: str, params: dict | None = None, **extra):
        return self.client.get(BASE + path, params or {}, headers=self.headers, **extra)

    def post(self, path: str, body=None, **extra):
        return self._send("post", path, body, **extra)

    def patch(self, path: str, body=None, **extra):
        return self._send("patch", path, body, **extra)

    def put(self, path: str, body=None, **extra):
        return self._send("put", path, body, **extra)

    def delete(self, path: str, body=None, **extra):
        return self._send("delete", path, body, **extra)

    def raw(self, method: str, path: str, data: bytes | str, content_type: str, **extra):
        """Send a body exactly as given, for malformed-input tests."""
        send = getattr(self.client, method)
        return send(BASE + path, data, content_type=content_type, headers=self.headers, **extra)

    def _send(self, method: str, path: str, body, **extra):
        data = json.dumps(body) if body is not None else ""
        return self.raw(method, path, data, "application/json", **extra)


def as_user(user, *, via: str = "token") -> JsonClient:
    """A client acting as ``user`` (None: anonymous), by ``via`` "token" or "session".

    A session client behaves like a browser page calling the API: CSRF is enforced and
    it sends the CSRF cookie's value back in ``X-CSRFToken``.
    """
    if user is None:
        return JsonClient()
    if via == "token":
        return JsonClient(token=api_token(user))
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    client.get(reverse("token_list"))  # any page with a form sets the CSRF cookie
    return JsonClient(client, headers={"X-CSRFToken": client.cookies["csrftoken"].value})
