"""The kinds of message the clinic sends, and how each knows it is still wanted.

A message can wait a while before it goes (a retry after a failure, a send planned for
later). By then the appointment it is about may have moved or been cancelled, or the
patient may have stopped wanting messages. Each kind can name a check, run just before
every attempt: it returns why the message should no longer go ("" to send it). A
message that is no longer wanted is cancelled with that reason, never sent.

Each app that sends messages registers its kinds from its AppConfig.ready: the slug, the
label staff see, and the check if any. The outbox below them knows none of them.
"""

from dataclasses import dataclass

from django.utils.module_loading import import_string


@dataclass(frozen=True)
class Kind:
    label: str
    # "module.function" taking the Message and returning a reason not to send, or "".
    # A dotted path in the registering app, imported when first needed, so that
    # registering at start-up loads nothing.
    still_wanted_check: str = ""
    # "module.function" taking the Message and returning the body to send, for a message
    # whose stored body withholds a secret (a sign-in link) that is put in only as it
    # goes out; "" sends the stored body.
    render_at_send: str = ""


# Filled in by each app that sends messages, from its AppConfig.ready (``register``).
KINDS: dict[str, Kind] = {}


def register(slug: str, label: str, still_wanted_check: str = "", render_at_send: str = "") -> None:
    """Add a kind of message; apps call this from their ``ready()``. Registering the same
    slug again replaces it (``ready()`` may run more than once in tests)."""
    KINDS[slug] = Kind(label, still_wanted_check, render_at_send)


def label(kind: str) -> str:
    known = KINDS.get(kind)
    return known.label if known else kind.replace("_", " ").capitalize()


def reason_not_to_send(message) -> str:
    """Why ``message`` should no longer be sent, or "" if it should."""
    known = KINDS.get(message.kind)
    if known is None or not known.still_wanted_check:
        return ""
    return import_string(known.still_wanted_check)(message)


def body_for_sending(message) -> str:
    """The body to hand to the mail server or SMS service: the stored one, or what the
    kind's ``render_at_send`` makes of it (the stored body keeps no secret)."""
    known = KINDS.get(message.kind)
    if known is None or not known.render_at_send:
        return message.body
    return import_string(known.render_at_send)(message)
