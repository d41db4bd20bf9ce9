"""Demo treatment record: needle stock, signed session notes for the needling visits that
took place, and the adverse events a clinic of this size records.

Needle lots: a standard, a fine and a long size from two (made-up) suppliers, one lot
expiring within the month and one recalled a fortnight ago, after some sessions had used
it, so the recall search has patients to list. Each completed needling visit gets a note
written the way its practitioner would chart it: points for the patient's condition
(trigger points and points for medical acupuncture, points on meridians for traditional),
pain easing over the course, the needles counted out and back in and drawn from the lots
in stock that day, aftercare and a plan. Visits of the last few days are partly still
drafts or not yet written; a few older ones were written on paper (no note).

Every point passes the same safety checks as one charted on the page (checks.py)
against the flags of the patient's latest questionnaire: an avoided point or region is
left out and electro becomes manual when barred, so no demo point needs an override.
Visits the gate would have refused outright (a referral or a contraindication on the
questionnaire on file that day) get no note. The notes
are history: written without the gate check (``gate_checked_at`` empty), with
``bulk_create`` and no audit entries, like the rest of the demo.

Adverse events follow the published picture (shared/clinical §3): mild bruising,
soreness, needle pain and drowsiness recorded at a few per hundred sessions (patients
report far more short-term reactions than practitioners record), each answered "not
severe, unusual or lasting"; significant events at about 1.4 per 1,000 sessions, as
White et al. 2001 found, significant for each of the rule's reasons (significance.py):
a faint or a forgotten needle found at the count by their type, nausea that needed the
session stopped by its severity, and worse pain for two days by the practitioner's
answer; and one serious fainting episode, its follow-up still open, so that the clinic
admin's follow-up list has something to close.
"""

import math
import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from acuclinic.clinic.choices import Modality
from acuclinic.core.formats import LONDON
from acuclinic.demo.clinic import ClinicPlan
from acuclinic.demo.patients import PatientPlan
from acuclinic.demo.spec import BASE_PATIENTS, DemoSpec
from acuclinic.demo.staff import StaffPlan
from acuclinic.demo.timeline import local_moment
from acuclinic.safety import catalogue as safety_catalogue
from acuclinic.safety.models import Questionnaire
from acuclinic.safety.rules import Outcome
from acuclinic.scheduling.choices import AppointmentStatus
from acuclinic.scheduling.models import Appointment
from acuclinic.treatment import catalogue, checks
from acuclinic.treatment.checks import Restrictions
from acuclinic.treatment.models import (
    MAX_LOT_QUANTITY,
    AdverseEvent,
    FollowUp,
    NeedledPoint,
    NeedleLot,
    NeedleUse,
    PointPrescription,
    PrescriptionItem,
    SessionNote,
)

CHUNK = 500
# Older sessions written on paper before the clinic moved to the record, per hundred.
NO_NOTE = 0.02
# Of the last few days' sessions: still drafts, and not yet written.
RECENT_DAYS = 3
RECENT_DRAFT, RECENT_UNWRITTEN = 0.2, 0.1

