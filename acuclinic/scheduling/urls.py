from django.urls import path

from acuclinic.scheduling import views

urlpatterns = [
    path("", views.diary, name="diary"),
    path("book/", views.appointment_new, name="appointment_new"),
    path("appointments/<int:pk>/", views.appointment_detail, name="appointment_detail"),
    path("appointments/<int:pk>/move/", views.appointment_move, name="appointment_move"),
    path("appointments/<int:pk>/cancel/", views.appointment_cancel, name="appointment_cancel"),
    path("appointments/<int:pk>/status/", views.appointment_status, name="appointment_status"),
]
