"""Reads that the treatment pages, the API, the tags and the services share."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, Max, Sum
from django.utils import timezone

from acuclinic.clinic.models import Clinic
from acuclinic.people.models import Patient, Practitioner
from acuclinic.safety import queries as safety_queries
from acuclinic.scheduling.models import Appointment
from acuclinic.treatment import catalogue
from acuclinic.treatment.checks import Restrictions
from acuclinic.treatment.choices import EventType, Severity
from acuclinic.treatment.models import (
    AdverseEvent,
    FollowUp,
    NeedledPoint,
    NeedleLot,
    NeedleUse,
    SessionNote,
    TreatmentPolicy,
)


def policy_for(clinic: Clinic | None) -> TreatmentPolicy:
    """The clinic's charting settings; the defaults when it has not changed any."""
    if clinic is None:
        return TreatmentPolicy()
    return TreatmentPolicy.objects.filter(clinic=clinic).first() or TreatmentPolicy(clinic=clinic)


def clinic_of(appointment: Appointment) -> Clinic:
    return appointment.service.clinic


def visit_date(appointment: Appointment) -> date:
    """The day of the visit where it took place (its location's time zone)."""
    return timezone.localtime(appointment.start, appointment.room.location.tz).date()


def restrictions_for(patient: Patient, *, day: date, clinic: Clinic | None) -> Restrictions:
    """The patient's standing flags on ``day``, from their latest safety screening."""
    status = safety_queries.safety_status(
        patient, today=day, policy=safety_queries.policy_for(clinic)
    )
    return Restrictions.from_assessment(status.assessment)


def practitioner_of(user) -> Practitioner | None:
    if user is None or not getattr(user, "pk", None):
        return None
    return Practitioner.objects.filter(user=user).select_related("user").first()


def note_with_parts(pk: int) -> SessionNote | None:
    return (
        SessionNote.objects.select_related(
            "patient",
            "practitioner__user",
            "appointment__service",
            "appointment__room__location",
            "created_by",
            "signed_by",
            "clinic",
        )
        .filter(pk=pk)
        .first()
    )


def points_of(note: SessionNote) -> list[NeedledPoint]:
    return list(NeedledPoint.objects.filter(note=note).order_by("position"))


def needle_uses_of(note: SessionNote) -> list[NeedleUse]:
    return list(NeedleUse.objects.filter(note=note).select_related("lot").order_by("id"))


def needles_from_lots(note: SessionNote) -> int:
    return NeedleUse.objects.filter(note=note).aggregate(n=Sum("count"))["n"] or 0


def events_of(note: SessionNote) -> list[AdverseEvent]:
    return list(
        AdverseEvent.objects.filter(note=note)
        .select_related("recorded_by", "follow_up__closed_by")
        .order_by("recorded_at", "id")
    )


def previous_signed_note(note: SessionNote) -> SessionNote | None:
    """The patient's latest signed note before this one (for "same as last time")."""
    return (
        SessionNote.objects.filter(patient_id=note.patient_id, signed_at__isnull=False)
        .exclude(pk=note.pk)
        .filter(session_date__lte=note.session_date)
        .order_by("-session_date", "-id")
        .first()
    )


def notes_for_patient(patient: Patient) -> list[SessionNote]:
    return list(
        SessionNote.objects.filter(patient=patient)
        .select_related("practitioner__user", "appointment__service")
        .annotate(
            point_count=Count("points", distinct=True),
            event_count=Count("adverse_events", distinct=True),
        )
        .order_by("-session_date", "-id")
    )


def usable_lots(clinic: Clinic, day: date) -> list[NeedleLot]:
    """Lots a session on ``day`` may draw from: not recalled, not expired, in stock."""
    return list(
        NeedleLot.objects.filter(
            clinic=clinic, recalled_at__isnull=True, expires_on__gte=day, quantity_in_stock__gt=0
        ).order_by("expires_on", "manufacturer", "lot_number")
    )


def lots_for(clinic: Clinic | None) -> list[NeedleLot]:
    lots = NeedleLot.objects.select_related("clinic")
    if clinic is not None:
        lots = lots.filter(clinic=clinic)
    return list(lots.order_by("recalled_at", "expires_on", "manufacturer", "lot_number"))


def lots_expiring(clinic: Clinic | None, *, today: date) -> list[NeedleLot]:
    """Lots in stock that expire within the clinic's warning period (or already have)."""
    policy = policy_for(clinic)
    lots = NeedleLot.objects.filter(
        recalled_at__isnull=True,
        quantity_in_stock__gt=0,
        expires_on__lte=today + timedelta(days=policy.lot_expiry_warning_days),
    )
    if clinic is not None:
        lots = lots.filter(clinic=clinic)
    return list(lots.order_by("expires_on"))