# (code, side, depth mm, retention min, stimulation): side "pair" is both sides, "one"
# the patient's worse side, chosen per patient.
MEDICAL = {
    "low_back": [
        ("TP-QL", "one", 40, 15, "manual"),
        ("TP-GMED", "one", 45, 15, "manual"),
        ("TP-MF", "pair", 35, 15, "manual"),
        ("BL23", "pair", 25, 15, "electro"),
        ("BL25", "pair", 25, 15, "electro"),
        ("BL40", "pair", 15, 15, "manual"),
    ],
    "sciatica": [
        ("TP-PIRI", "one", 50, 15, "manual"),
        ("TP-GMIN", "one", 50, 15, "manual"),
        ("GB30", "one", 50, 15, "manual"),
        ("BL40", "one", 15, 15, "manual"),
        ("GB34", "one", 20, 15, "manual"),
        ("BL60", "one", 10, 15, "manual"),
    ],
    "headache": [
        ("TP-UT", "pair", 15, 15, "manual"),
        ("TP-SPC", "pair", 15, 15, "manual"),
        ("GB20", "pair", 15, 15, "manual"),
        ("LI4", "pair", 15, 15, "manual"),
        ("LR3", "pair", 10, 15, "manual"),
    ],
    "whiplash": [
        ("TP-UT", "pair", 15, 15, "manual"),
        ("TP-LS", "one", 20, 15, "manual"),
        ("TP-SPC", "pair", 15, 15, "manual"),
        ("GB20", "pair", 15, 15, "manual"),
        ("SI3", "pair", 10, 15, "manual"),
    ],
    "msk": [
        ("TP-INFRA", "one", 25, 15, "manual"),
        ("TP-SUPRA", "one", 25, 15, "manual"),
        ("LI15", "one", 25, 15, "manual"),
        ("TE14", "one", 25, 15, "manual"),
        ("LI4", "pair", 15, 15, "manual"),
    ],
}
TRADITIONAL = {
    "low_back": [
        ("BL23", "pair", 25, 25, "manual"),
        ("BL25", "pair", 25, 25, "manual"),
        ("GV4", "midline", 15, 25, "manual"),
        ("EX-B2", "pair", 20, 25, "manual"),
        ("BL40", "pair", 15, 25, "manual"),
        ("BL60", "pair", 10, 25, "manual"),
    ],
    "sciatica": [
        ("GB30", "one", 50, 25, "manual"),
        ("BL36", "one", 40, 25, "manual"),
        ("BL40", "one", 15, 25, "manual"),
        ("GB34", "one", 20, 25, "manual"),
        ("BL60", "pair", 10, 25, "manual"),
    ],
    "headache": [
        ("GB20", "pair", 15, 25, "manual"),
        ("EX-HN5", "pair", 8, 25, "manual"),
        ("EX-HN3", "midline", 5, 25, "manual"),
        ("LI4", "pair", 15, 25, "manual"),
        ("LR3", "pair", 10, 25, "manual"),
    ],
    "fibromyalgia": [
        ("LI4", "pair", 15, 25, "manual"),
        ("LR3", "pair", 10, 25, "manual"),
        ("ST36", "pair", 25, 25, "heat"),
        ("SP6", "pair", 20, 25, "manual"),
        ("GV20", "midline", 5, 25, "manual"),
    ],
    "general": [
        ("ST36", "pair", 25, 25, "manual"),
        ("LI4", "pair", 15, 25, "manual"),
        ("SP6", "pair", 20, 25, "manual"),
        ("PC6", "pair", 15, 25, "manual"),
        ("GV20", "midline", 5, 25, "manual"),
    ],
}
CONDITION_KEY = {
    "low_back": "low_back",
    "sciatica": "sciatica",
    "headache": "headache",
    "whiplash": "whiplash",
    "fibromyalgia": "fibromyalgia",
    "msk": "msk",
}
FINDINGS = {
    "low_back": (
        "Tender over the {side} L4–L5 paraspinals; quadratus lumborum taut on the {side}.",
        "Flexion limited to mid-shin by pain; tender {side} gluteus medius.",
        "Less guarding today; tender points over the {side} lower lumbar segments.",
    ),
    "sciatica": (
        "Pain into the {side} buttock and posterior thigh; piriformis tender on the {side}.",
        "Straight leg raise limited on the {side} by thigh pain; no neurological deficit.",
    ),
    "headache": (
        "Tender upper trapezius and suboccipitals, worse on the {side}.",
        "Three headaches this week; neck stiff in the mornings.",
    ),
    "whiplash": (
        "Neck rotation to the {side} limited; levator scapulae tender.",
        "Upper trapezius taut both sides; sleeping better.",
    ),
    "msk": (
        "Painful arc on abduction, {side} shoulder; infraspinatus tender.",
        "Reaching behind the back still painful on the {side}.",
    ),
    "general": ("Aching widespread, worse after activity.", "Sleeping a little better."),
}
PLANS = ("Weekly for the next sessions, then review.", "Continue weekly.", "Review next time.")
MAINTENANCE_PLANS = ("Space sessions out to fortnightly.", "Monthly maintenance.")

