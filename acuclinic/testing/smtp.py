"""A real SMTP server for tests (aiosmtpd), on a free local port, with Django's email
settings pointed at it. It can be told to refuse mail, or to hold a message before
answering (to stop a worker in the middle of a send)."""

import asyncio
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller
from django.test import override_settings


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Received:
    sender: str
    recipients: list[str]
    message: EmailMessage

    @property
    def text(self) -> str:
        part = self.message.get_body(preferencelist=("plain",))
        return part.get_content() if part is not None else ""

    @property
    def html(self) -> str:
        part = self.message.get_body(preferencelist=("html",))
        return part.get_content() if part is not None else ""


@dataclass
class RecordingHandler:
    """Keeps every message it accepts. ``refuse`` (e.g. "550 5.1.1 Mailbox unavailable")
    answers the DATA command with that instead; ``hold`` makes it wait before answering,
    with ``arrived`` set once a message is in."""

    received: list[Received] = field(default_factory=list)
    refuse: str = ""
    hold: threading.Event | None = None
    arrived: threading.Event = field(default_factory=threading.Event)
    attempts: int = 0

    async def handle_DATA(self, server, session, envelope):
        self.attempts += 1
        if self.refuse:
            return self.refuse
        self.received.append(
            Received(
                sender=envelope.mail_from,
                recipients=list(envelope.rcpt_tos),
                message=message_from_bytes(envelope.original_content, policy=policy.default),
            )
        )
        self.arrived.set()
        while self.hold is not None and not self.hold.is_set():
            await asyncio.sleep(0.05)
        return "250 Message accepted for delivery"


@contextmanager
def smtp_server() -> Iterator[RecordingHandler]:
    """Start a server and send Django's mail to it for the duration."""
    handler = RecordingHandler()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        with override_settings(
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=port,
            EMAIL_HOST_USER="",
            EMAIL_HOST_PASSWORD="",
            EMAIL_USE_TLS=False,
            EMAIL_USE_SSL=False,
            EMAIL_TIMEOUT=10,
        ):
            yield handler
    finally:
        if handler.hold is not None:
            handler.hold.set()
        controller.stop()
