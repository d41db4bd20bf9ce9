"""A patient's own appointments in the portal: seeing them, cancelling within the clinic's
policy (late inside the notice period, said before confirming) and moving them to a free
time with the same practitioner."""

import re
from datetime import datetime, time, timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from acuclinic.audit.models import AuditEntry
from acuclinic.clinic.models import Clinic, Service
from acuclinic.core.formats import format_datetime
from acuclinic.portal import testing
from acuclinic.scheduling.choices import AppointmentStatus, CancelledBy
from acuclinic.scheduling.models import Appointment
from acuclinic.testing import factories


@pytest.fixture
def visit(mira, practitioner):
    """Mira's appointment with the practitioner a week ahead at 10:00."""
    return factories.appointment(
        patient=mira, practitioner=practitioner, start=factories.next_weekday_at(10)
    )


@pytest.fixture
def soon(mira, practitioner):
    """Mira's appointment in three hours: inside the 24-hour notice period."""
    start = (timezone.now() + timedelta(hours=3)).replace(second=0, microsecond=0)
    return factories.appointment(patient=mira, practitioner=practitioner, start=start)


@pytest.fixture
def signed_in(client, mira):
    testing.sign_in(client, mira)
    return client


def _status(appointment) -> str:
    return Appointment.objects.get(pk=appointment.pk).status


# Seeing them --------------------------------------------------------------------------


def test_the_home_page_lists_upcoming_appointments_with_when_where_and_with_whom(signed_in, visit):
    page = signed_in.get(reverse("portal_home")).content.decode()
    assert format_datetime(visit.start) in page
    assert "Medical acupuncture" in page
    assert escape(visit.practitioner.name) in page
    assert "Riverside, 1 Mill Lane, Testford, TE1 1ST" in page
    assert reverse("portal_appointment_cancel", args=[visit.pk]) in page
    assert reverse("portal_appointment_move", args=[visit.pk]) in page


def test_the_date_reads_like_tue_3_mar_2026_10_00(client, mira, practitioner):
    with time_machine.travel("2026-02-20 09:00 +00:00", tick=False):
        testing.sign_in(client, mira)
        factories.appointment(
            patient=mira,
            practitioner=practitioner,
            start=timezone.make_aware(datetime(2026, 3, 3, 10, 0)),
        )
        page = client.get(reverse("portal_home")).content.decode()
    assert "<h3>Tue 3 Mar 2026, 10:00</h3>" in page


def test_past_cancelled_and_other_patients_appointments_are_not_listed(
    signed_in, mira, other_patient, practitioner, visit
):
    cancelled = factories.appointment(
        patient=mira,
        practitioner=practitioner,
        start=factories.next_weekday_at(12),
        status=AppointmentStatus.CANCELLED,
        cancelled_at=timezone.now(),
    )
    past = factories.appointment(
        patient=mira, practitioner=practitioner, start=timezone.now() - timedelta(days=3)
    )
    theirs = factories.appointment(
        patient=other_patient, practitioner=practitioner, start=factories.next_weekday_at(15)
    )
    page = signed_in.get(reverse("portal_home")).content.decode()
    assert f'id="visit-{visit.pk}"' in page
    for hidden in (cancelled, past, theirs):
        assert f'id="visit-{hidden.pk}"' not in page
    assert "Ashdown" not in page


def test_with_nothing_booked_the_page_says_how_to_book(signed_in):
    page = signed_in.get(reverse("portal_home")).content.decode()
    assert "You have no appointments booked" in page
    assert "0161 496 0000" in page


# Cancelling ---------------------------------------------------------------------------


def test_cancelling_with_enough_notice_is_an_ordinary_cancellation(signed_in, visit):
    page = signed_in.get(reverse("portal_appointment_cancel", args=[visit.pk])).content.decode()
    assert "this is not a late cancellation" in page
    assert "late cancellation</h2>" not in page

    response = signed_in.post(
        reverse("portal_appointment_cancel", args=[visit.pk]), {"reason": "Away that week"}
    )
    assert response["Location"] == reverse("portal_home")
    visit.refresh_from_db()
    assert visit.status == AppointmentStatus.CANCELLED
    assert visit.cancelled_by == CancelledBy.PATIENT
    assert visit.cancellation_reason == "Away that week"
    home = signed_in.get(reverse("portal_home")).content.decode()
    assert f"Your appointment on {format_datetime(visit.start)} is cancelled." in home
    entry = AuditEntry.objects.get(action="change", object_id=str(visit.pk))
    assert entry.via == "portal"


def test_inside_the_notice_period_the_page_warns_before_a_late_cancellation(signed_in, soon):
    page = signed_in.get(reverse("portal_appointment_cancel", args=[soon.pk])).content.decode()
    assert "This will be a late cancellation" in page
    assert "less than 24 hours away" in page
    assert "Cancel it anyway (late cancellation)" in page

    signed_in.post(
        reverse("portal_appointment_cancel", args=[soon.pk]), {"warned_late": "1", "reason": ""}
    )
    assert _status(soon) == AppointmentStatus.LATE_CANCELLED
    home = signed_in.get(reverse("portal_home")).content.decode()
    assert "It was a late cancellation (less than 24 hours&#x27; notice)." in home


