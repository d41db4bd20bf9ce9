"""Helpers for tests of portal pages (here, in the role matrices and in other apps'
portal views): sign a patient in without the emailed link."""

from django.utils import timezone

from acuclinic.portal.access import LAST_SEEN_KEY, PATIENT_KEY


def sign_in(client, patient) -> None:
    """Give the test ``client`` a portal session for ``patient``, as the link would."""
    session = client.session
    session[PATIENT_KEY] = patient.pk
    session[LAST_SEEN_KEY] = int(timezone.now().timestamp())
    session.save()
