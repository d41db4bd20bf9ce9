"""The staff pages of scheduling: the diary and appointments (mounted at /diary/) and the
calendar feeds (at /calendar/)."""

from django.urls import path

from acuclinic.scheduling.views import (
    appointments,
    changes,
    diary,
    diary_feed,
    feeds,
    series,
    working_time,
)

urlpatterns = [
    path("", diary.diary, name="diary"),
    path("feed/", diary_feed.diary_feed, name="diary_feed"),
    path("book/", appointments.appointment_new, name="appointment_new"),
    path("free/", working_time.free_slots, name="free_slots"),
    path("appointments/<int:pk>/", appointments.appointment_detail, name="appointment_detail"),
    path("appointments/<int:pk>/move/", appointments.appointment_move, name="appointment_move"),
    path("appointments/<int:pk>/drop/", diary.appointment_drop, name="appointment_drop"),
    path(
        "appointments/<int:pk>/move/confirm/",
        changes.appointment_move_confirm,
        name="appointment_move_confirm",
    ),
    path(
        "appointments/<int:pk>/cancel/confirm/",
        changes.appointment_cancel_confirm,
        name="appointment_cancel_confirm",
    ),
    path("appointments/<int:pk>/undo/", changes.appointment_undo, name="appointment_undo"),
    path(
        "appointments/<int:pk>/cancel/", appointments.appointment_cancel, name="appointment_cancel"
    ),
    path(
        "appointments/<int:pk>/status/", appointments.appointment_status, name="appointment_status"
    ),
    # Courses of sessions.
    path("series/new/", series.series_new, name="series_new"),
    path("series/<int:pk>/", series.series_detail, name="series_detail"),
    path(
        "appointments/<int:pk>/move-rest/",
        series.appointment_move_rest,
        name="appointment_move_rest",
    ),
    path(
        "appointments/<int:pk>/cancel-rest/",
        series.appointment_cancel_rest,
        name="appointment_cancel_rest",
    ),
    # Working time and rooms.
    path("working-time/", working_time.working_time_list, name="working_time"),
    path(
        "working-time/<int:pk>/",
        working_time.working_time_practitioner,
        name="working_time_practitioner",
    ),
    path(
        "working-time/<int:pk>/patterns/add/",
        working_time.working_pattern_add,
        name="working_pattern_add",
    ),
    path(
        "working-time/patterns/<int:pk>/end/",
        working_time.working_pattern_end,
        name="working_pattern_end",
    ),
    path(
        "working-time/patterns/<int:pk>/delete/",
        working_time.working_pattern_delete,
        name="working_pattern_delete",
    ),
    path(
        "working-time/exceptions/add/",
        working_time.working_exception_add,
        name="working_exception_add",
    ),
    path(
        "working-time/exceptions/<int:pk>/delete/",
        working_time.working_exception_delete,
        name="working_exception_delete",
    ),
    path("rooms/closures/", working_time.room_closures, name="room_closures"),
    path("rooms/closures/add/", working_time.room_closure_add, name="room_closure_add"),
    path(
        "rooms/closures/<int:pk>/delete/",
        working_time.room_closure_delete,
        name="room_closure_delete",
    ),
]

# Mounted at /calendar/: a practitioner's subscription, and the feed itself.
calendar_urlpatterns = [
    path("", feeds.calendar_feed, name="calendar_feed"),
    path("revoke/", feeds.calendar_feed_revoke, name="calendar_feed_revoke"),
    path("practitioners/", feeds.calendar_feeds, name="calendar_feeds"),
    path(
        "practitioners/<int:pk>/revoke/",
        feeds.calendar_feed_revoke_for,
        name="calendar_feed_revoke_for",
    ),
    # The subscription URL itself: no sign-in, the secret is the key.
    path("<str:secret>.ics", feeds.calendar_feed_ics, name="calendar_feed_ics"),
]
