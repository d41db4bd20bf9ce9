from django.urls import path

from acuclinic.portal import sign_in_views, views

urlpatterns = [
    path("", views.home, name="portal_home"),
    path("sign-in/", sign_in_views.sign_in, name="portal_sign_in"),
    # The token in the emailed link is the only key.
    path("sign-in/<str:token>/", sign_in_views.link, name="portal_link"),
    path("sign-out/", sign_in_views.sign_out, name="portal_sign_out"),
    path(
        "appointments/<int:pk>/cancel/",
        views.appointment_cancel,
        name="portal_appointment_cancel",
    ),
    path("appointments/<int:pk>/move/", views.appointment_move, name="portal_appointment_move"),
    path("questionnaire/", views.questionnaire, name="portal_questionnaire"),
    path("aftercare/", views.aftercare, name="portal_aftercare"),
]
