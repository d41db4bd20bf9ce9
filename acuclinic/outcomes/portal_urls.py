"""The patient's progress pages, under /portal/progress/ (the portal's own pages are in
acuclinic.portal.urls)."""

from django.urls import path

from acuclinic.outcomes import portal_views

urlpatterns = [
    path("", portal_views.progress, name="portal_progress"),
    path("diary/", portal_views.diary, name="portal_progress_diary"),
    path("questionnaires/<slug:code>/", portal_views.measure, name="portal_progress_measure"),
]
