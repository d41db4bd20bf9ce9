from django.urls import path

from acuclinic.treatment import views

urlpatterns = [
    path("", views.home, name="treatment_home"),
    path("points/", views.points, name="treatment_points"),
    path("appointments/<int:pk>/note/", views.note_start, name="treatment_note_start"),
    path("notes/<int:pk>/", views.note_detail, name="treatment_note"),
    path("notes/<int:pk>/save/", views.note_save, name="treatment_note_save"),
    path("notes/<int:pk>/autosave/", views.note_autosave, name="treatment_note_autosave"),
    path("notes/<int:pk>/near/", views.note_near, name="treatment_note_near"),
    path("notes/<int:pk>/details/", views.note_details, name="treatment_note_details"),
    path("notes/<int:pk>/points/", views.note_points, name="treatment_note_points"),
    path(
        "notes/<int:pk>/points/<int:point_pk>/remove/",
        views.note_point_remove,
        name="treatment_note_point_remove",
    ),
    path("notes/<int:pk>/prefill/", views.note_prefill, name="treatment_note_prefill"),
    path("notes/<int:pk>/needles/", views.note_needles, name="treatment_note_needles"),
    path(
        "notes/<int:pk>/needles/<int:use_pk>/remove/",
        views.note_needle_remove,
        name="treatment_note_needle_remove",
    ),
    path("notes/<int:pk>/sign/", views.note_sign, name="treatment_note_sign"),
    path("notes/<int:pk>/addenda/", views.note_addendum, name="treatment_note_addendum"),
    path(
        "notes/<int:pk>/adverse-events/",
        views.note_adverse_event,
        name="treatment_note_adverse_event",
    ),
    path("adverse-events/", views.adverse_events, name="treatment_adverse_events"),
    path("follow-ups/<int:pk>/close/", views.follow_up_close, name="treatment_follow_up_close"),
    path("report/", views.report, name="treatment_report"),
    path("lots/", views.lots, name="treatment_lots"),
    path("lots/new/", views.lot_new, name="treatment_lot_new"),
    path("lots/<int:pk>/", views.lot_detail, name="treatment_lot"),
    path("lots/<int:pk>/recall/", views.lot_recall, name="treatment_lot_recall"),
    path("prescriptions/", views.prescriptions, name="treatment_prescriptions"),
    path(
        "prescriptions/<int:pk>/delete/",
        views.prescription_delete,
        name="treatment_prescription_delete",
    ),
    path("settings/", views.policy, name="treatment_policy"),
]