# Per session: mild events a practitioner notes, and significant ones (White et al. 2001).
MILD_EVENTS = {"bruising": 0.015, "soreness": 0.012, "needle_pain": 0.008, "drowsiness": 0.01}
SIGNIFICANT = 0.0014
SIGNIFICANT_EVENTS = ("fainting", "nausea", "worsened_symptoms", "retained_needle")
# How each significant one was recorded: (severity, "was it severe, unusual or lasting?").
SIGNIFICANT_AS = {
    "fainting": ("mild", False),  # significant by type
    "retained_needle": ("mild", False),  # significant by type
    "nausea": ("moderate", True),  # significant by severity
    "worsened_symptoms": ("mild", True),  # significant by the practitioner's answer
}
EVENT_TEXT = {
    "bruising": ("Small bruise at a needle site.", "Pressure applied; advised it will fade."),
    "soreness": ("Aching over the treated area that evening.", "Advice given; settled in a day."),
    "needle_pain": ("Sharp pain on insertion at one point.", "Needle withdrawn and re-sited."),
    "drowsiness": ("Felt sleepy after treatment.", "Rested before leaving; advised not to drive."),
    "fainting": (
        "Felt faint and pale during treatment.",
        "Needles out, laid flat, legs raised; recovered in 10 minutes.",
    ),
    "nausea": (
        "Felt very sick during treatment; the session was stopped.",
        "Needles removed; rested with water and a biscuit until recovered.",
    ),
    "worsened_symptoms": (
        "Pain worse for two days after the session.",
        "Lighter treatment next time.",
    ),
    "retained_needle": (
        "A needle was found still in at the count.",
        "Removed at once; counts now checked twice.",
    ),
}

SUPPLIERS = ("Northgate Medical", "Harbourline Sterile")


@dataclass
class Lots:
    """The clinic's needle stock, and which lot a session on a day draws each size from.

    A larger demo is a larger clinic with more boxes open at once: one lot of each size per
    unit of scale (patients are spread over them), so no lot holds more than a delivery
    would. The short-dated and the recalled lots are in the first set only.
    """

    standard: list[NeedleLot]
    long: list[NeedleLot]
    fine: list[NeedleLot]
    short_dated: NeedleLot
    fine_recalled: NeedleLot
    used: dict[int, int] = field(default_factory=lambda: defaultdict(int))

    @property
    def all(self) -> list[NeedleLot]:
        return [*self.standard, *self.long, *self.fine, self.short_dated, self.fine_recalled]

    def for_point(self, entry: catalogue.Entry, depth: int, day: date, group: int, odd: bool):
        if depth >= 40:
            return self.long[group]
        if entry.regions[0] in ("head", "face", "neck", "hand", "foot"):
            before_recall = day < self.fine_recalled.recalled_at.astimezone(LONDON).date()
            return self.fine_recalled if group == 0 and before_recall else self.fine[group]
        return self.short_dated if group == 0 and odd else self.standard[group]


# One set of lots serves scale 1's clinic (300 patients) for this many months; a bigger
# clinic or a longer history opens more sets, so no lot is used beyond a delivery's size.
MONTHS_PER_LOT_SET = 60


def lot_sets(spec: DemoSpec) -> int:
    """How many lots of each size are open: one per 300 patients per five years, and
    never fewer than the scale (a clinic given its counts directly, as the scheduling
    benchmark's is, may have 25 times scale 1's patients at scale 1)."""
    months = spec.months_back + spec.months_ahead
    patient_units = spec.patients / BASE_PATIENTS
    return max(spec.scale, math.ceil(patient_units * max(1, months / MONTHS_PER_LOT_SET)))


def build_lots(spec: DemoSpec, clinic) -> Lots:
    today = spec.today
    received = spec.history_start - timedelta(days=30)
    recalled_on = today - timedelta(days=14)

    def lot(supplier, diameter, length, number, expires, received_on=received, **extra):
        # The quantities are set once the sessions are written (Writer.finish).
        return NeedleLot(
            clinic=clinic,
            manufacturer=supplier,
            diameter_um=diameter,
            length_mm=length,
            lot_number=number,
            expires_on=expires,
            received_on=received_on,
            quantity_received=MAX_LOT_QUANTITY,
            quantity_in_stock=MAX_LOT_QUANTITY,
            **extra,
        )

    sets = range(lot_sets(spec))
    return Lots(
        standard=[
            lot(SUPPLIERS[0], 250, 30, f"NG24-{1175 + g:04d}", today + timedelta(days=540))
            for g in sets
        ],
        long=[
            lot(SUPPLIERS[0], 300, 50, f"NG24-{2210 + g:04d}", today + timedelta(days=600))
            for g in sets
        ],
        # The first set's fine lot arrived when the recalled one was taken out of use.
        fine=[
            lot(
                SUPPLIERS[1],
                200,
                25,
                f"HS-{6031 + g:04d}",
                today + timedelta(days=700),
                recalled_on if g == 0 else received,
            )
            for g in sets
        ],
        # Expires within the month: the stock page warns; sessions still use it.
        short_dated=lot(SUPPLIERS[0], 250, 30, "NG23-0862", today + timedelta(days=24)),
        fine_recalled=lot(
            SUPPLIERS[1],
            200,
            25,
            "HS-5520",
            today + timedelta(days=400),
            recalled_at=local_moment(recalled_on, 40, LONDON),
            recall_reason="Supplier's field safety notice: the sterile seal may be faulty",
        ),
    )


