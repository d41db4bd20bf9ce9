"""The waitlist's pages: reception's (mounted at /waitlist/) and the offer a patient opens
from their email (mounted at /book/offer/, beside the other public pages)."""

from django.urls import path

from acuclinic.waitlist import views

urlpatterns = [
    path("", views.waitlist_list, name="waitlist_list"),
    path("add/<int:pk>/", views.waitlist_add, name="waitlist_add"),
    path("<int:pk>/", views.waitlist_detail, name="waitlist_detail"),
    path("<int:pk>/remove/", views.waitlist_remove, name="waitlist_remove"),
]

# No sign-in: the secret in the link is the key.
offer_urlpatterns = [
    path("<str:token>/", views.waitlist_offer, name="waitlist_offer"),
]
