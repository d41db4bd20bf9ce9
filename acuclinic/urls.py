from django.urls import include, path

from acuclinic.api import api

urlpatterns = [
    path("", include("acuclinic.core.urls")),
    path("patients/", include("acuclinic.people.urls")),
    path("diary/", include("acuclinic.scheduling.urls")),
    path("audit/", include("acuclinic.audit.urls")),
    path("api/v1/", api.urls),
]

handler403 = "acuclinic.core.views.forbidden"
handler404 = "acuclinic.core.views.not_found"
