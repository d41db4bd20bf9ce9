"""The enquiry inbox's pages, mounted at /enquiries/."""

from django.urls import path

from acuclinic.enquiries import views

urlpatterns = [
    path("", views.enquiry_list, name="enquiry_list"),
    path("new/", views.enquiry_new, name="enquiry_new"),
    path("<int:pk>/", views.enquiry_detail, name="enquiry_detail"),
    path("<int:pk>/update/", views.enquiry_update, name="enquiry_update"),
    path("<int:pk>/book/", views.enquiry_book, name="enquiry_book"),
    path("<int:pk>/book/patient/", views.enquiry_patient, name="enquiry_patient"),
    path(
        "<int:pk>/book/new-patient/",
        views.enquiry_new_patient,
        name="enquiry_new_patient",
    ),
    path("<int:pk>/book/time/", views.enquiry_book_slot, name="enquiry_book_slot"),
]
