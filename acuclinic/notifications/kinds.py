"""The kinds of message the clinic sends, and how each knows it is still wanted.

A message can wait a while before it goes (a retry after a failure, a send planned for
later). By then the appointment it is about may have moved or been cancelled, or the
patient may have stopped wanting messages. Each kind can name a check, run just before
every attempt: it returns why the message should no longer go ("" to send it). A
message that is no longer wanted is cancelled with that reason, never sent.

To add a kind, add a line here: its slug, the label staff see, and its check if any.
"""

from dataclasses import dataclass

from django.utils.module_loading import import_string


@dataclass(frozen=True)
class Kind:
    label: str
    # "module.function" taking the Message and returning a reason not to send, or "".
    # A dotted path, not the function, so this module imports nothing from the apps
    # that send messages (they import notifications.services).
    still_wanted_check: str = ""


KINDS: dict[str, Kind] = {
    "appointment_reminder": Kind(
        "Appointment reminder", "acuclinic.scheduling.reminders.reason_not_to_send"
    ),
    "online_booking_confirmation": Kind(
        "Online booking confirmation", "acuclinic.online_booking.emails.reason_not_to_send"
    ),
    "online_cancellation": Kind("Online cancellation confirmed"),
    "waitlist_offer": Kind("Waitlist offer", "acuclinic.waitlist.services.reason_not_to_send"),
    "waitlist_gone": Kind(
        "Waitlist offer taken by someone else", "acuclinic.waitlist.services.gone_still_wanted"
    ),
    "credential_expiry": Kind(
        "Credential expiry reminder", "acuclinic.safety.credential_reminders.reason_not_to_send"
    ),
    "portal_sign_in": Kind(
        "Patient portal sign-in link", "acuclinic.portal.services.reason_not_to_send"
    ),
}


def label(kind: str) -> str:
    known = KINDS.get(kind)
    return known.label if known else kind.replace("_", " ").capitalize()


def reason_not_to_send(message) -> str:
    """Why ``message`` should no longer be sent, or "" if it should."""
    known = KINDS.get(message.kind)
    if known is None or not known.still_wanted_check:
        return ""
    return import_string(known.still_wanted_check)(message)
