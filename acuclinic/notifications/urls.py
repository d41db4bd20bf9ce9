from django.urls import path

from acuclinic.notifications import views

urlpatterns = [
    path("", views.outbox, name="outbox"),
    path("<int:pk>/send-again/", views.message_retry, name="message_retry"),
    path("settings/", views.messaging_policy, name="messaging_policy"),
]
