"""The one gate every staff view goes through: signed in, and holding a permission.

A refusal is announced with ``access_denied`` (the request, ``object_type`` "page" or
"api", and a ``detail`` naming what was refused) rather than written to the audit trail
here: core sits below every app, and the audit app, which listens, records it
(audit/signals.py). The API's gate (api_auth) announces its refusals the same way."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.dispatch import Signal

access_denied = Signal()


def staff_view(*perms: str):
    """Require a signed-in user with every permission in ``perms``.

    A refusal is audited: someone trying to open what their role does not allow is
    exactly what a clinic's data protection officer wants to see.
    """

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not request.user.has_perms(perms):
                access_denied.send(
                    sender=staff_view,
                    request=request,
                    object_type="page",
                    detail=request.path[:200],
                )
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
