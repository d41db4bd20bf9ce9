"""Text messages, behind one small interface so the SMS provider can change.

``ACUCLINIC_SMS_BACKEND`` names the backend class. Two ship with acuclinic: the console
(prints each text, for a laptop) and an outbox folder (one file per text, for a clinic
that hands them to a gateway by file, and for tests). A provider's backend is a class
with the same ``send`` method that raises ``SmsError`` when the provider refuses.
"""

import os
import sys
import tempfile
from pathlib import Path
from typing import Protocol, TextIO

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

from acuclinic.people.phone import national_digits

# Four SMS segments: longer texts are split, billed by the piece and arrive out of order.
MAX_LENGTH = 612


class SmsError(Exception):
    """The SMS service did not take the message; the text says why."""


class SmsBackend(Protocol):
    def send(self, *, to: str, body: str, reference: str) -> str:
        """Hand one text to the service. Returns the service's reference for it.

        ``to`` is an international number (+447700900123); ``reference`` is ours, unique
        per message, for a service that can refuse a repeat of the same one.
        """


def international_mobile(phone: str) -> str:
    """'07700 900123' → '+447700900123'; '' when it is not a UK mobile number."""
    digits = national_digits(phone)
    if len(digits) == 11 and digits.startswith("07"):
        return "+44" + digits[1:]
    return ""


class ConsoleSmsBackend:
    """Prints each text, for development: nothing leaves the machine."""

    def __init__(self, stream: TextIO | None = None):
        self.stream = stream or sys.stdout

    def send(self, *, to: str, body: str, reference: str) -> str:
        self.stream.write(f"SMS to {to} ({reference}):\n{body}\n{'-' * 40}\n")
        self.stream.flush()
        return f"console:{reference}"


class OutboxSmsBackend:
    """Writes each text as a file in ``ACUCLINIC_SMS_OUTBOX_DIR``.

    A file appears whole or not at all (written aside, then renamed), so a gateway
    watching the folder never picks up half a message. The file is named after our
    reference: sending the same message twice rewrites one file rather than adding two.
    """

    def __init__(self, directory: Path | str | None = None):
        self.directory = Path(directory or settings.ACUCLINIC_SMS_OUTBOX_DIR)

    def send(self, *, to: str, body: str, reference: str) -> str:
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            target = self.directory / f"{reference}.txt"
            content = (
                f"To: {to}\nReference: {reference}\n"
                f"Written: {timezone.now().isoformat()}\n\n{body}\n"
            )
            fd, temporary = tempfile.mkstemp(dir=self.directory, prefix=".", suffix=".part")
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(content)
            os.replace(temporary, target)
        except OSError as exc:
            raise SmsError(f"Could not write to the SMS outbox {self.directory}: {exc}") from exc
        return target.name


def get_backend() -> SmsBackend:
    return import_string(settings.ACUCLINIC_SMS_BACKEND)()
