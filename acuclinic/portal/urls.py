"""The patient portal, mounted at /portal/."""

from django.urls import path

from acuclinic.portal.views import progress, sign_in, visits

urlpatterns = [
    path("", visits.home, name="portal_home"),
    path("sign-in/", sign_in.sign_in, name="portal_sign_in"),
    # The token in the emailed link is the only key.
    path("sign-in/<str:token>/", sign_in.link, name="portal_link"),
    path("sign-out/", sign_in.sign_out, name="portal_sign_out"),
    path(
        "appointments/<int:pk>/cancel/",
        visits.appointment_cancel,
        name="portal_appointment_cancel",
    ),
    path("appointments/<int:pk>/move/", visits.appointment_move, name="portal_appointment_move"),
    path("questionnaire/", visits.questionnaire, name="portal_questionnaire"),
    path("aftercare/", visits.aftercare, name="portal_aftercare"),
    # Buying a prepaid course online (billing): only with a payment provider set up.
    path("courses/<int:pk>/buy/", visits.buy_course, name="portal_buy_course"),
    # The patient's progress: their chart, pain diary and questionnaires (outcomes).
    path("progress/", progress.progress, name="portal_progress"),
    path("progress/diary/", progress.diary, name="portal_progress_diary"),
    path("progress/questionnaires/<slug:code>/", progress.measure, name="portal_progress_measure"),
]
