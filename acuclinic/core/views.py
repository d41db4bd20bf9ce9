from django.shortcuts import redirect, render

from acuclinic.core.access import staff_view


@staff_view()
def home(request):
    return redirect("diary")


def forbidden(request, exception=None):
    return render(request, "core/403.html", status=403)


def not_found(request, exception=None):
    return render(request, "core/404.html", status=404)
