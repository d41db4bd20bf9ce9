from django.templatetags.static import static
from django.urls import path
from django.views.generic import RedirectView

from acuclinic.clinic import location_views, views

urlpatterns = [
    path("booking-rules/", views.booking_rules_page, name="booking_rules"),
    path("details/", views.clinic_details_page, name="clinic_details"),
    path("logo/<str:digest>/", views.clinic_logo, name="clinic_logo"),
    path("services/", views.service_list, name="service_list"),
    path("services/new/", views.service_edit, name="service_new"),
    path("services/<int:pk>/", views.service_edit, name="service_edit"),
    path("locations/", location_views.location_list, name="location_list"),
    path("locations/new/", location_views.location_edit, name="location_new"),
    path("locations/<int:pk>/", location_views.location_edit, name="location_edit"),
    path("locations/<int:pk>/hours/", location_views.location_hours, name="location_hours"),
    path("locations/<int:pk>/rooms/", location_views.room_add, name="room_add"),
    path("rooms/<int:pk>/", location_views.room_edit, name="room_edit"),
    path("rooms/<int:pk>/retire/", location_views.room_retire, name="room_retire"),
    path("rooms/<int:pk>/delete/", location_views.room_delete, name="room_delete"),
]

# Browsers ask for /favicon.ico whatever the page says: send them to the clinic's icon.
favicon_urlpatterns = [
    path(
        "favicon.ico",
        RedirectView.as_view(url=static("clinic/favicon.svg"), permanent=True),
        name="favicon",
    ),
]
