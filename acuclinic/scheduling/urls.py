from django.urls import path

from acuclinic.scheduling import views, views_diary, views_series, views_working_time

urlpatterns = [
    path("", views_diary.diary, name="diary"),
    path("book/", views.appointment_new, name="appointment_new"),
    path("free/", views_working_time.free_slots, name="free_slots"),
    path("appointments/<int:pk>/", views.appointment_detail, name="appointment_detail"),
    path("appointments/<int:pk>/move/", views.appointment_move, name="appointment_move"),
    path("appointments/<int:pk>/drop/", views_diary.appointment_drop, name="appointment_drop"),
    path("appointments/<int:pk>/cancel/", views.appointment_cancel, name="appointment_cancel"),
    path("appointments/<int:pk>/status/", views.appointment_status, name="appointment_status"),
    # Courses of sessions.
    path("series/new/", views_series.series_new, name="series_new"),
    path("series/<int:pk>/", views_series.series_detail, name="series_detail"),
    path(
        "appointments/<int:pk>/move-rest/",
        views_series.appointment_move_rest,
        name="appointment_move_rest",
    ),
    path(
        "appointments/<int:pk>/cancel-rest/",
        views_series.appointment_cancel_rest,
        name="appointment_cancel_rest",
    ),
    # Working time and rooms.
    path("working-time/", views_working_time.working_time_list, name="working_time"),
    path(
        "working-time/<int:pk>/",
        views_working_time.working_time_practitioner,
        name="working_time_practitioner",
    ),
    path(
        "working-time/<int:pk>/patterns/add/",
        views_working_time.working_pattern_add,
        name="working_pattern_add",
    ),
    path(
        "working-time/patterns/<int:pk>/end/",
        views_working_time.working_pattern_end,
        name="working_pattern_end",
    ),
    path(
        "working-time/patterns/<int:pk>/delete/",
        views_working_time.working_pattern_delete,
        name="working_pattern_delete",
    ),
    path(
        "working-time/exceptions/add/",
        views_working_time.working_exception_add,
        name="working_exception_add",
    ),
    path(
        "working-time/exceptions/<int:pk>/delete/",
        views_working_time.working_exception_delete,
        name="working_exception_delete",
    ),
    path("rooms/closures/", views_working_time.room_closures, name="room_closures"),
    path("rooms/closures/add/", views_working_time.room_closure_add, name="room_closure_add"),
    path(
        "rooms/closures/<int:pk>/delete/",
        views_working_time.room_closure_delete,
        name="room_closure_delete",
    ),
]
