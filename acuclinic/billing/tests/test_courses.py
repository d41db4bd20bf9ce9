"""Prepaid courses: sold, drawn down by attended visits (and missed ones where the
policy says so), refused when expired or used up, refunded pro rata."""

from datetime import timedelta

import pytest
from django.utils import timezone

from acuclinic.billing import courses, services
from acuclinic.billing.models import CourseBlock, Invoice, Payment
from acuclinic.core.errors import Conflict
from acuclinic.scheduling import services as diary
from acuclinic.testing import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def block(clinic, medical):
    return CourseBlock.objects.create(
        clinic=clinic, name="Six sessions", service=medical, sessions=6, price_pence=27000
    )


@pytest.fixture
def course(patient, block):
    sold = courses.sell(patient=patient, block=block)
    services.record_payment(
        patient=patient, invoice=sold.invoice, amount_pence=27000, method="card"
    )
    return sold


def _visit(patient, practitioner, hour):
    return factories.appointment(
        patient=patient,
        practitioner=practitioner,
        start=factories.next_weekday_at(hour, days_ahead=-8),
    )


def test_attended_visits_draw_the_course_down_instead_of_being_invoiced(
    course, patient, practitioner
):
    for hour in (9, 10, 11):
        diary.appointment_set_status(_visit(patient, practitioner, hour), status="arrived")
    course.refresh_from_db()
    assert course.summary == "3 of 6 used"
    assert not Invoice.objects.filter(purpose="visit").exists()
    assert [d.number for d in course.draws.all()] == [1, 2, 3]


def test_an_unpaid_course_draws_nothing_and_the_visit_is_invoiced(patient, block, practitioner):
    sold = courses.sell(patient=patient, block=block)
    visit = _visit(patient, practitioner, 9)
    diary.appointment_set_status(visit, status="arrived")
    assert Invoice.objects.filter(appointment=visit, purpose="visit").exists()
    with pytest.raises(Conflict) as exc:
        courses.draw(sold, _visit(patient, practitioner, 10), reason="attended")
    assert exc.value.code == "course_not_paid"


def test_an_expired_or_used_up_course_is_refused_and_nothing_written(course, patient, practitioner):
    course.expires_on = timezone.localdate() - timedelta(days=1)
    course.save()
    with pytest.raises(Conflict) as exc:
        courses.draw(course, _visit(patient, practitioner, 9), reason="attended")
    assert exc.value.code == "course_expired"
    course.expires_on = timezone.localdate() + timedelta(days=30)
    course.used = 6
    course.save()
    with pytest.raises(Conflict) as exc:
        courses.draw(course, _visit(patient, practitioner, 10), reason="attended")
    assert exc.value.code == "course_used_up"
    assert not course.draws.exists()


def test_a_missed_visit_draws_a_session_only_where_the_policy_says_so(
    course, clinic, patient, practitioner
):
    settings = services.settings_for(clinic)
    settings.dna_fee_pence = 3000
    settings.save()
    diary.appointment_set_status(_visit(patient, practitioner, 9), status="dna")
    course.refresh_from_db()
    assert course.used == 1 and not Invoice.objects.filter(purpose="dna_fee").exists()
    settings.course_draws_dna = False
    settings.save()
    diary.appointment_set_status(_visit(patient, practitioner, 10), status="dna")
    course.refresh_from_db()
    assert course.used == 1 and Invoice.objects.filter(purpose="dna_fee").get().total_pence == 3000


def test_unused_sessions_are_refunded_pro_rata(course, patient, practitioner):
    diary.appointment_set_status(_visit(patient, practitioner, 9), status="arrived")
    diary.appointment_set_status(_visit(patient, practitioner, 10), status="arrived")
    assert courses.liability() == {"courses": 1, "sessions": 4, "value_pence": 18000}
    assert courses.refund_unused(course, reason="moving away") == 18000  # 4/6 of £270
    course.refresh_from_db()
    assert course.closed_at is not None
    assert Payment.objects.get(kind="refund").amount_pence == 18000
    assert services.due_on(course.invoice) == 0 and services.credit_available(patient) == 0
    assert courses.liability()["sessions"] == 0
    with pytest.raises(Conflict):
        courses.refund_unused(course, reason="again")


def test_the_desk_sells_a_course_and_the_diary_card_shows_its_use(
    client, reception_user, admin_user, block, patient, practitioner
):
    from django.urls import reverse

    client.force_login(reception_user)
    client.post(reverse("billing_course_sell", args=[patient.pk]), {"block": block.pk})
    sold = patient.prepaid_courses.get()
    services.record_payment(
        patient=patient, invoice=sold.invoice, amount_pence=27000, method="card"
    )
    for hour in range(9, 14):
        diary.appointment_set_status(_visit(patient, practitioner, hour), status="arrived")
    upcoming = factories.appointment(
        patient=patient, practitioner=practitioner, start=factories.next_weekday_at(10)
    )
    day = timezone.localtime(upcoming.start).date().isoformat()
    diary_page = client.get(reverse("diary"), {"date": day}).content.decode()
    assert "Prepaid 5 of 6 used" in diary_page and "Last prepaid session" in diary_page
    account = client.get(reverse("billing_patient", args=[patient.pk])).content.decode()
    assert "5 of 6 used" in account and "Refund unused" not in account
    assert "weekly phase is 6 sessions" in account and "6 sessions (suggested)" in account
    client.force_login(admin_user)
    client.post(reverse("billing_course_refund", args=[sold.pk]), {"reason": "moved away"})
    sold.refresh_from_db()
    assert sold.refunded_pence == 4500 and sold.closed_at is not None


def test_the_patient_sees_their_course_in_the_portal(client, course, patient, practitioner):
    from django.urls import reverse

    from acuclinic.portal import testing as portal_testing

    diary.appointment_set_status(_visit(patient, practitioner, 9), status="arrived")
    portal_testing.sign_in(client, patient)
    page = client.get(reverse("portal_home")).content.decode()
    assert "Your prepaid sessions" in page and "Six sessions: 1 of 6 used" in page
