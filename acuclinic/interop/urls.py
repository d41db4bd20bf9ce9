from django.urls import path, re_path

from acuclinic.interop.fhir import views

app_name = "fhir"

urlpatterns = [
    path("metadata", views.metadata, name="metadata"),
    re_path(r"^(?P<resource_type>[A-Za-z]+)$", views.search, name="search"),
    re_path(
        r"^(?P<resource_type>[A-Za-z]+)/(?P<resource_id>[A-Za-z0-9\-.]{1,64})$",
        views.read,
        name="read",
    ),
    re_path(r"^(?P<rest>.*)$", views.unknown),
]