@dataclass
class Session:
    pk: int
    patient_id: int
    practitioner_id: int
    user_id: int
    modality: str
    start: datetime
    end: datetime
    clinic_id: int


@dataclass
class TreatmentDemo:
    notes: int = 0
    signed: int = 0
    points: int = 0
    events: int = 0
    lots: int = 0


def build_treatment(
    spec: DemoSpec,
    rng: random.Random,
    clinic: ClinicPlan,
    staff: StaffPlan,
    patients: list[PatientPlan],
) -> TreatmentDemo:
    cat = catalogue.current()
    lots = build_lots(spec, clinic.clinic)
    summary = TreatmentDemo()
    users = {p.practitioner.pk: p.practitioner.user_id for p in staff.practitioners}
    writer = Writer(spec, rng, cat, lots, users, summary)
    for start in range(0, len(patients), CHUNK):
        writer.chunk(patients[start : start + CHUNK], offset=start)
    writer.finish()
    _prescriptions(staff)
    return summary


class Writer:
    def __init__(self, spec, rng, cat, lots: Lots, users, summary: TreatmentDemo):
        self.spec, self.rng, self.cat, self.lots, self.summary = spec, rng, cat, lots, summary
        self.users = users
        self.recent_from = spec.today - timedelta(days=RECENT_DAYS)
        self.today_start = local_moment(spec.today, 0, LONDON)
        self.rules = safety_catalogue.current()
        self.pending_serious = True
        self.pending: list[tuple[SessionNote, list, list, list]] = []
        NeedleLot.objects.bulk_create(lots.all)
        summary.lots = len(lots.all)

    # ── Per patient ──────────────────────────────────────────────────────────────────

    def chunk(self, plans: list[PatientPlan], *, offset: int) -> None:
        ids = [p.patient.pk for p in plans]
        sessions = self._sessions(ids)
        screening = self._screening(ids)
        for index, plan in enumerate(plans, start=offset):
            group = index % len(self.lots.standard)
            found = sessions.get(plan.patient.pk, [])
            self._patient(plan, found, screening[plan.patient.pk], group)
        self._write()

    def _sessions(self, patient_ids: list[int]) -> dict[int, list[Session]]:
        rows = Appointment.objects.filter(
            patient_id__in=patient_ids,
            status=AppointmentStatus.COMPLETED,
            start__lt=self.today_start,
            service__needling__in=sorted(Modality.needling()),
        ).values_list(
            "pk",
            "patient_id",
            "practitioner_id",
            "service__needling",
            "start",
            "end",
            "service__clinic_id",
        )
        found = defaultdict(list)
        for pk, patient_id, practitioner_id, needling, start, end, clinic_id in rows:
            found[patient_id].append(
                Session(
                    pk,
                    patient_id,
                    practitioner_id,
                    self.users[practitioner_id],
                    needling,
                    start,
                    end,
                    clinic_id,
                )
            )
        for visits in found.values():
            visits.sort(key=lambda s: (s.start, s.pk))
        return found

    def _screening(self, patient_ids: list[int]) -> dict[int, list[tuple[datetime, object]]]:
        """Each patient's questionnaires (when, assessment), oldest first."""
        found = defaultdict(list)
        rows = Questionnaire.objects.filter(patient_id__in=patient_ids).order_by(
            "patient_id", "version"
        )
        for questionnaire in rows.values_list("patient_id", "submitted_at", "answers"):
            patient_id, submitted_at, answers = questionnaire
            assessment = self.rules.evaluate(answers)
            found[patient_id].append((submitted_at, assessment))
        return found

    def _patient(self, plan: PatientPlan, sessions: list[Session], screening: list, group: int):
        if not sessions:
            return
        rng = self.rng
        condition = CONDITION_KEY.get(plan.condition, "general")
        # Points are chosen against the flags on the latest questionnaire, as the charting
        # check reads them today: a flag raised later (a pregnancy) is never contradicted.
        restrictions = Restrictions.from_assessment(screening[-1][1] if screening else None)
        worse = rng.choice(("left", "right"))
        pain = rng.randint(5, 8)
        for index, session in enumerate(sessions):
            day = session.start.astimezone(LONDON).date()
            recent = day >= self.recent_from
            roll = rng.random()
            if (recent and roll < RECENT_UNWRITTEN) or (not recent and roll < NO_NOTE):
                continue
            assessment = next((a for when, a in reversed(screening) if when <= session.start), None)
            if assessment is not None and assessment.outcome >= Outcome.CONTRAINDICATED:
                continue  # the gate would have refused it: no needling that day
            draft = recent and roll < RECENT_UNWRITTEN + RECENT_DRAFT
            points = self._points(session, condition, worse, restrictions)
            if not points:
                continue
            pain = max(0, min(10, pain - rng.choice((0, 0, 1, 1, 1)) + rng.choice((0, 0, 0, 1))))
            self._note(session, index, condition, worse, pain, points, draft, group)

    def _points(self, session: Session, condition: str, worse: str, restrictions) -> list:
        table = MEDICAL if session.modality == Modality.MEDICAL else TRADITIONAL
        combination = table.get(condition) or table.get("low_back")
        chosen = []
        for code, side, depth, retention, stimulation in combination:
            entry = self.cat.entry(code)
            if self.rng.random() < 0.15:
                continue  # not every point every time
            side = {"pair": "bilateral", "one": worse}.get(side, side)
            if stimulation == "electro" and (restrictions.no_electro or self.rng.random() < 0.6):
                stimulation = "manual"
            problems = checks.problems_for(
                entry,
                side=side,
                stimulation=stimulation,
                restrictions=restrictions,
                catalogue=self.cat,
            )
            if problems:
                continue  # avoided for this patient, as the charting check would ask
            chosen.append((entry, side, depth, retention, stimulation))
        return chosen

    def _note(self, session, index, condition, worse, pain, points, draft: bool, group: int):
        rng, day = self.rng, session.start.astimezone(LONDON).date()
        needles = sum(2 if side == "bilateral" else 1 for _, side, *_ in points)
        signed_at = None if draft else session.end + timedelta(minutes=rng.randint(5, 40))
        first = index == 0
        note = SessionNote(
            appointment_id=session.pk,
            patient_id=session.patient_id,
            practitioner_id=session.practitioner_id,
            clinic_id=session.clinic_id,
            session_date=day,
            modality=session.modality,
            pain_before=pain,
            findings=rng.choice(FINDINGS.get(condition, FINDINGS["general"])).format(side=worse),
            aftercare=["keep-clean", "drowsiness", "soreness-bruising", "flare"]
            if first
            else ["keep-clean", "drowsiness"],
            plan=rng.choice(PLANS if index < 5 else MAINTENANCE_PLANS),
            needles_out=None if draft else needles,
            needles_in=None if draft else needles,
            gate_checked_at=None,
            created_by_id=session.user_id,
            created_at=session.start + timedelta(minutes=5),
            updated_at=signed_at or session.end,
            signed_at=signed_at,
            signed_by_id=session.user_id if signed_at else None,
        )
        rows, by_lot = [], defaultdict(int)
        odd = index % 2 == 1
        for position, (entry, side, depth, retention, stimulation) in enumerate(points, 1):
            rows.append(
                NeedledPoint(
                    position=position,
                    code=entry.code,
                    side=side,
                    depth_mm=depth,
                    retention_minutes=retention,
                    stimulation=stimulation,
                )
            )
            lot = self.lots.for_point(entry, depth, day, group, odd)
            by_lot[id(lot)] += 2 if side == "bilateral" else 1
        uses = [(lot, by_lot[id(lot)]) for lot in self.lots.all if by_lot[id(lot)]]
        for lot, count in uses:
            self.lots.used[id(lot)] += count
        self.pending.append((note, rows, uses, self._events(session, note, first)))

    def _events(self, session: Session, note: SessionNote, first: bool) -> list[AdverseEvent]:
        rng, found = self.rng, []
        for kind, chance in MILD_EVENTS.items():
            # Reactions are commoner at a first session (MacPherson & Thomas 2005).
            if rng.random() < chance * (2 if first else 1):
                found.append(self._event(kind, "mild", session, note, lasting=False))
        if rng.random() < SIGNIFICANT:
            kind = rng.choice(SIGNIFICANT_EVENTS)
            severity, lasting = SIGNIFICANT_AS[kind]
            found.append(self._event(kind, severity, session, note, lasting=lasting))
        if self.pending_serious and first and note.signed_at and rng.random() < 0.05:
            self.pending_serious = False
            event = self._event("fainting", "serious", session, note, lasting=True)
            event.action_taken = (
                "Needles out, laid flat; slow to recover, so an ambulance was called. "
                "Observed in A&E and discharged the same day."
            )
            found.append(event)
        return found

    def _event(
        self, kind: str, severity: str, session: Session, note: SessionNote, *, lasting: bool
    ):
        description, action = EVENT_TEXT[kind]
        return AdverseEvent(
            event_type=kind,
            severity=severity,
            description=description,
            action_taken=action,
            severe_or_lasting=lasting,
            recorded_by_id=session.user_id,
            recorded_at=note.signed_at or session.end,
        )

    # ── Writing ──────────────────────────────────────────────────────────────────────

    def _write(self) -> None:
        notes = [note for note, *_ in self.pending]
        # Written as the pages write them: a draft first, its points and needles, then the
        # signature (the database refuses parts added to a note already signed).
        signatures = [(note.signed_at, note.signed_by_id) for note in notes]
        for note in notes:
            note.signed_at = note.signed_by_id = None
        SessionNote.objects.bulk_create(notes, batch_size=1000)
        points, uses, events = [], [], []
        for note, rows, lot_counts, found in self.pending:
            for row in rows:
                row.note = note
            points += rows
            uses += [
                NeedleUse(
                    note=note,
                    lot=lot,
                    count=count,
                    recorded_by_id=note.created_by_id,
                    recorded_at=note.created_at,
                )
                for lot, count in lot_counts
            ]
            for event in found:
                event.note = note
            events += found
        NeedledPoint.objects.bulk_create(points, batch_size=2000)
        NeedleUse.objects.bulk_create(uses, batch_size=2000)
        AdverseEvent.objects.bulk_create(events, batch_size=1000)
        signed = []
        for note, (signed_at, signed_by_id) in zip(notes, signatures, strict=True):
            if signed_at is not None:
                note.signed_at, note.signed_by_id = signed_at, signed_by_id
                signed.append(note)
        SessionNote.objects.bulk_update(signed, ["signed_at", "signed_by"], batch_size=500)
        FollowUp.objects.bulk_create(
            [FollowUp(event=e, opened_at=e.recorded_at) for e in events if e.severity == "serious"]
        )
        self.summary.notes += len(notes)
        self.summary.signed += len(signed)
        self.summary.points += len(points)
        self.summary.events += len(events)
        self.pending = []

    def finish(self) -> None:
        """Stock: what was delivered is what the sessions used plus what is left."""
        leftover = {"HS-5520": 160}  # the recalled lot: what was quarantined
        for lot in self.lots.all:
            used = self.lots.used[id(lot)]
            left = leftover.get(lot.lot_number, 200 + self.rng.randint(0, 40) * 10)
            lot.quantity_received = used + left
            lot.quantity_in_stock = left
        NeedleLot.objects.bulk_update(self.lots.all, ["quantity_received", "quantity_in_stock"])


def _prescriptions(staff: StaffPlan) -> None:
    """Each practitioner's usual combinations, saved for fast charting."""
    saved, items = [], []
    for plan in staff.practitioners:
        table = MEDICAL if plan.modality == Modality.MEDICAL else TRADITIONAL
        for condition, name in (("low_back", "Usual low back"), ("headache", "Neck and head")):
            prescription = PointPrescription(practitioner=plan.practitioner, name=name)
            saved.append(prescription)
            # Saved as manual: electro is decided on the day, for the patient in front of you.
            for position, (code, side, depth, retention, _) in enumerate(table[condition], 1):
                items.append(
                    (
                        prescription,
                        PrescriptionItem(
                            position=position,
                            code=code,
                            side="midline" if side == "midline" else "bilateral",
                            depth_mm=depth,
                            retention_minutes=retention,
                            stimulation="manual",
                        ),
                    )
                )
    PointPrescription.objects.bulk_create(saved)
    for prescription, item in items:
        item.prescription = prescription
    PrescriptionItem.objects.bulk_create([item for _, item in items])
