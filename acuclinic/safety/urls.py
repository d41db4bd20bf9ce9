from django.urls import path

from acuclinic.safety import views

urlpatterns = [
    path("patients/<int:pk>/", views.patient_safety, name="safety_patient"),
    path(
        "patients/<int:pk>/questionnaire/", views.questionnaire_new, name="safety_questionnaire_new"
    ),
    path(
        "patients/<int:pk>/questionnaire/<int:version>/",
        views.questionnaire_detail,
        name="safety_questionnaire_detail",
    ),
    path("patients/<int:pk>/send-link/", views.send_link, name="safety_send_link"),
    path("patients/<int:pk>/consent/", views.consent_new, name="safety_consent_new"),
    path(
        "patients/<int:pk>/precautions/<slug:rule_id>/",
        views.acknowledge,
        name="safety_acknowledge",
    ),
    path(
        "patients/<int:pk>/agreements/<slug:rule_id>/",
        views.agreement_new,
        name="safety_agreement_new",
    ),
    path("patients/<int:pk>/referrals/new/", views.referral_new, name="safety_referral_new"),
    path(
        "patients/<int:pk>/referrals/<int:referral>/",
        views.referral_detail,
        name="safety_referral",
    ),
    path(
        "patients/<int:pk>/referrals/<int:referral>/pdf/",
        views.referral_pdf_view,
        name="safety_referral_pdf",
    ),
    path("appointments/<int:pk>/", views.gate, name="safety_gate"),
    path("appointments/<int:pk>/no-changes/", views.no_changes, name="safety_no_changes"),
    path("settings/", views.policy, name="safety_policy"),
    path("credentials/", views.expiring_credentials, name="safety_expiring_credentials"),
    # The patient's own questionnaire: the token in the link is the only key.
    path("q/<str:token>/", views.public_questionnaire, name="safety_public_questionnaire"),
]