def test_the_home_page_marks_an_appointment_inside_the_notice_period(signed_in, soon):
    page = signed_in.get(reverse("portal_home")).content.decode()
    assert "cancelling now counts as a late cancellation" in page
    assert reverse("portal_appointment_move", args=[soon.pk]) not in page


def test_the_clinics_own_notice_period_decides_what_is_late(signed_in, visit):
    Clinic.objects.update(cancellation_notice_hours=168)
    visit.start = timezone.now() + timedelta(days=6)
    visit.end = visit.start + timedelta(minutes=30)
    visit.held_until = visit.end
    visit.save()
    page = signed_in.get(reverse("portal_appointment_cancel", args=[visit.pk])).content.decode()
    assert "less than 168 hours away" in page


def test_a_cancellation_that_became_late_while_the_page_was_open_is_not_made(
    signed_in, mira, practitioner
):
    start = timezone.now() + timedelta(hours=24, minutes=2)
    appointment = factories.appointment(patient=mira, practitioner=practitioner, start=start)
    page = signed_in.get(reverse("portal_appointment_cancel", args=[appointment.pk]))
    assert "this is not a late cancellation" in page.content.decode()
    # Five minutes later the patient presses the button: the 24 hours have begun.
    with time_machine.travel(timezone.now() + timedelta(minutes=5), tick=False):
        response = signed_in.post(reverse("portal_appointment_cancel", args=[appointment.pk]))
    assert response.status_code == 409
    page = response.content.decode()
    assert "Nothing has been cancelled yet" in page
    assert "This will be a late cancellation" in page
    assert _status(appointment) == AppointmentStatus.BOOKED
    assert not AuditEntry.objects.filter(action="change").exists()


def test_a_reason_over_200_characters_is_refused_and_nothing_is_cancelled(signed_in, visit):
    response = signed_in.post(
        reverse("portal_appointment_cancel", args=[visit.pk]), {"reason": "x" * 201}
    )
    assert response.status_code == 422
    assert "Please keep the reason to 200 characters." in response.content.decode()
    assert _status(visit) == AppointmentStatus.BOOKED


def test_an_appointment_already_cancelled_cannot_be_cancelled_again(signed_in, visit):
    signed_in.post(reverse("portal_appointment_cancel", args=[visit.pk]))
    response = signed_in.post(reverse("portal_appointment_cancel", args=[visit.pk]))
    assert response.status_code == 409
    assert "This appointment is marked “Cancelled”, so there is nothing to cancel." in (
        response.content.decode()
    )


def test_an_appointment_that_has_started_cannot_be_cancelled_online(signed_in, mira, practitioner):
    started = factories.appointment(
        patient=mira, practitioner=practitioner, start=timezone.now() - timedelta(minutes=5)
    )
    page = signed_in.get(reverse("portal_appointment_cancel", args=[started.pk]))
    assert "This appointment has already started" in page.content.decode()
    response = signed_in.post(
        reverse("portal_appointment_cancel", args=[started.pk]), {"warned_late": "1"}
    )
    assert response.status_code == 409
    assert _status(started) == AppointmentStatus.BOOKED


# Moving -------------------------------------------------------------------------------


def test_the_move_page_offers_free_times_with_the_same_practitioner(signed_in, visit, practitioner):
    colleague = factories.practitioner("colleague", qualified_medical=True)
    response = signed_in.get(reverse("portal_appointment_move", args=[visit.pk]))
    page = response.content.decode()
    assert f"Free times with {escape(practitioner.name)}" in page
    assert escape(colleague.name) not in page
    assert 'name="start"' in page
    # Not the time it already has.
    assert f'value="{timezone.localtime(visit.start).isoformat()}"' not in page


def test_moving_books_the_chosen_time_through_scheduling(signed_in, visit):
    new_start = timezone.localtime(visit.start).replace(hour=14)
    response = signed_in.post(
        reverse("portal_appointment_move", args=[visit.pk]), {"start": new_start.isoformat()}
    )
    assert response["Location"] == reverse("portal_home")
    visit.refresh_from_db()
    assert visit.start == new_start
    assert visit.status == AppointmentStatus.BOOKED
    home = signed_in.get(reverse("portal_home")).content.decode()
    assert f"Moved: your appointment is now on {format_datetime(new_start)}" in home
    entry = AuditEntry.objects.get(action="change", object_id=str(visit.pk))
    assert entry.detail == "moved"
    assert entry.via == "portal"


