from django.urls import path

from acuclinic.clinic import views

urlpatterns = [
    path("booking-rules/", views.booking_rules_page, name="booking_rules"),
]
