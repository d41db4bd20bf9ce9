from django.urls import path

from acuclinic.scheduling import waitlist_views

urlpatterns = [
    path("", waitlist_views.waitlist_list, name="waitlist_list"),
    path("add/<int:pk>/", waitlist_views.waitlist_add, name="waitlist_add"),
    path("<int:pk>/", waitlist_views.waitlist_detail, name="waitlist_detail"),
    path("<int:pk>/remove/", waitlist_views.waitlist_remove, name="waitlist_remove"),
]
