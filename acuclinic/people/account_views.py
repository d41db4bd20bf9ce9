"""Staff account pages for clinic admins: who is locked out of signing in, and unlocking."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from acuclinic.core import signin
from acuclinic.core.access import staff_view


@staff_view("core.view_signinthrottle")
def signin_locks(request):
    return render(
        request,
        "people/signin_locks.html",
        {"locks": signin.current_locks(), "nav": "signin_locks"},
    )


@require_POST
@staff_view("core.view_signinthrottle", "core.delete_signinthrottle")
def signin_unlock(request, pk: int):
    row = signin.unlock(request, pk)
    if row is None:
        messages.error(request, "That lock had already ended.")
    else:
        messages.success(request, f"Unlocked {row.get_kind_display().lower()} {row.key}.")
    return redirect("signin_locks")
