"""Requests racing in threads, each with its own database connection (as separate worker
processes would have): a link signs in once, and the rate limit holds."""

import threading

import pytest
from django.db import connection

from acuclinic.portal import services
from acuclinic.portal.errors import LinkUnusable, TooManyRequests
from acuclinic.portal.models import LinkRequest, SignInLink
from acuclinic.testing import factories

CLIENTS = 8


def _race(work, clients: int = CLIENTS) -> list[str]:
    barrier = threading.Barrier(clients)
    outcomes: list[str] = []
    lock = threading.Lock()

    def client(i: int) -> None:
        try:
            barrier.wait()
            result = work(i)
        except (LinkUnusable, TooManyRequests) as exc:
            result = exc.code
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return outcomes


def _link_for(patient) -> str:
    tokens = []
    services.sign_in_link_request(
        email=patient.email,
        date_of_birth=patient.date_of_birth,
        client_address=None,
        url_for=lambda token: tokens.append(token) or token,
    )
    return tokens[0]


@pytest.mark.django_db(transaction=True)
def test_one_link_used_by_many_requests_at_once_signs_in_once(clinic):
    patient = factories.patient()
    token = _link_for(patient)

    outcomes = _race(lambda i: f"signed in {services.sign_in_with_link(token).pk}")

    assert sorted(outcomes) == ["link_used"] * (CLIENTS - 1) + [f"signed in {patient.pk}"]
    assert SignInLink.objects.get().used_at is not None


@pytest.mark.django_db(transaction=True)
def test_racing_requests_for_one_address_never_get_past_the_limit(clinic, monkeypatch):
    monkeypatch.setattr(services, "MAX_REQUESTS_PER_EMAIL", 3)
    patient = factories.patient()

    def ask(i: int) -> str:
        services.sign_in_link_request(
            email=patient.email,
            date_of_birth=patient.date_of_birth,
            client_address=f"198.51.100.{i}",
            url_for=lambda token: token,
        )
        return "sent"

    outcomes = _race(ask)

    # However the requests interleave, at most three get through (every request counts,
    # refused ones too, so a burst may get fewer through, never more).
    sent = outcomes.count("sent")
    assert sent <= 3
    assert sorted(outcomes) == ["sent"] * sent + ["too_many_link_requests"] * (CLIENTS - sent)
    assert SignInLink.objects.count() == sent
    assert LinkRequest.objects.count() == CLIENTS
