from django.templatetags.static import static
from django.urls import path
from django.views.generic import RedirectView

from acuclinic.clinic import views

urlpatterns = [
    path("booking-rules/", views.booking_rules_page, name="booking_rules"),
    path("details/", views.clinic_details_page, name="clinic_details"),
    path("services/", views.service_list, name="service_list"),
    path("services/new/", views.service_edit, name="service_new"),
    path("services/<int:pk>/", views.service_edit, name="service_edit"),
]

# Browsers ask for /favicon.ico whatever the page says: send them to the clinic's icon.
favicon_urlpatterns = [
    path(
        "favicon.ico",
        RedirectView.as_view(url=static("clinic/favicon.svg"), permanent=True),
        name="favicon",
    ),
]