def sessions_using_lot(lot: NeedleLot) -> list[NeedleUse]:
    """Every session that used ``lot``, with its patient: the recall search."""
    return list(
        NeedleUse.objects.filter(lot=lot)
        .select_related("note__patient", "note__practitioner__user", "note__appointment")
        .order_by("note__session_date", "note__id")
    )


def open_follow_ups(clinic: Clinic | None = None) -> list[FollowUp]:
    follow_ups = FollowUp.objects.filter(closed_at__isnull=True).select_related(
        "event__note__patient", "event__note__practitioner__user", "event__recorded_by"
    )
    if clinic is not None:
        follow_ups = follow_ups.filter(event__note__clinic=clinic)
    return list(follow_ups.order_by("opened_at"))


def recent_events(clinic: Clinic | None = None, *, limit: int = 100) -> list[AdverseEvent]:
    events = AdverseEvent.objects.select_related(
        "note__patient", "note__practitioner__user", "recorded_by", "follow_up"
    )
    if clinic is not None:
        events = events.filter(note__clinic=clinic)
    return list(events.order_by("-recorded_at", "-id")[:limit])


def default_clinic() -> Clinic | None:
    """An installation runs one clinic (DESIGN.md); its first row."""
    return Clinic.objects.order_by("pk").first()


# ── The clinic's adverse-event report ────────────────────────────────────────────────


@dataclass(frozen=True)
class ReportRow:
    """One event type: the clinic's count and rate, and the published figures beside it."""

    key: str
    label: str
    description: str
    count: int
    by_severity: dict[str, int]
    per_1000: float | None
    published: tuple[tuple[catalogue.Study, catalogue.Figure], ...]


@dataclass(frozen=True)
class EventReport:
    start: date
    end: date
    sessions: int
    rows: tuple[ReportRow, ...]  # every type, then "any" and "serious"
    studies: tuple[catalogue.Study, ...]


def _rate(count: int, sessions: int) -> float | None:
    return round(count * 1000 / sessions, 1) if sessions else None


def adverse_event_report(clinic: Clinic | None, *, start: date, end: date) -> EventReport:
    """Events per 1,000 signed sessions from ``start`` to ``end`` (inclusive), by type.

    Counted by the session's date, so an event reported a week later still counts
    against the session that caused it.
    """
    notes = SessionNote.objects.filter(
        signed_at__isnull=False, session_date__gte=start, session_date__lte=end
    )
    if clinic is not None:
        notes = notes.filter(clinic=clinic)
    sessions = notes.count()
    counts: dict[tuple[str, str], int] = {}
    for row in (
        AdverseEvent.objects.filter(note__in=notes)
        .values("event_type", "severity")
        .annotate(n=Count("id"))
    ):
        counts[(row["event_type"], row["severity"])] = row["n"]
    # Sessions with at least one event, and with a serious one: "any" and "serious" rows
    # count sessions, as the surveys count consultations with an event.
    any_sessions = notes.filter(adverse_events__isnull=False).distinct().count()
    serious_sessions = notes.filter(adverse_events__severity=Severity.SERIOUS).distinct().count()
    cat = catalogue.current()
    figures_for: dict[str, list] = {}
    for study in cat.studies:
        for figure in study.figures:
            for key in figure.types:
                figures_for.setdefault(key, []).append((study, figure))
    rows = []
    for kind in cat.event_kinds:
        by_severity = {s: counts.get((kind.id, s), 0) for s in Severity.values}
        total = sum(by_severity.values())
        rows.append(
            ReportRow(
                key=kind.id,
                label=kind.label,
                description=kind.description,
                count=total,
                by_severity=by_severity,
                per_1000=_rate(total, sessions),
                published=tuple(figures_for.get(kind.id, ())),
            )
        )
    rows.append(
        ReportRow(
            key="any",
            label="Sessions with any event",
            description="Sessions with at least one adverse event of any type or severity.",
            count=any_sessions,
            by_severity={},
            per_1000=_rate(any_sessions, sessions),
            published=tuple(figures_for.get("any", ())),
        )
    )
    rows.append(
        ReportRow(
            key="serious",
            label="Sessions with a serious event",
            description=next(s.description for s in cat.severities if s.id == Severity.SERIOUS),
            count=serious_sessions,
            by_severity={},
            per_1000=_rate(serious_sessions, sessions),
            published=tuple(figures_for.get("serious", ())),
        )
    )
    return EventReport(start, end, sessions, tuple(rows), cat.studies)


def last_session_date(clinic: Clinic | None) -> date | None:
    notes = SessionNote.objects.all()
    if clinic is not None:
        notes = notes.filter(clinic=clinic)
    return notes.aggregate(d=Max("session_date"))["d"]


EVENT_LABELS = dict(EventType.choices)
