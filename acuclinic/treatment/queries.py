"""Reads that the treatment pages, the API, the tags and the services share."""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from acuclinic.clinic.models import Clinic
from acuclinic.people.models import Patient, Practitioner
from acuclinic.safety import queries as safety_queries
from acuclinic.scheduling.models import Appointment
from acuclinic.treatment import catalogue, significance
from acuclinic.treatment.catalogue import EVERY, PER_EVENT, PER_PATIENT, PER_SESSION, SIGNIFICANT
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


def _count_per_note(model) -> Subquery:
    """How many ``model`` rows each note has, counted on their own: counting two kinds of
    child over one join multiplied them (a note's points times its events) before
    ``DISTINCT`` took the copies out again, the slowest statement of a long record."""
    rows = model.objects.filter(note=OuterRef("pk")).order_by().values("note")
    return Subquery(rows.annotate(n=Count("pk")).values("n"))


def notes_for_patient(patient: Patient) -> list[SessionNote]:
    return list(
        SessionNote.objects.filter(patient=patient)
        .select_related("practitioner__user", "appointment__service")
        .annotate(
            point_count=Coalesce(_count_per_note(NeedledPoint), 0),
            event_count=Coalesce(_count_per_note(AdverseEvent), 0),
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


@dataclass
class LotUses:
    """The recall search's answer for one lot: its totals, counted by the database, and its
    sessions newest first, read a page at a time or streamed, never all held at once (a
    lot of a few thousand needles is used by a thousand sessions and more)."""

    lot: NeedleLot
    sessions: int
    patients: int
    needles: int

    @property
    def uses(self) -> QuerySet[NeedleUse]:
        """Every session that used the lot with its patient, newest first, unread. Only
        the columns the page, the download and the API show are read, not each note's
        text; the practitioner comes from ``with_practitioners``."""
        return _recall_rows(NeedleUse.objects.filter(lot=self.lot))

    @property
    def newest_first(self) -> QuerySet:
        """The ids of the lot's uses, newest session first, to slice a page from.

        Each session's date is looked up by its note's key rather than joined: to join a
        lot's thousand uses to their notes PostgreSQL hashes the whole table of session
        notes (51,721 at five years), a cost that grows with the clinic; a look-up per use
        costs what the lot's size does, and the page's rows are then read by their ids."""
        day = SessionNote.objects.filter(pk=OuterRef("note_id")).order_by().values("session_date")
        return (
            NeedleUse.objects.filter(lot=self.lot)
            .annotate(day=Subquery(day))
            # A note uses a lot once (needleuse_once_per_lot): the note breaks a day's tie.
            .order_by("-day", "-note_id")
            .values_list("pk", flat=True)
        )

    def page(self, ids: QuerySet) -> list[NeedleUse]:
        """The uses whose ids are ``ids`` (a slice of ``newest_first``), in its order."""
        return list(self.with_practitioners(_recall_rows(NeedleUse.objects.filter(pk__in=ids))))

    def with_practitioners(self, uses: Iterable[NeedleUse]) -> Iterator[NeedleUse]:
        """``uses`` with each note's practitioner. A clinic has a few dozen at most: they
        are read once, all of them, rather than joined to every row, or picked out by
        the notes that used the lot (on PostgreSQL that read every one of their notes)."""
        practitioners = Practitioner.objects.select_related("user").in_bulk()
        for use in uses:
            use.note.practitioner = practitioners[use.note.practitioner_id]
            yield use


def sessions_using_lot(lot: NeedleLot) -> LotUses:
    """The recall search: how many sessions, patients and needles used ``lot``, and the
    sessions themselves to page through or stream."""
    # Each use's patient is looked up by its note's key, not joined: see newest_first.
    patient = SessionNote.objects.filter(pk=OuterRef("note_id")).order_by().values("patient_id")
    totals = NeedleUse.objects.filter(lot=lot).aggregate(
        sessions=Count("id"),
        patients=Count(Subquery(patient), distinct=True),
        needles=Sum("count", default=0),
    )
    return LotUses(lot=lot, **totals)


def _recall_rows(uses: QuerySet[NeedleUse]) -> QuerySet[NeedleUse]:
    return (
        uses.select_related("note__patient", "note__appointment")
        .only(
            "count",
            "note__session_date",
            "note__practitioner_id",
            "note__patient__given_name",
            "note__patient__family_name",
            "note__patient__phone",
            "note__patient__email",
            "note__appointment__start",
        )
        .order_by("-note__session_date", "-note_id")
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
        # As a test of each event, not a join: joined, SQLite walks every note of the
        # clinic to find the latest events; tested, it reads the events newest first
        # (index event_recorded) and stops at ``limit``.
        events = events.filter(
            Exists(SessionNote.objects.filter(pk=OuterRef("note_id"), clinic=clinic))
        )
    return list(events.order_by("-recorded_at", "-id")[:limit])


def default_clinic() -> Clinic | None:
    """An installation runs one clinic (DESIGN.md); its first row."""
    return Clinic.objects.order_by("pk").first()


# ── The clinic's adverse-event report ────────────────────────────────────────────────


def significant_q() -> Q:
    """The significance rule as a filter: the same rule as significance.reason()."""
    rule = catalogue.current().significance
    return (
        Q(event_type__in=sorted(rule.types))
        | Q(severity__in=sorted(rule.severities))
        | Q(severe_or_lasting=True)
    )


def per_1000(count: int, denominator: int) -> Decimal | None:
    """``count`` per 1,000 of ``denominator``, to one decimal place (half up); None for 0."""
    if not denominator:
        return None
    return (Decimal(count * 1000) / Decimal(denominator)).quantize(
        Decimal("0.1"), rounding=ROUND_HALF_UP
    )


@dataclass(frozen=True)
class TypeRow:
    """One event type: the clinic's events, how many significant, per 1,000 sessions."""

    key: str
    label: str
    description: str
    count: int
    significant: int
    by_severity: dict[str, int]
    per_1000: Decimal | None

    @property
    def per_1000_text(self) -> str:
        return "—" if self.per_1000 is None else f"{self.per_1000:,}"


@dataclass(frozen=True)
class ComparisonRow:
    """One of the clinic's figures and the published ones that count the same thing."""

    comparison: catalogue.Comparison
    count: int
    denominator: int
    per_1000: Decimal | None
    published: tuple[tuple[catalogue.Study, catalogue.Figure], ...]

    @property
    def counted(self) -> str:
        """What the count is of: events, sessions or patients."""
        return {PER_EVENT: "events", PER_SESSION: "sessions"}.get(self.comparison.per, "patients")

    @property
    def denominator_unit(self) -> str:
        return "patients" if self.comparison.per == PER_PATIENT else "sessions"

    @property
    def count_text(self) -> str:
        """E.g. "2 events in 1,250 sessions", "3 of 140 patients"."""
        if self.comparison.per == PER_EVENT:
            noun = "event" if self.count == 1 else "events"
            return f"{self.count:,} {noun} in {self.denominator:,} {self.denominator_unit}"
        return f"{self.count:,} of {self.denominator:,} {self.denominator_unit}"

    @property
    def rate_text(self) -> str:
        if self.per_1000 is None:
            return f"no {self.denominator_unit} in the period"
        return f"{self.per_1000:,} per 1,000 {self.denominator_unit}"


@dataclass(frozen=True)
class EventReport:
    start: date
    end: date
    sessions: int  # signed sessions in the period
    patients: int  # patients with at least one of them
    types: tuple[TypeRow, ...]
    significant: tuple[ComparisonRow, ...]  # beside the surveys of significant events
    every: tuple[ComparisonRow, ...]  # beside the studies of every reaction
    studies: tuple[catalogue.Study, ...]
    rule: catalogue.Significance
    # Events that only the practitioner's answer could mark, recorded before the
    # question was asked: counted as not significant.
    unanswered: int

    @property
    def sessions_per_patient(self) -> Decimal | None:
        if not self.patients:
            return None
        return (Decimal(self.sessions) / Decimal(self.patients)).quantize(
            Decimal("0.1"), rounding=ROUND_HALF_UP
        )

    @property
    def rule_text(self) -> str:
        return significance.describe(self.rule, dict(EventType.choices), dict(Severity.choices))

    @property
    def one_event(self) -> Decimal | None:
        """How much one event moves a rate per 1,000 sessions: small clinics, wide swings."""
        return per_1000(1, self.sessions)

    def studies_counting(self, counted: str) -> tuple[catalogue.Study, ...]:
        return tuple(s for s in self.studies if s.counted == counted)

    @property
    def significant_studies(self) -> tuple[catalogue.Study, ...]:
        return self.studies_counting(SIGNIFICANT)

    @property
    def every_studies(self) -> tuple[catalogue.Study, ...]:
        return self.studies_counting(EVERY)


def adverse_event_report(clinic: Clinic | None, *, start: date, end: date) -> EventReport:
    """The clinic's adverse events from ``start`` to ``end`` (inclusive), fairly compared.

    Counted over signed sessions by the session's date, so an event reported a week later
    still counts against the session that caused it. Significant events sit beside the
    two 2001 surveys, which counted only those; every event, however mild, sits beside
    the studies that asked about every reaction, per session or per patient as each
    study counted (data/adverse_events.toml, [[comparison]]).
    """
    notes = SessionNote.objects.filter(
        signed_at__isnull=False, session_date__gte=start, session_date__lte=end
    )
    if clinic is not None:
        notes = notes.filter(clinic=clinic)
    totals = notes.aggregate(sessions=Count("pk"), patients=Count("patient", distinct=True))
    sessions, patients = totals["sessions"], totals["patients"]
    # The period's events, read once and counted here: each comparison counted in SQL
    # was another scan of the period's notes (ten of them, a second and more a year).
    # A clinic records hundreds of events a year, not millions.
    events = list(
        AdverseEvent.objects.filter(note__in=notes).values_list(
            "note_id", "note__patient_id", "event_type", "severity", "severe_or_lasting"
        )
    )
    cat = catalogue.current()
    rule = cat.significance

    counts: dict[str, dict[str, int]] = {}
    significant_by_type: dict[str, int] = {}
    unanswered = 0
    for _, _, kind, severity, answer in events:
        by_severity = counts.setdefault(kind, dict.fromkeys(Severity.values, 0))
        by_severity[severity] += 1
        if significance.is_significant(rule, kind, severity, answer):
            significant_by_type[kind] = significant_by_type.get(kind, 0) + 1
        elif answer is None:
            unanswered += 1
    types = []
    for kind in cat.event_kinds:
        by_severity = counts.get(kind.id, dict.fromkeys(Severity.values, 0))
        total = sum(by_severity.values())
        types.append(
            TypeRow(
                key=kind.id,
                label=kind.label,
                description=kind.description,
                count=total,
                significant=significant_by_type.get(kind.id, 0),
                by_severity=by_severity,
                per_1000=per_1000(total, sessions),
            )
        )

    figures: dict[str, list] = {}
    for study in cat.studies:
        for figure in study.figures:
            figures.setdefault(figure.compare, []).append((study, figure))
    rows = []
    for comparison in cat.comparisons:
        chosen = [
            (note, patient)
            for note, patient, kind, severity, answer in events
            if (
                comparison.counts != SIGNIFICANT
                or significance.is_significant(rule, kind, severity, answer)
            )
            and (not comparison.types or kind in comparison.types)
            and (not comparison.severities or severity in comparison.severities)
        ]
        denominator = patients if comparison.per == PER_PATIENT else sessions
        if comparison.per == PER_EVENT:
            count = len(chosen)
        elif comparison.per == PER_SESSION:
            count = len({note for note, _ in chosen})
        else:
            count = len({patient for _, patient in chosen})
        rows.append(
            ComparisonRow(
                comparison=comparison,
                count=count,
                denominator=denominator,
                per_1000=per_1000(count, denominator),
                published=tuple(figures.get(comparison.id, ())),
            )
        )
    return EventReport(
        start=start,
        end=end,
        sessions=sessions,
        patients=patients,
        types=tuple(types),
        significant=tuple(r for r in rows if r.comparison.counts == SIGNIFICANT),
        every=tuple(r for r in rows if r.comparison.counts == EVERY),
        studies=cat.studies,
        rule=rule,
        unanswered=unanswered,
    )


def last_session_date(clinic: Clinic | None) -> date | None:
    notes = SessionNote.objects.all()
    if clinic is not None:
        notes = notes.filter(clinic=clinic)
    return notes.aggregate(d=Max("session_date"))["d"]


EVENT_LABELS = dict(EventType.choices)
