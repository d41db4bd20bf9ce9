from django.urls import path

from acuclinic.interop import views

urlpatterns = [
    path("subject-access/", views.sar_list, name="sar_list"),
    path("subject-access/new/", views.sar_new, name="sar_new"),
    path("subject-access/<int:pk>/download/", views.sar_download, name="sar_download"),
    path("retention/", views.retention_report, name="retention_report"),
    path("retention/policy/", views.retention_policy, name="retention_policy"),
    path("retention/anonymise/", views.retention_anonymise, name="retention_anonymise"),
    path("retention/erasure/", views.erasure_request, name="erasure_request"),
    path("import/", views.import_page, name="import_page"),
    path("import/upload/", views.import_upload, name="import_upload"),
    path("import/<str:pk>/", views.import_job, name="import_job"),
    path("import/<str:pk>/commit/", views.import_commit, name="import_commit"),
]
