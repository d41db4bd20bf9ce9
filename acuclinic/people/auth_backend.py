"""Authentication backends: Django's model backend, reading a user's permissions in one
query instead of two, and the API token backend.

Every page and API request checks permissions, and Django's ``ModelBackend`` reads the
user's own and their roles' (groups') with a query each. ``ModelBackendOneQuery`` reads
both at once, with the same answers and the same per-request cache on the user object.

``ApiTokenBackend`` answers ``authenticate(request, api_token=…)`` for the API's bearer
tokens (core.api_auth); it never signs anyone in to a session.
"""

from django.contrib.auth.backends import BaseBackend, ModelBackend
from django.contrib.auth.models import Permission
from django.db.models import Q

from acuclinic.people.services import api_token_lookup


class ModelBackendOneQuery(ModelBackend):
    def get_all_permissions(self, user_obj, obj=None) -> set[str]:
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            held = Permission.objects.all()
            if not user_obj.is_superuser:
                held = held.filter(Q(user=user_obj) | Q(group__user=user_obj))
            rows = held.values_list("content_type__app_label", "codename").distinct()
            user_obj._perm_cache = {f"{app}.{codename}" for app, codename in rows}
        return user_obj._perm_cache


class ApiTokenBackend(BaseBackend):
    def authenticate(self, request, api_token: str | None = None):
        """The user an ``acu_…`` token acts as, scoped to the token; None if it is unknown,
        revoked, expired or belongs to a disabled account (why is left on the request as
        ``api_token_refusal`` for the API's message and the audit trail)."""
        if api_token is None:
            return None
        user, why = api_token_lookup(api_token)
        if user is None and request is not None:
            request.api_token_refusal = why
        return user
