"""Which visits put needles in: it decides who may be booked and whether the gate applies."""

import pytest
from django.db import IntegrityError, transaction

from acuclinic.clinic.choices import Modality
from acuclinic.clinic.models import Room, Service
from acuclinic.core.errors import InvalidRequest
from acuclinic.scheduling import services
from acuclinic.testing import factories


def test_a_treatment_service_needles_in_its_own_modality(clinic):
    service = Service.objects.create(
        clinic=clinic,
        name="Dry needling",
        modality=Modality.MEDICAL,
        duration_minutes=30,
        price_pence=4000,
    )
    assert service.needling == Modality.MEDICAL
    assert service.needs_acupuncture_qualification


def test_the_database_refuses_a_treatment_service_needling_in_the_other_modality(clinic):
    with pytest.raises(IntegrityError), transaction.atomic():
        Service.objects.bulk_create(
            [
                Service(
                    clinic=clinic,
                    name="Muddled",
                    modality=Modality.TRADITIONAL,
                    needling=Modality.MEDICAL,
                    duration_minutes=30,
                    price_pence=4000,
                )
            ]
        )


def test_an_assessment_may_include_acupuncture_and_then_needs_a_qualified_practitioner(
    clinic, patient
):
    traditional_only = factories.practitioner("trad", qualified_traditional=True)
    assessment = Service.objects.get(name="Assessment and acupuncture")
    with pytest.raises(InvalidRequest) as refused:
        services.appointment_book(
            patient=patient,
            practitioner=traditional_only,
            room=Room.objects.get(name="Room 1"),
            service=assessment,
            start=factories.next_weekday_at(10),
        )
    assert refused.value.code == "not_qualified"
    assert "Medical (western) acupuncture" in refused.value.message


def test_a_visit_without_needles_can_be_booked_with_any_practitioner(clinic, patient):
    traditional_only = factories.practitioner("trad", qualified_traditional=True)
    review = Service.objects.get(name="Follow-up")
    appointment = services.appointment_book(
        patient=patient,
        practitioner=traditional_only,
        room=Room.objects.get(name="Room 1"),
        service=review,
        start=factories.next_weekday_at(10),
    )
    assert appointment.pk is not None
