"""Safe retries for API writes: the ``Idempotency-Key`` header.

A client that gets no answer (a timeout, a dropped connection) cannot know whether its
booking was made. Sent again with the same key, the request gets the first answer back
— the same status and body, byte for byte — and nothing new is written. The stored
answer is written in the same transaction as the booking, so they commit together; two
copies racing each other meet at the unique key, and the loser answers with the
winner's stored result. The same key with a different request is refused
(``idempotency_key_reused``): it is a client bug that must not book the wrong thing.

Keys belong to the user who sent them; refusals from the service (409, 404, 422) are
stored too, because they are the first answer. A request that never reached the service
(invalid JSON, a missing field) stores nothing: sending it again gets the same error.

Answers are kept for a week (``KEPT_FOR``), far longer than any client retries for; the
worker deletes older ones every hour, so the table does not grow with every booking ever
made. A key sent again after that is a new request.
"""

import hashlib
import json
import re
from collections.abc import Callable
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.http import HttpResponse
from django.utils import timezone

from acuclinic.core import fixed_sql
from acuclinic.core.api_errors import error_body
from acuclinic.core.api_json import OffsetJSONRenderer
from acuclinic.core.errors import InvalidRequest, ServiceError
from acuclinic.scheduling.models import IdempotentRequest

HEADER = "Idempotency-Key"
# Printable ASCII, as RFC 9110 field values and the IETF draft's examples (UUIDs) are.
_KEY = re.compile(r"[\x21-\x7e]{1,200}")
_renderer = OffsetJSONRenderer()
KEPT_FOR = timedelta(days=7)


def prune_old_answers(now: datetime | None = None) -> int:
    """Delete stored answers older than ``KEPT_FOR``; how many were deleted."""
    cutoff = (now or timezone.now()) - KEPT_FOR
    return IdempotentRequest.objects.filter(created_at__lt=cutoff).delete()[0]


def request_key(request) -> str | None:
    raw = request.headers.get(HEADER)
    if raw is None:
        return None
    key = raw.strip()
    if not _KEY.fullmatch(key):
        raise InvalidRequest(
            "invalid_idempotency_key",
            "The Idempotency-Key must be 1 to 200 visible ASCII characters, e.g. a UUID.",
            field=HEADER,
        )
    return key


def _digest(request, payload: dict) -> str:
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(f"{request.method} {request.path}\n{canonical}".encode()).hexdigest()


def _response(status: int, body: str) -> HttpResponse:
    return HttpResponse(body, status=status, content_type="application/json; charset=utf-8")


def _render(request, status: int, data) -> str:
    return _renderer.render(request, data, response_status=status)


def _replay(stored: IdempotentRequest, digest: str) -> HttpResponse:
    if stored.request_digest != digest:
        raise InvalidRequest(
            "idempotency_key_reused",
            "This Idempotency-Key was already used for a different request. Use a new key "
            "for each new request, and the same key only to retry the same request.",
            field=HEADER,
        )
    response = _response(stored.status_code, stored.response_body)
    response["Idempotent-Replayed"] = "true"
    return response


class AnsweredElsewhere(Exception):
    """A copy of this request with the same key kept its answer first (see ``run_once``).

    Not an ``IntegrityError``: a service that turns those into "slot taken" must let
    this through, so the request is answered as its twin was."""


def run_once(
    request,
    *,
    payload: dict,
    run: Callable[..., tuple[int, object]],
    keeps_answer: bool = False,
) -> HttpResponse:
    """Answer ``request`` by calling ``run`` — at most once per Idempotency-Key.

    ``run`` returns ``(status, data)`` or raises ``ServiceError``; ``payload`` is the
    parsed body (retries are compared on it, so spacing and key order do not matter).

    By default ``run()`` is called inside a transaction that also keeps the answer. With
    ``keeps_answer``, ``run(keep)`` opens its own: it calls ``keep(status, data)`` inside
    the transaction that makes its writes, so the answer commits with them while reads
    and checks stay outside it (on SQLite, outside the database's write lock). A
    refusal raised outside ``keep`` is kept afterwards in a short transaction of its own.
    """
    key = request_key(request)
    if key is None:
        status, data = run(_keep_nothing) if keeps_answer else run()
        return _response(status, _render(request, status, data))
    user = request.auth
    digest = _digest(request, payload)
    # Fixed SQL, as the ORM's ``filter(user=user, key=key).first()`` asks: every
    # request with a key sends it (core.fixed_sql).
    stored = fixed_sql.select_one(
        IdempotentRequest, 't."user_id" = %s AND t."key" = %s', [user.pk, key], 't."id"'
    )
    if stored is not None:
        return _replay(stored, digest)

    def store(status: int, body: str, *, savepoint: bool = True) -> None:
        try:
            with transaction.atomic(savepoint=savepoint):
                fixed_sql.insert(
                    IdempotentRequest(
                        user=user,
                        key=key,
                        request_digest=digest,
                        status_code=status,
                        response_body=body,
                    )
                )
        except IntegrityError as exc:
            raise AnsweredElsewhere from exc

    kept: list[tuple[int, str]] = []

    def keep(status: int, data) -> None:
        body = _render(request, status, data)
        # Inside the transaction that makes the writes: if the key is taken, that whole
        # transaction is rolled back (AnsweredElsewhere leaves it), so no savepoint of
        # its own is needed: two statements fewer for every booking.
        store(status, body, savepoint=False)
        kept.append((status, body))

    try:
        if keeps_answer:
            run(keep)
        else:
            with transaction.atomic():
                keep(*run())
    except ServiceError as exc:
        # The writes, if any, have been rolled back; what is kept is the refusal, so a
        # retry is told the same.
        status = exc.status
        body = _render(request, status, error_body(exc.code, exc.message, exc.field, **exc.extra))
        try:
            store(status, body)
        except AnsweredElsewhere:
            return _replay(IdempotentRequest.objects.get(user=user, key=key), digest)
        return _response(status, body)
    except AnsweredElsewhere:
        # A copy of this request with the same key committed first: answer as it did.
        return _replay(IdempotentRequest.objects.get(user=user, key=key), digest)
    if not kept:
        raise RuntimeError("run_once: run succeeded without keeping its answer")
    return _response(*kept[0])


def _keep_nothing(status: int, data) -> None:
    """``keep`` for a request sent without a key: there is nothing to keep."""
