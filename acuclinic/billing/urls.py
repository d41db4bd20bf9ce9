from django.urls import path

from acuclinic.billing import views

urlpatterns = [
    path("", views.billing_home, name="billing_home"),
    path("takings/", views.takings, name="billing_takings"),
    path("reports/", views.billing_reports, name="billing_reports"),
    path("reports/export.csv", views.billing_export, name="billing_export"),
    path("patients/<int:pk>/", views.patient_account, name="billing_patient"),
    path("patients/<int:pk>/pay/", views.payment_add, name="billing_payment_add"),
    path("patients/<int:pk>/invoice/", views.invoice_add, name="billing_invoice_add"),
    path("invoices/<int:pk>/", views.invoice_detail, name="billing_invoice"),
    path("invoices/<int:pk>/pdf/", views.invoice_pdf, name="billing_invoice_pdf"),
    path("invoices/<int:pk>/email/", views.invoice_email, name="billing_invoice_email"),
    path("invoices/<int:pk>/credit/", views.invoice_credit, name="billing_invoice_credit"),
    path("invoices/<int:pk>/waive/", views.fee_waive, name="billing_fee_waive"),
    path("payments/<int:pk>/refund/", views.payment_refund, name="billing_refund"),
    path("patients/<int:pk>/courses/", views.course_sell, name="billing_course_sell"),
    path("courses/<int:pk>/refund/", views.course_refund, name="billing_course_refund"),
    path("insurers/", views.insurer_list, name="billing_insurers"),
    path("settings/", views.billing_settings, name="billing_settings"),
    path("pay/<str:token>/", views.pay_online, name="billing_pay"),
    path("webhooks/stripe/", views.stripe_webhook, name="billing_stripe_webhook"),
    path("patients/<int:pk>/policies/", views.policy_add, name="billing_policy_add"),
]
