"""Deliveries on the appointment page, the outbox, sending a failed message again, and
the reminder settings."""

import html
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from acuclinic.audit.models import AuditEntry
from acuclinic.notifications import delivery
from acuclinic.notifications.choices import MessageStatus
from acuclinic.notifications.models import Message, MessagingPolicy

REFUSAL = "550 5.1.1 Mailbox unavailable"


@pytest.fixture
def failed(smtp, queue_note):
    smtp.refuse = REFUSAL
    message = queue_note(subject="Your visit")
    delivery.deliver(message.pk)
    smtp.refuse = ""
    return Message.objects.get(pk=message.pk)


def _appointment_page(client, user, appointment) -> str:
    client.force_login(user)
    response = client.get(reverse("appointment_detail", args=[appointment.pk]))
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("role", ["reception", "practitioner", "admin"])
def test_the_appointment_page_shows_each_message_and_how_it_went(client, users, failed, role):
    page = _appointment_page(client, users[role], failed.appointment)
    assert 'id="messages-h"' in page
    assert "Failed – will try again" in page
    assert "550 5.1.1 Mailbox unavailable" in page
    assert "mira.okafor@example.test" in page
    assert "1 of 5" in page


def test_a_failed_message_is_never_shown_as_sent(client, users, failed):
    page = _appointment_page(client, users["reception"], failed.appointment)
    log = page.split('id="messages-h"')[1].split("</section>")[0]
    assert "Sent" not in log


def test_a_sent_message_shows_when_it_was_sent(client, users, smtp, queue_note, soon):
    message = queue_note()
    delivery.deliver(message.pk)
    sent_at = timezone.localtime(Message.objects.get(pk=message.pk).sent_at)
    page = _appointment_page(client, users["reception"], soon)
    log = page.split('id="messages-h"')[1]
    assert (
        f"<strong>Sent</strong><br><small>{sent_at:%a} {sent_at.day} {sent_at:%b %Y, %H:%M}" in log
    )


def test_an_appointment_without_messages_says_so(client, users, soon):
    page = _appointment_page(client, users["reception"], soon)
    assert "No messages have been sent about this appointment." in page


def test_only_admins_see_a_send_again_button_on_the_appointment(client, users, failed):
    assert "Send again" not in _appointment_page(client, users["reception"], failed.appointment)
    assert "Send again" in _appointment_page(client, users["admin"], failed.appointment)


def test_the_outbox_lists_every_message_with_its_attempts(client, admin_user, failed):
    client.force_login(admin_user)
    page = client.get(reverse("outbox")).content.decode()
    assert "1 message" in page
    assert "Your visit" in page
    assert "Failed – will try again" in page
    assert "550 5.1.1 Mailbox unavailable" in page
    assert AuditEntry.objects.filter(action="view", detail="outbox").exists()


@pytest.mark.parametrize(
    ("query", "shown"),
    [
        ({"status": "failed"}, True),
        ({"status": "retrying"}, True),
        ({"status": "sent"}, False),
        ({"kind": "appointment_reminder"}, False),
        ({"channel": "sms"}, False),
        ({"since": "2000-01-01"}, True),
        ({"until": "2000-01-01"}, False),
    ],
)
def test_the_outbox_filters_by_status_kind_channel_and_date(
    client, admin_user, failed, query, shown
):
    client.force_login(admin_user)
    page = client.get(reverse("outbox"), query).content.decode()
    assert ("Your visit" in page) is shown


