from django.urls import path

from acuclinic.people import credentials_views as views

urlpatterns = [
    path("", views.practitioner_list, name="practitioner_list"),
    path("new/", views.practitioner_new, name="practitioner_new"),
    path("<int:pk>/", views.practitioner_detail, name="practitioner_detail"),
    path("<int:pk>/credentials/", views.credential_add, name="credential_add"),
    path(
        "<int:pk>/credentials/<int:credential_pk>/remove/",
        views.credential_remove,
        name="credential_remove",
    ),
]
