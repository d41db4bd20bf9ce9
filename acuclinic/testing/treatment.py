"""Builders for treatment-record test data, shared by this app's tests and the role
matrices. Everything goes through the services, as a practitioner would, except where
a builder says otherwise."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from acuclinic.clinic.models import Clinic, Service
from acuclinic.safety import queries as safety_queries
from acuclinic.safety.models import ChangeCheck, Consent
from acuclinic.safety.services import visit_no_changes_confirm
from acuclinic.scheduling.choices import AppointmentStatus
from acuclinic.scheduling.models import Appointment
from acuclinic.testing import factories
from acuclinic.treatment import queries, services
from acuclinic.treatment.models import (
    AdverseEvent,
    FollowUp,
    NeedledPoint,
    NeedleLot,
    NeedleUse,
    NoteAddendum,
    PointPrescription,
    SessionNote,
)
from acuclinic.treatment.services import PointSpec

LOW_BACK = (
    PointSpec("BL23", "bilateral", 25, 20, "manual"),
    PointSpec("BL25", "bilateral", 25, 20, "manual"),
    PointSpec("GV3", "midline", 15, 20, "manual"),
    PointSpec("BL40", "bilateral", 15, 20, "manual"),
)
# Needles the LOW_BACK combination takes: three bilateral points and one on the midline.
LOW_BACK_NEEDLES = 7


def needle_lot(clinic: Clinic, **fields) -> NeedleLot:
    """A lot of 0.25 × 30 mm needles in stock, expiring in two years unless told."""
    today = timezone.localdate()
    quantity = fields.pop("quantity", 500)
    values = {
        "manufacturer": "Northgate Medical",
        "diameter_um": 250,
        "length_mm": 30,
        "lot_number": f"NG{NeedleLot.objects.count() + 1:05d}",
        "expires_on": today + timedelta(days=730),
        "received_on": today - timedelta(days=30),
        "quantity_received": quantity,
        "quantity_in_stock": quantity,
    }
    values.update(fields)
    return NeedleLot.objects.create(clinic=clinic, **values)


def today_at(hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(timezone.localdate(), time(hour, minute)))


def ready_visit(
    patient,
    practitioner,
    *,
    hour: int | None = None,
    status: str = AppointmentStatus.ARRIVED,
    service: Service | None = None,
    day: date | None = None,
    **answers,
):
    """A visit today (or ``day``) that took place and passes the safety gate: a current
    questionnaire (with ``answers``), consent to the modality and "no changes" asked."""
    service = service or Service.objects.get(name="Medical acupuncture")
    at = time(9 if hour is None else hour)
    start = timezone.make_aware(datetime.combine(day or timezone.localdate(), at))
    started = hour is None and day is None and status != AppointmentStatus.BOOKED
    if started and start > timezone.now():
        # The visit of the day has started (its note can be signed): at 9:00, or at
        # midnight when the tests run before 9:00.
        start = timezone.make_aware(datetime.combine(timezone.localdate(), time(0)))
    visit = factories.appointment(
        patient=patient, practitioner=practitioner, service=service, start=start, status=status
    )
    user = practitioner.user
    status_now = safety_queries.safety_status(patient, today=timezone.localdate())
    if answers or not status_now.is_current:
        factories.safety_questionnaire(patient, by=user, **answers)
    if not Consent.objects.filter(patient=patient, modality=service.needling).exists():
        factories.consent(patient, taken_by=practitioner, modality=service.needling)
    questionnaire = safety_queries.latest_questionnaire(patient)
    submitted_today = timezone.localdate(questionnaire.submitted_at) == timezone.localdate(start)
    if not submitted_today and not ChangeCheck.objects.filter(appointment=visit).exists():
        visit_no_changes_confirm(visit, user=user)
    return visit


def session_note(visit) -> SessionNote:
    return services.session_note_start(visit, user=visit.practitioner.user)


def charted_note(visit, lot: NeedleLot, *, specs=LOW_BACK, needles: int = LOW_BACK_NEEDLES):
    """A draft with points, needles by lot, counts that match, pain, aftercare and plan:
    ready to sign."""
    note = session_note(visit)
    user = visit.practitioner.user
    services.needled_points_add(note, list(specs), user=user)
    services.needle_use_record(note, lot=lot, count=needles, user=user)
    return services.session_note_update(
        note,
        user=user,
        pain_before=6,
        findings="Tender over L4–L5 paraspinals, worse on the left.",
        needles_out=needles,
        needles_in=needles,
        aftercare=["keep-clean", "drowsiness"],
        plan="Review in one week.",
    )


def signed_note(visit, lot: NeedleLot, **kwargs) -> SessionNote:
    note = charted_note(visit, lot, **kwargs)
    # Signed once the visit has started, even when a test runs before its hour.
    now = max(timezone.now(), visit.start)
    return services.session_note_sign(note, user=visit.practitioner.user, now=now)


@dataclass
class MatrixWorld:
    """What the role matrices need for every treatment page and endpoint: a lot, a
    charted draft ready to sign, an attended visit with no note yet, a signed note with a
    serious event under follow-up, and a saved prescription. Each check re-reads the
    database, to tell whether a request wrote."""

    lot: NeedleLot
    draft: SessionNote
    unstarted: Appointment
    signed: SessionNote
    follow_up: FollowUp
    prescription: PointPrescription
    first_point: int
    first_use: int

    def started(self) -> bool:
        return SessionNote.objects.filter(appointment=self.unstarted).exists()

    def draft_now(self) -> SessionNote:
        return SessionNote.objects.get(pk=self.draft.pk)

    def draft_codes(self) -> list[str]:
        return list(NeedledPoint.objects.filter(note=self.draft).values_list("code", flat=True))

    def has_first_point(self) -> bool:
        return NeedledPoint.objects.filter(pk=self.first_point).exists()

    def needles_on_draft(self) -> int:
        return sum(NeedleUse.objects.filter(note=self.draft).values_list("count", flat=True))

    def events_on_draft(self) -> int:
        return AdverseEvent.objects.filter(note=self.draft).count()

    def addenda(self) -> int:
        return NoteAddendum.objects.filter(note=self.signed).count()

    def follow_up_closed(self) -> bool:
        return FollowUp.objects.get(pk=self.follow_up.pk).closed_at is not None

    def lot_recalled(self) -> bool:
        return NeedleLot.objects.get(pk=self.lot.pk).recalled_at is not None

    def prescription_kept(self) -> bool:
        return PointPrescription.objects.filter(pk=self.prescription.pk).exists()

    def lot_received(self, lot_number: str) -> bool:
        return NeedleLot.objects.filter(lot_number=lot_number).exists()

    def prescription_saved(self, name: str) -> bool:
        return PointPrescription.objects.filter(name=name).exists()

    def retention_limit(self) -> int:
        return queries.policy_for(self.lot.clinic).max_retention_minutes


def role_matrix_world(practitioner) -> MatrixWorld:
    """Built for a new patient of ``practitioner``, with visits earlier today."""
    clinic = Service.objects.get(name="Medical acupuncture").clinic
    patient = factories.patient()
    user = practitioner.user
    lot = needle_lot(clinic)
    signed = signed_note(ready_visit(patient, practitioner, hour=7), lot)
    draft = charted_note(ready_visit(patient, practitioner), lot)
    unstarted = ready_visit(patient, practitioner, hour=11)
    event = services.adverse_event_record(
        signed,
        event_type="fainting",
        severity="serious",
        action_taken="Laid flat; ambulance called as a precaution.",
        user=user,
    )
    prescription = services.prescription_save(
        practitioner, name="Usual low back", specs=list(LOW_BACK), user=user
    )
    return MatrixWorld(
        lot=lot,
        draft=draft,
        unstarted=unstarted,
        signed=signed,
        follow_up=event.follow_up,
        prescription=prescription,
        first_point=draft.points.order_by("position").first().pk,
        first_use=draft.needle_uses.get().pk,
    )