def test_free_times_respect_the_clinics_online_notice(client, mira, practitioner):
    monday = timezone.localdate() + timedelta(days=7 - timezone.localdate().weekday())
    now = timezone.make_aware(datetime.combine(monday, time(7, 0)))
    with time_machine.travel(now, tick=False):
        testing.sign_in(client, mira)
        thursday = timezone.make_aware(datetime.combine(monday + timedelta(days=3), time(10)))
        visit = factories.appointment(patient=mira, practitioner=practitioner, start=thursday)
        page = client.get(reverse("portal_appointment_move", args=[visit.pk])).content.decode()
        offered = [
            datetime.fromisoformat(v) for v in re.findall(r'name="start" value="([^"]+)"', page)
        ]
        # 12 hours' notice online: nothing before 19:00 today (the clinic closes at 20:00).
        assert min(offered) == now + timedelta(hours=12)
        response = client.post(
            reverse("portal_appointment_move", args=[visit.pk]),
            {"start": (now + timedelta(hours=11)).isoformat()},
        )
    assert response.status_code == 409
    assert "That time is no longer free" in response.content.decode()
    assert Appointment.objects.get(pk=visit.pk).start == thursday


def test_a_time_someone_else_has_taken_is_refused_and_nothing_moves(
    signed_in, visit, other_patient, practitioner
):
    taken = timezone.localtime(visit.start).replace(hour=15)
    factories.appointment(patient=other_patient, practitioner=practitioner, start=taken)
    response = signed_in.post(
        reverse("portal_appointment_move", args=[visit.pk]), {"start": taken.isoformat()}
    )
    assert response.status_code == 409
    assert Appointment.objects.get(pk=visit.pk).start == visit.start
    assert not AuditEntry.objects.filter(action="change").exists()


@pytest.mark.parametrize("start", ["", "tomorrow", "2026-03-03T10:00:00"])
def test_a_start_that_is_not_a_time_with_its_offset_is_refused(signed_in, visit, start):
    response = signed_in.post(reverse("portal_appointment_move", args=[visit.pk]), {"start": start})
    assert response.status_code == 422
    assert "Choose one of the times offered." in response.content.decode()
    assert Appointment.objects.get(pk=visit.pk).start == visit.start


def test_inside_the_notice_period_an_appointment_cannot_be_moved_online(signed_in, soon):
    page = signed_in.get(reverse("portal_appointment_move", args=[soon.pk])).content.decode()
    assert "cannot be moved online" in page
    assert 'name="start"' not in page
    later = timezone.localtime(soon.start + timedelta(days=7))
    response = signed_in.post(
        reverse("portal_appointment_move", args=[soon.pk]), {"start": later.isoformat()}
    )
    assert response.status_code == 409
    assert Appointment.objects.get(pk=soon.pk).start == soon.start


def test_a_kind_of_visit_the_clinic_does_not_offer_online_is_not_moved_online(signed_in, visit):
    Service.objects.filter(pk=visit.service_id).update(bookable_online=False)
    page = signed_in.get(reverse("portal_home")).content.decode()
    assert reverse("portal_appointment_move", args=[visit.pk]) not in page
    response = signed_in.post(
        reverse("portal_appointment_move", args=[visit.pk]),
        {"start": timezone.localtime(visit.start).replace(hour=14).isoformat()},
    )
    assert response.status_code == 409
    assert "Medical acupuncture appointments are arranged by the clinic" in (
        response.content.decode()
    )
    assert Appointment.objects.get(pk=visit.pk).start == visit.start


def test_later_times_page_on_through_the_days(signed_in, visit):
    page = signed_in.get(reverse("portal_appointment_move", args=[visit.pk])).content.decode()
    assert "Later times" in page
    assert page.count("<legend>") == 3


def test_a_mistyped_from_date_is_named_and_the_first_free_times_are_shown(signed_in, visit):
    response = signed_in.get(
        reverse("portal_appointment_move", args=[visit.pk]), {"start_from": "31/02/2026"}
    )
    page = response.content.decode()
    assert "Enter a real date" in page
    assert 'name="start"' in page


# One patient, one patient's data ------------------------------------------------------


@pytest.mark.parametrize("route", ["portal_appointment_cancel", "portal_appointment_move"])
def test_another_patients_appointment_is_not_found_and_left_alone(
    client, other_patient, visit, route
):
    testing.sign_in(client, other_patient)
    url = reverse(route, args=[visit.pk])
    new_start = timezone.localtime(visit.start).replace(hour=14)
    for response in (
        client.get(url),
        client.post(url, {"warned_late": "1", "start": new_start.isoformat()}),
    ):
        assert response.status_code == 404
        page = response.content.decode()
        assert "We cannot find that" in page
        assert visit.patient.family_name not in page
    visit_now = Appointment.objects.get(pk=visit.pk)
    assert (visit_now.status, visit_now.start) == (AppointmentStatus.BOOKED, visit.start)


def test_an_appointment_id_that_does_not_exist_is_answered_the_same_way(signed_in, visit):
    response = signed_in.get(reverse("portal_appointment_cancel", args=[visit.pk + 999]))
    assert response.status_code == 404
    assert "We cannot find that" in response.content.decode()
