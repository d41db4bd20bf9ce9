"""GET /api/v1/appointments/{id}/messages: how each message about an appointment went."""

from acuclinic.notifications import delivery
from acuclinic.testing.api_client import JsonClient, api_token


def test_the_messages_about_an_appointment_come_with_their_delivery(
    smtp, queue_note, soon, reception_user
):
    sent = queue_note(subject="First")
    delivery.deliver(sent.pk)
    smtp.refuse = "550 5.1.1 Mailbox unavailable"
    failed = queue_note(subject="Second")
    delivery.deliver(failed.pk)

    response = JsonClient(token=api_token(reception_user)).get(f"/appointments/{soon.pk}/messages")

    assert response.status_code == 200
    second, first = response.json()
    assert (first["id"], first["status"], first["status_display"]) == (sent.pk, "sent", "Sent")
    assert first["sent_at"] is not None
    assert second["status"] == "failed"
    assert second["status_display"] == "Failed – will try again"
    assert second["sent_at"] is None
    assert second["reason"] == "The mail server refused the message: 550 5.1.1 Mailbox unavailable"
    assert second["attempts"] == 1
    assert second["next_attempt_at"] is not None
    assert second["recipient"] == "mira.okafor@example.test"
    assert "body" not in second


def test_an_unknown_appointment_is_a_404_with_a_code(reception_user, clinic):
    response = JsonClient(token=api_token(reception_user)).get("/appointments/999999/messages")
    assert response.status_code == 404
    assert response.json()["code"] == "unknown_appointment"
