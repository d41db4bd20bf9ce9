from django.urls import path

from acuclinic.scheduling import feed_views

urlpatterns = [
    path("", feed_views.calendar_feed, name="calendar_feed"),
    path("revoke/", feed_views.calendar_feed_revoke, name="calendar_feed_revoke"),
    path("practitioners/", feed_views.calendar_feeds, name="calendar_feeds"),
    path(
        "practitioners/<int:pk>/revoke/",
        feed_views.calendar_feed_revoke_for,
        name="calendar_feed_revoke_for",
    ),
    # The subscription URL itself: no sign-in, the secret is the key.
    path("<str:secret>.ics", feed_views.calendar_feed_ics, name="calendar_feed_ics"),
]
