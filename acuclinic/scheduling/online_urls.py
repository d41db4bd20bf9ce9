"""Public pages, mounted at /book/: no sign-in. Links from emails carry their own key."""

from django.urls import path

from acuclinic.scheduling import online_views, waitlist_views

urlpatterns = [
    path("", online_views.start, name="online_start"),
    path("times/", online_views.times, name="online_times"),
    path("details/", online_views.details, name="online_details"),
    path("done/<str:token>/", online_views.done, name="online_done"),
    path("manage/<str:token>/", online_views.manage, name="online_manage"),
    path("contact/", online_views.contact, name="online_contact"),
    path("contact/sent/", online_views.contact_sent, name="online_contact_sent"),
    path("offer/<str:token>/", waitlist_views.waitlist_offer, name="waitlist_offer"),
]
