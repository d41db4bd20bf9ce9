from datetime import timedelta

import pytest
from django.utils import timezone

from acuclinic.testing import factories


@pytest.fixture
def low_back(patient, practitioner):
    """The patient, with chronic low back pain on their clinical summary."""
    factories.clinical_summary(patient, by=practitioner.user, presenting_condition="low_back")
    return patient


@pytest.fixture
def weeks_ago():
    """The day ``n`` weeks before today."""
    return lambda n: timezone.localdate() - timedelta(weeks=n)


@pytest.fixture
def sessions(low_back, practitioner, weeks_ago):
    """Sessions for the low-back patient: weekly, ending today, one per pain score."""

    def make(*pains, every_days=7, **kwargs):
        first = timezone.localdate() - timedelta(days=every_days * (len(pains) - 1))
        return factories.weekly_sessions(
            low_back, practitioner, pains, first_day=first, every_days=every_days, **kwargs
        )

    return make


@pytest.fixture
def course_of(patient, practitioner):
    """Sessions for the patient with ``condition`` on their clinical summary: ``every_days``
    apart, ending today, one per pain score, each booked for ``minutes``."""

    def make(condition, *pains, every_days=7, minutes=30):
        factories.clinical_summary(patient, by=practitioner.user, presenting_condition=condition)
        first = timezone.localdate() - timedelta(days=every_days * (len(pains) - 1))
        return factories.weekly_sessions(
            patient, practitioner, pains, first_day=first, every_days=every_days, minutes=minutes
        )

    return make
