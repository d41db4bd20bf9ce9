"""The public pages, mounted at /book/: no sign-in; links from emails carry their own key.
And reception's check of the records they made, mounted at /enquiries/new-patients/."""

from django.urls import path

from acuclinic.online_booking.views import checks, public

urlpatterns = [
    path("", public.start, name="online_start"),
    path("times/", public.times, name="online_times"),
    path("details/", public.details, name="online_details"),
    path("done/<str:token>/", public.done, name="online_done"),
    path("manage/<str:token>/", public.manage, name="online_manage"),
    path("contact/", public.contact, name="online_contact"),
    path("contact/sent/", public.contact_sent, name="online_contact_sent"),
]

# New patient records made by online bookings, for reception to check.
check_urlpatterns = [
    path("", checks.online_checks, name="online_checks"),
    path("<int:pk>/checked/", checks.online_check_done, name="online_check_done"),
]
