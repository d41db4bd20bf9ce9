"""The clinic's own details (name, phone, email) for every page's title, header and
footer: one query per request, and only when a template asks."""

from django.utils.functional import SimpleLazyObject

from acuclinic.clinic.models import Clinic


def clinic_details(request):
    return {
        "clinic_details": SimpleLazyObject(
            lambda: Clinic.objects.defer("logo").order_by("pk").first()
        )
    }
