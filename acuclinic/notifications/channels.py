"""Handing one message to the outside world: the mail server or the SMS service.

``hand_over`` returns only once the other side has accepted the message, and raises
otherwise; ``describe_failure`` turns what it raised into words staff can act on.
"""

import copy
import smtplib
import socket

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.utils import DNS_NAME

from acuclinic.notifications import kinds, sms
from acuclinic.notifications.choices import MessageChannel
from acuclinic.notifications.models import Message

REASON_MAX = 500


def message_id(message: Message) -> str:
    """The same Message-ID on every attempt, so a mail program that did receive an
    earlier attempt can recognise a repeat as the same email."""
    return f"<acuclinic.{message.pk}.{int(message.created_at.timestamp())}@{DNS_NAME}>"


def build_email(message: Message) -> EmailMultiAlternatives:
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.recipient],
        reply_to=[message.reply_to] if message.reply_to else None,
        headers={
            "Message-ID": message_id(message),
            # Sent by a program (RFC 3834): out-of-office replies should not answer it.
            "Auto-Submitted": "auto-generated",
        },
    )
    if message.html:
        email.attach_alternative(message.html, "text/html")
    for attachment in message.attachments.all():
        email.attach(attachment.filename, bytes(attachment.content), attachment.mimetype)
    return email


def hand_over(message: Message) -> str:
    """Send ``message`` now. Returns the reference the other side knows it by."""
    body = kinds.body_for_sending(message)
    if body != message.body:
        # A copy carries the secret to the server; the stored row never has it.
        message = copy.copy(message)
        message.body = body
    if message.channel == MessageChannel.EMAIL:
        email = build_email(message)
        # A fresh connection per message: a worker sends a few messages a minute, and a
        # connection held open between them would only time out on the server.
        accepted = get_connection(fail_silently=False).send_messages([email])
        if accepted != 1:
            raise smtplib.SMTPException("The mail backend did not accept the message.")
        return message_id(message)
    if message.channel == MessageChannel.SMS:
        return sms.get_backend().send(
            to=message.recipient, body=message.body, reference=f"acuclinic-message-{message.pk}"
        )
    raise ValueError(f"Unknown channel {message.channel!r}")


def _server_said(code: int, text: bytes | str) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return f"{code} {text}".strip()


def describe_failure(exc: BaseException, channel: str = MessageChannel.EMAIL) -> str:
    """Why a send failed, as a sentence, with the server's own reply where there is one."""
    if channel == MessageChannel.SMS:
        reason = (
            f"The SMS service did not take the message: {exc}"
            if isinstance(exc, sms.SmsError)
            else f"The SMS service could not be used ({type(exc).__name__}: {exc})"
        )
    elif isinstance(exc, smtplib.SMTPRecipientsRefused):
        replies = "; ".join(_server_said(code, text) for code, text in exc.recipients.values())
        reason = f"The mail server refused the recipient: {replies}"
    elif isinstance(exc, smtplib.SMTPSenderRefused):
        said = _server_said(exc.smtp_code, exc.smtp_error)
        reason = f"The mail server refused the sender address: {said}"
    elif isinstance(exc, smtplib.SMTPAuthenticationError):
        said = _server_said(exc.smtp_code, exc.smtp_error)
        reason = f"The mail server did not accept our sign-in: {said}"
    elif isinstance(exc, smtplib.SMTPResponseException):
        said = _server_said(exc.smtp_code, exc.smtp_error)
        reason = f"The mail server refused the message: {said}"
    elif isinstance(exc, smtplib.SMTPServerDisconnected):
        reason = f"The mail server closed the connection: {exc}"
    elif isinstance(exc, smtplib.SMTPException):
        reason = f"The mail server did not take the message: {exc}"
    elif isinstance(exc, socket.timeout | TimeoutError):
        reason = "The mail server did not answer in time."
    elif isinstance(exc, OSError):
        where = f" {settings.EMAIL_HOST}:{settings.EMAIL_PORT}" if settings.EMAIL_HOST else ""
        reason = f"Could not reach the mail server{where}: {exc.strerror or exc}"
    else:
        reason = f"Sending failed unexpectedly ({type(exc).__name__}: {exc})"
    return reason[:REASON_MAX]
