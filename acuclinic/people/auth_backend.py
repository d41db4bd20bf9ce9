"""Authentication backends: Django's model backend, reading a user's permissions in one
query instead of two, and the API token backend.

Every page and API request checks permissions, and Django's ``ModelBackend`` reads the
user's own and their roles' (groups') with a query each. ``ModelBackendOneQuery`` reads
both at once, with the same answers and the same per-request cache on the user object,
and the names of the user's roles in the same statement (the audit trail names the role).

``ApiTokenBackend`` answers ``authenticate(request, api_token=…)`` for the API's bearer
tokens (core.api_auth); it never signs anyone in to a session.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import BaseBackend, ModelBackend
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection

from acuclinic.people.services import api_token_lookup


def _permissions_and_roles_sql() -> str:
    """The user's permissions (app label, codename), their own and their roles', and the
    names of their roles (NULL, name): one statement for both, as the ORM's two would
    ask. Tables by their models' names, so a renamed table cannot go unnoticed."""
    user_model = get_user_model()
    permission = Permission._meta.db_table
    content_type = ContentType._meta.db_table
    group = Group._meta.db_table
    group_permission = Group.permissions.through._meta.db_table
    user_permission = user_model.user_permissions.through._meta.db_table
    user_group = user_model.groups.through._meta.db_table
    return (
        f'SELECT ct."app_label", p."codename" FROM "{permission}" p '
        f'JOIN "{content_type}" ct ON ct."id" = p."content_type_id" '
        f'WHERE %s OR p."id" IN (SELECT "permission_id" FROM "{user_permission}" '
        'WHERE "user_id" = %s) '
        f'OR p."id" IN (SELECT gp."permission_id" FROM "{group_permission}" gp '
        f'JOIN "{user_group}" ug ON ug."group_id" = gp."group_id" WHERE ug."user_id" = %s) '
        f'UNION ALL SELECT NULL, g."name" FROM "{group}" g '
        f'JOIN "{user_group}" ug ON ug."group_id" = g."id" WHERE ug."user_id" = %s'
    )


class ModelBackendOneQuery(ModelBackend):
    def get_all_permissions(self, user_obj, obj=None) -> set[str]:
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            # The roles' names come with them: the audit entry names the user's role
            # (roles.role_of), and would otherwise read the groups again.
            pk = user_obj.pk
            with connection.cursor() as cursor:
                cursor.execute(_permissions_and_roles_sql(), [user_obj.is_superuser, pk, pk, pk])
                rows = cursor.fetchall()
            user_obj._perm_cache = {f"{app}.{name}" for app, name in rows if app is not None}
            user_obj._group_names = {name for app, name in rows if app is None}
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
