from django.urls import path, re_path

from acuclinic.interop import export_views
from acuclinic.interop.fhir import views

app_name = "fhir"

urlpatterns = [
    path("metadata", views.metadata, name="metadata"),
    path("$export", export_views.system_export, name="export"),
    path("Patient/$export", export_views.patient_export, name="patient_export"),
    path("Slot", views.slot_search, name="slot_search"),
    path("Slot/<str:resource_id>", views.slot_read, name="slot_read"),
    path("$export-status/<str:job_id>", export_views.export_status, name="export_status"),
    path(
        "$export-file/<str:job_id>/<str:resource_type>.ndjson",
        export_views.export_file,
        name="export_file",
    ),
    re_path(r"^(?P<resource_type>[A-Za-z]+)$", views.search, name="search"),
    re_path(
        r"^(?P<resource_type>[A-Za-z]+)/(?P<resource_id>[A-Za-z0-9\-.]{1,64})$",
        views.read,
        name="read",
    ),
    re_path(r"^(?P<rest>.*)$", views.unknown),
]
