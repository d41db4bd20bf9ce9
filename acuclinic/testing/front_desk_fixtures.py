"""Fixtures the front desk's tests share (scheduling, enquiries, online booking, the
waitlist): the clinic's medical acupuncture service, its Riverside location, next
Wednesday, and reception's API client. A plugin of the root conftest; a test module that
needs another of these defines its own, which pytest prefers."""

import pytest

from acuclinic.clinic.models import Location, Service
from acuclinic.scheduling.tests.helpers import next_weekday
from acuclinic.testing.api_client import as_user


@pytest.fixture
def medical(clinic):
    return Service.objects.get(name="Medical acupuncture")


@pytest.fixture
def location(clinic):
    return Location.objects.get(name="Riverside")


@pytest.fixture
def wednesday():
    return next_weekday(2)


@pytest.fixture
def api(reception_user):
    return as_user(reception_user)
