"""A practitioner's day in a browser: the visits already seen and those to come both read
at full contrast (axe-core finds nothing), each with its link to the visit."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from acuclinic.scheduling.choices import AppointmentStatus
from acuclinic.testing import factories
from tests.e2e.test_accessibility import assert_accessible
from tests.e2e.test_front_desk_day import sign_in

pytestmark = pytest.mark.browser


def test_a_day_with_a_visit_seen_and_one_to_come_is_readable(live_server, page, transactional_db):
    factories.build_clinic()
    sarah = factories.practitioner("sarah", qualified_medical=True)
    morning = factories.next_weekday_at(9)
    factories.appointment(
        patient=factories.patient(given_name="Ian", family_name="Fox"),
        practitioner=sarah,
        start=morning,
        status=AppointmentStatus.COMPLETED,
    )
    factories.appointment(
        patient=factories.patient(given_name="Ava", family_name="Griffiths"),
        practitioner=sarah,
        start=morning.replace(hour=11),
    )

    sign_in(page, live_server.url, "sarah")
    page.goto(f"{live_server.url}{reverse('my_day')}?date={morning.date().isoformat()}")

    expect(page.get_by_role("link", name="Ian Fox", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Ava Griffiths", exact=True)).to_be_visible()
    assert_accessible(page)