def test_bad_filters_show_an_error_and_no_messages_not_a_500(client, admin_user, failed):
    client.force_login(admin_user)
    response = client.get(reverse("outbox"), {"since": "2026-05-01", "until": "2026-04-01"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "must be on or after" in page
    assert "Your visit" not in page


def test_an_admin_sends_a_failed_message_again_and_it_goes(client, admin_user, smtp, failed):
    client.force_login(admin_user)
    response = client.post(
        reverse("message_retry", args=[failed.pk]),
        {"next": reverse("appointment_detail", args=[failed.appointment_id])},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("appointment_detail", args=[failed.appointment_id])
    message = Message.objects.get(pk=failed.pk)
    assert message.status == MessageStatus.QUEUED
    assert message.next_attempt_at <= timezone.now()
    assert delivery.deliver(message.pk) == "sent"
    assert len(smtp.received) == 1
    entry = AuditEntry.objects.get(action="change", object_type="notifications.message")
    assert (entry.actor, entry.detail) == (admin_user, "sent again by staff")


def test_sending_again_after_the_last_attempt_is_one_more_try_only(
    client, admin_user, smtp, failed, settings
):
    settings.ACUCLINIC_MESSAGE_MAX_ATTEMPTS = 1
    Message.objects.filter(pk=failed.pk).update(next_attempt_at=None)  # given up
    client.force_login(admin_user)
    client.post(reverse("message_retry", args=[failed.pk]))
    smtp.refuse = REFUSAL
    assert delivery.deliver(failed.pk) == "failed"
    message = Message.objects.get(pk=failed.pk)
    assert (message.status, message.next_attempt_at, message.attempts) == ("failed", None, 2)


def test_a_message_that_is_not_failed_cannot_be_sent_again(client, admin_user, queue_note):
    message = queue_note()
    client.force_login(admin_user)
    response = client.post(reverse("message_retry", args=[message.pk]), follow=True)
    assert "Only a failed message can be sent again; this one is queued." in (
        response.content.decode()
    )
    assert Message.objects.get(pk=message.pk).status == MessageStatus.QUEUED


def test_send_again_will_not_redirect_to_another_site(client, admin_user, failed):
    client.force_login(admin_user)
    response = client.post(
        reverse("message_retry", args=[failed.pk]), {"next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("outbox")


def test_an_unknown_message_is_404(client, admin_user):
    client.force_login(admin_user)
    assert client.post(reverse("message_retry", args=[999999])).status_code == 404


def test_an_admin_changes_the_reminder_settings(client, admin_user, clinic):
    client.force_login(admin_user)
    response = client.post(
        reverse("messaging_policy"),
        {"reminder_lead_hours": "24", "email_reminders": "on"},
    )
    assert response.status_code == 302
    policy = MessagingPolicy.objects.get(clinic=clinic)
    assert (policy.reminder_lead_hours, policy.email_reminders, policy.sms_reminders) == (
        24,
        True,
        False,
    )
    entry = AuditEntry.objects.get(object_type="notifications.messagingpolicy")
    assert entry.changed_fields == ["reminder_lead_hours", "sms_reminders"]


@pytest.mark.parametrize("hours", ["0", "169", "two days", ""])
def test_a_lead_time_out_of_range_is_refused_and_nothing_saved(client, admin_user, clinic, hours):
    client.force_login(admin_user)
    response = client.post(reverse("messaging_policy"), {"reminder_lead_hours": hours})
    assert response.status_code == 400
    assert "has-error" in response.content.decode()
    assert not MessagingPolicy.objects.exists()


def test_the_retry_shown_in_the_outbox_says_when(client, admin_user, failed):
    client.force_login(admin_user)
    page = client.get(reverse("outbox")).content.decode()
    due = timezone.localtime(failed.next_attempt_at)
    assert f"next try {due:%a} {due.day} {due:%b %Y, %H:%M}" in page
    assert failed.next_attempt_at - timezone.now() <= timedelta(minutes=1)


def test_the_outbox_warns_when_messages_only_go_to_the_console(client, admin_user, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    settings.ACUCLINIC_SMS_BACKEND = "acuclinic.notifications.sms.ConsoleSmsBackend"
    client.force_login(admin_user)
    page = html.unescape(client.get(reverse("outbox")).content.decode())
    assert "Email is not set up: emails are printed in the worker's log" in page
    assert "Text messages are printed in the worker's log" in page


def test_the_outbox_does_not_warn_when_real_backends_are_set(client, admin_user, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.ACUCLINIC_SMS_BACKEND = "acuclinic.notifications.sms.OutboxSmsBackend"
    client.force_login(admin_user)
    page = html.unescape(client.get(reverse("outbox")).content.decode())
    assert "printed in the worker's log" not in page
