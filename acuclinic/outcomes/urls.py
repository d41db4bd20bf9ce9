from django.urls import path

from acuclinic.outcomes import views

urlpatterns = [
    path("", views.report_page, name="outcomes_report"),
    path("report.csv", views.report_csv, name="outcomes_report_csv"),
    path("settings/", views.policy, name="outcomes_policy"),
    path("patients/<int:pk>/", views.patient_outcomes, name="outcomes_patient"),
    path("patients/<int:pk>/summary/", views.patient_summary, name="outcomes_patient_summary"),
    path(
        "patients/<int:pk>/measures/<slug:code>/",
        views.measure_new,
        name="outcomes_measure_new",
    ),
    path("courses/<int:pk>/review/", views.course_review, name="outcomes_course_review"),
    path("courses/<int:pk>/close/", views.course_close, name="outcomes_course_close"),
    path("courses/<int:pk>/book/", views.course_book, name="outcomes_course_book"),
]
