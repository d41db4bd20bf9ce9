from django.urls import path

from acuclinic.scheduling import enquiry_views

urlpatterns = [
    path("", enquiry_views.enquiry_list, name="enquiry_list"),
    path("new/", enquiry_views.enquiry_new, name="enquiry_new"),
    path("<int:pk>/", enquiry_views.enquiry_detail, name="enquiry_detail"),
    path("<int:pk>/update/", enquiry_views.enquiry_update, name="enquiry_update"),
    path("<int:pk>/book/", enquiry_views.enquiry_book, name="enquiry_book"),
    path("<int:pk>/book/patient/", enquiry_views.enquiry_patient, name="enquiry_patient"),
    path(
        "<int:pk>/book/new-patient/",
        enquiry_views.enquiry_new_patient,
        name="enquiry_new_patient",
    ),
    path("<int:pk>/book/time/", enquiry_views.enquiry_book_slot, name="enquiry_book_slot"),
    # New patient records made by online bookings, for reception to check.
    path("new-patients/", enquiry_views.online_checks, name="online_checks"),
    path(
        "new-patients/<int:pk>/checked/",
        enquiry_views.online_check_done,
        name="online_check_done",
    ),
]
