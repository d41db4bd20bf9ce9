"""Text messages: the backend interface, the console and outbox-folder backends, and a
provider's refusal recorded like a mail server's."""

import io

import pytest
from django.test import override_settings

from acuclinic.notifications import delivery, sms
from acuclinic.notifications.choices import MessageChannel, MessageStatus
from acuclinic.notifications.models import Message


class RefusingSmsBackend:
    """A provider that says no, as a real one does for a barred number."""

    def send(self, *, to, body, reference):
        raise sms.SmsError("number barred from receiving texts (code 21610)")


@pytest.fixture
def queue_text(queue_note):
    def queue(**overrides):
        return queue_note(
            channel=MessageChannel.SMS, to="07700 900123", subject="", body="See you at 10:00.",
            **overrides,
        )  # fmt: skip

    return queue


@pytest.mark.parametrize(
    ("typed", "international"),
    [
        ("07700 900123", "+447700900123"),
        ("+44 7700 900123", "+447700900123"),
        ("0044 (0)7700 900123", "+447700900123"),
        ("0161 496 0000", ""),  # a landline cannot take texts
        ("12345", ""),
        ("", ""),
    ],
)
def test_only_a_uk_mobile_number_can_be_texted(typed, international):
    assert sms.international_mobile(typed) == international


def test_the_console_backend_prints_the_text_and_who_it_is_for():
    stream = io.StringIO()
    reference = sms.ConsoleSmsBackend(stream).send(
        to="+447700900123", body="See you at 10:00.", reference="acuclinic-message-7"
    )
    assert "SMS to +447700900123 (acuclinic-message-7)" in stream.getvalue()
    assert "See you at 10:00." in stream.getvalue()
    assert reference == "console:acuclinic-message-7"


def test_the_outbox_backend_writes_one_whole_file_per_text(tmp_path):
    backend = sms.OutboxSmsBackend(tmp_path)
    name = backend.send(to="+447700900123", body="See you at 10:00.", reference="acuclinic-9")
    [written] = list(tmp_path.iterdir())  # no half-written ".part" file left behind
    assert written.name == name == "acuclinic-9.txt"
    text = written.read_text()
    assert text.startswith("To: +447700900123\nReference: acuclinic-9\n")
    assert text.endswith("\n\nSee you at 10:00.\n")


def test_sending_the_same_text_twice_to_the_outbox_leaves_one_file(tmp_path):
    backend = sms.OutboxSmsBackend(tmp_path)
    for _ in range(2):
        backend.send(to="+447700900123", body="See you at 10:00.", reference="acuclinic-9")
    assert len(list(tmp_path.iterdir())) == 1


def test_an_outbox_that_cannot_be_written_is_an_sms_error(tmp_path):
    blocked = tmp_path / "file-not-folder"
    blocked.write_text("")
    with pytest.raises(sms.SmsError, match="Could not write to the SMS outbox"):
        sms.OutboxSmsBackend(blocked).send(to="+447700900123", body="x", reference="r")


def test_a_queued_text_is_delivered_through_the_configured_backend(queue_text, tmp_path):
    with override_settings(
        ACUCLINIC_SMS_BACKEND="acuclinic.notifications.sms.OutboxSmsBackend",
        ACUCLINIC_SMS_OUTBOX_DIR=tmp_path,
    ):
        message = queue_text()
        assert delivery.deliver(message.pk) == "sent"
    message = Message.objects.get(pk=message.pk)
    assert message.status == MessageStatus.SENT
    assert message.provider_reference == f"acuclinic-message-{message.pk}.txt"
    written = (tmp_path / message.provider_reference).read_text()
    assert "To: +447700900123" in written
    assert written.endswith("See you at 10:00.\n")


@override_settings(ACUCLINIC_SMS_BACKEND=f"{__name__}.RefusingSmsBackend")
def test_a_provider_refusal_is_recorded_as_failed_with_its_reason(queue_text):
    message = queue_text()
    assert delivery.deliver(message.pk) == "failed"
    message = Message.objects.get(pk=message.pk)
    assert message.status == MessageStatus.FAILED
    assert message.reason == (
        "The SMS service did not take the message: number barred from receiving texts (code 21610)"
    )
    assert message.will_retry
