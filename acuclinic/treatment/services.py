"""Everything a person does with the treatment record, one function each.

Every write checks its input first (a refusal writes nothing), runs in one transaction
and is audited in that transaction. The HTML views and the API call these functions.

Each change to a draft note locks the note's row first (SELECT … FOR UPDATE on
PostgreSQL; SQLite's IMMEDIATE transactions take the write lock at BEGIN), so a point
added while the note is being signed either lands before the signature or is refused.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.utils import timezone

from acuclinic.audit import services as audit
from acuclinic.audit.models import AuditAction
from acuclinic.clinic.models import Clinic
from acuclinic.clinic.policies import update_clinic_settings
from acuclinic.core.errors import Conflict, Forbidden, InvalidRequest, NotFound
from acuclinic.core.formats import format_date, format_datetime
from acuclinic.people.models import Practitioner
from acuclinic.safety.services import require_needling_gate
from acuclinic.scheduling.choices import AppointmentStatus
from acuclinic.scheduling.models import Appointment
from acuclinic.scheduling.services import appointment_set_status
from acuclinic.treatment import catalogue, checks, queries, significance
from acuclinic.treatment.choices import PAIRED_SIDES, EventType, Severity, Side, Stimulation
from acuclinic.treatment.errors import NoteNotReady, OverrideNeeded
from acuclinic.treatment.models import (
    MAX_DEPTH_MM,
    MAX_DIAMETER_UM,
    MAX_LENGTH_MM,
    MAX_LOT_QUANTITY,
    MAX_NEEDLES,
    MIN_DIAMETER_UM,
    MIN_LENGTH_MM,
    AdverseEvent,
    FollowUp,
    NeedledPoint,
    NeedleLot,
    NeedleUse,
    NoteAddendum,
    PointPrescription,
    PrescriptionItem,
    SessionNote,
    TreatmentPolicy,
)

ATTENDED = (AppointmentStatus.ARRIVED, AppointmentStatus.COMPLETED)


def _whole(value, *, low: int, high: int, code: str, message: str, field: str) -> int:
    """An integer from ``low`` to ``high``; anything else (text, 2.5, -1, True) refused."""
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise InvalidRequest(code, message, field=field)
    return value


def _count(value, *, field: str, label: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool) and value < 0:
        raise InvalidRequest(
            "negative_count", f"{label} cannot be negative: count the needles.", field=field
        )
    return _whole(
        value,
        low=0,
        high=MAX_NEEDLES,
        code="invalid_count",
        message=f"{label} is a whole number from 0 to {MAX_NEEDLES}.",
        field=field,
    )


# ── Who may write a note ─────────────────────────────────────────────────────────────


def _require_treating_practitioner(appointment: Appointment, user) -> None:
    """Only the practitioner who saw the patient writes and signs the session note."""
    if appointment.practitioner.user_id != getattr(user, "pk", None):
        raise Forbidden(
            "not_treating_practitioner",
            f"Only {appointment.practitioner.name}, who saw the patient at this visit, "
            "writes and signs its session note.",
        )


def _require_clinician(user) -> Practitioner:
    """Addenda and adverse events are recorded by a named clinician."""
    practitioner = queries.practitioner_of(user)
    if practitioner is None or not practitioner.is_active:
        raise Forbidden(
            "not_a_clinician",
            "Only a clinician (a practitioner of this clinic) can add to a treatment record.",
        )
    return practitioner


def _refuse_if_signed(note: SessionNote) -> None:
    if note.is_signed:
        raise Conflict(
            "note_signed",
            f"This note was signed on {format_date(timezone.localtime(note.signed_at))} and "
            "cannot be changed. Add a dated addendum to correct or add to it.",
        )


def _locked_draft(note: SessionNote) -> SessionNote:
    """The note's row, locked for this transaction; refused once signed."""
    locked = SessionNote.objects.select_for_update().get(pk=note.pk)
    _refuse_if_signed(locked)
    return locked


# ── Starting a note ──────────────────────────────────────────────────────────────────


def session_note_start(appointment: Appointment, *, user, now: datetime | None = None):
    """Open the session note for a visit that took place and passed the safety gate."""
    now = now or timezone.now()
    existing = SessionNote.objects.filter(appointment=appointment).first()
    if existing is not None:
        raise Conflict(
            "note_exists",
            "This visit already has a session note.",
            extra={"note": existing.pk},
        )
    service = appointment.service
    if not service.needling:
        raise InvalidRequest(
            "no_needling_in_visit",
            f"{service.name} does not include acupuncture, so there is no needling session "
            "to chart.",
        )
    if appointment.status not in ATTENDED:
        raise Conflict(
            "visit_not_attended",
            "A session note is written for a visit that took place; this appointment is "
            f"{appointment.get_status_display().lower()}.",
        )
    _require_treating_practitioner(appointment, user)
    day = queries.visit_date(appointment)
    # Raises GateClosed (needling_not_allowed) listing every unmet condition.
    require_needling_gate(appointment, today=day)
    try:
        with transaction.atomic():
            note = SessionNote.objects.create(
                appointment=appointment,
                patient=appointment.patient,
                practitioner=appointment.practitioner,
                clinic=service.clinic,
                session_date=day,
                modality=service.needling,
                gate_checked_at=now,
                created_by=user,
                created_at=now,
                updated_at=now,
            )
            audit.record(
                AuditAction.CREATE,
                note,
                detail=f"session note for appointment {appointment.pk}",
                user=user,
            )
    except IntegrityError as exc:
        raise Conflict("note_exists", "This visit already has a session note.") from exc
    return note


# ── The note's text and counts ───────────────────────────────────────────────────────

NOTE_FIELDS = (
    "pain_before",
    "findings",
    "aftercare",
    "aftercare_notes",
    "plan",
    "needles_out",
    "needles_in",
)
_TEXT_LIMIT = 10_000


def _text(value, *, field: str) -> str:
    if not isinstance(value, str):
        raise InvalidRequest("invalid_text", "Give text.", field=field)
    if len(value) > _TEXT_LIMIT:
        raise InvalidRequest(
            "text_too_long", f"Keep this under {_TEXT_LIMIT:,} characters.", field=field
        )
    return value.strip()


def _clean_note_fields(fields: dict) -> dict:
    unknown = set(fields) - set(NOTE_FIELDS)
    if unknown:
        raise InvalidRequest("unknown_field", f"Unknown field “{sorted(unknown)[0]}”.")
    cleaned = {}
    for name, value in fields.items():
        if name == "pain_before":
            cleaned[name] = (
                None
                if value is None
                else _whole(
                    value,
                    low=0,
                    high=10,
                    code="invalid_pain_score",
                    message="Pain is scored from 0 (none) to 10 (the worst imaginable).",
                    field=name,
                )
            )
        elif name in ("needles_out", "needles_in"):
            label = "Needles counted out" if name == "needles_out" else "Needles counted back in"
            cleaned[name] = _count(value, field=name, label=label)
        elif name == "aftercare":
            known = catalogue.current().advice_by_id()
            if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
                raise InvalidRequest("invalid_aftercare", "List the advice given.", field=name)
            unknown_advice = [v for v in value if v not in known]
            if unknown_advice:
                raise InvalidRequest(
                    "unknown_aftercare",
                    f"“{unknown_advice[0]}” is not one of the clinic's aftercare advice items.",
                    field=name,
                )
            cleaned[name] = [a for a in known if a in value]
        else:
            cleaned[name] = _text(value, field=name)
    return cleaned


class DraftChanged(Conflict):
    """The draft was saved elsewhere (another tab) since this copy of it was opened."""

    def __init__(self, note: SessionNote):
        saved = timezone.localtime(note.updated_at).strftime("%H:%M")
        super().__init__(
            "draft_changed",
            f"This draft was changed at {saved}, in another tab or window, since you opened "
            "it. Your text is below and has not been saved: check the saved version shown "
            "here, then save again to keep yours.",
            extra={"revision": note.revision or 0},
        )
        self.note = note


def session_note_update(
    note: SessionNote,
    *,
    user,
    now: datetime | None = None,
    expected_revision: int | None = None,
    **fields,
):
    """Change a draft note's findings, pain score, counts, aftercare or plan.

    ``expected_revision`` is the revision the text was typed against (the page's copy):
    when the draft has been saved since, nothing is written and DraftChanged says so.
    """
    now = now or timezone.now()
    _require_treating_practitioner(note.appointment, user)
    _refuse_if_signed(note)
    cleaned = _clean_note_fields(fields)
    with transaction.atomic():
        locked = _locked_draft(note)
        if expected_revision is not None and expected_revision != (locked.revision or 0):
            raise DraftChanged(locked)
        before = audit.snapshot(locked, cleaned)
        for name, value in cleaned.items():
            setattr(locked, name, value)
        changed = audit.changed_field_names(before, locked, cleaned)
        if changed:
            locked.updated_at = now
            locked.revision = (locked.revision or 0) + 1
            locked.save(update_fields=[*changed, "updated_at", "revision"])
            audit.record(AuditAction.CHANGE, locked, changed_fields=changed, user=user)
    return locked


# ── Points ───────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class PointSpec:
    """One point as charted: which, which side, how deep, how long, how stimulated."""

    code: str
    side: str
    depth_mm: int
    retention_minutes: int
    stimulation: str = Stimulation.MANUAL


def _suggestion(code: str) -> str:
    found = catalogue.current().search(code, limit=3)
    return f" Did you mean {', '.join(e.label for e in found)}?" if found else ""


def _checked_spec(spec: PointSpec, *, max_retention: int) -> tuple[catalogue.Entry, PointSpec]:
    """The catalogue entry and a cleaned spec, or a refusal naming the point."""
    raw_code = spec.code if isinstance(spec.code, str) else ""
    entry = catalogue.current().entry(raw_code)
    if entry is None:
        shown = raw_code.strip() or "(blank)"
        raise InvalidRequest(
            "unknown_point",
            f"“{shown}” is not a point or trigger point in the catalogue.{_suggestion(raw_code)}",
            field="code",
        )
    side = spec.side or (Side.MIDLINE if entry.is_midline else "")
    if entry.is_midline and side != Side.MIDLINE:
        raise InvalidRequest(
            "invalid_side",
            f"{entry.code} lies on the midline: record its side as midline.",
            field="side",
        )
    if not entry.is_midline and side not in PAIRED_SIDES:
        raise InvalidRequest(
            "invalid_side",
            f"Say which side {entry.code} was needled: left, right or both.",
            field="side",
        )
    depth = _whole(
        spec.depth_mm,
        low=1,
        high=MAX_DEPTH_MM,
        code="invalid_depth",
        message=f"{entry.code}: depth is a whole number of millimetres from 1 to {MAX_DEPTH_MM}.",
        field="depth_mm",
    )
    retention = spec.retention_minutes
    if isinstance(retention, int) and not isinstance(retention, bool) and retention > max_retention:
        raise InvalidRequest(
            "retention_too_long",
            f"{entry.code}: needles stay in for at most {max_retention} minutes at this clinic; "
            f"{retention} was given.",
            field="retention_minutes",
        )
    retention = _whole(
        retention,
        low=0,
        high=max_retention,
        code="invalid_retention",
        message=f"{entry.code}: retention is a whole number of minutes, 0 or more.",
        field="retention_minutes",
    )
    if spec.stimulation not in Stimulation.values:
        raise InvalidRequest(
            "invalid_stimulation",
            f"{entry.code}: stimulation is manual, electro or heat.",
            field="stimulation",
        )
    return entry, PointSpec(entry.code, side, depth, retention, spec.stimulation)


def _max_retention(clinic: Clinic) -> int:
    return queries.policy_for(clinic).max_retention_minutes


def needled_points_add(
    note: SessionNote,
    specs: Sequence[PointSpec],
    *,
    user,
    override_reason: str = "",
    now: datetime | None = None,
) -> list[NeedledPoint]:
    """Chart points on a draft note, all or none, each checked against the safety flags.

    A point that meets a flag (a point to avoid, a region to avoid, electro when barred)
    is refused unless ``override_reason`` says why it is needled anyway; the reason is
    kept on the point and the override is audited.
    """
    now = now or timezone.now()
    _require_treating_practitioner(note.appointment, user)
    _refuse_if_signed(note)
    if not specs:
        raise InvalidRequest("no_points", "Give at least one point to chart.", field="code")
    max_retention = _max_retention(note.clinic)
    checked = [_checked_spec(spec, max_retention=max_retention) for spec in specs]
    reason = override_reason.strip() if isinstance(override_reason, str) else ""
    cat = catalogue.current()
    restrictions = queries.restrictions_for(note.patient, day=note.session_date, clinic=note.clinic)
    found = []
    for entry, spec in checked:
        problems = checks.problems_for(
            entry,
            side=spec.side,
            stimulation=spec.stimulation,
            restrictions=restrictions,
            catalogue=cat,
        )
        found.append((entry, spec, problems))
    flagged = [
        {"code": entry.code, "checks": [{"code": p.code, "message": p.message} for p in problems]}
        for entry, _, problems in found
        if problems
    ]
    if flagged and not reason:
        raise OverrideNeeded(flagged)
    with transaction.atomic():
        locked = _locked_draft(note)
        last = NeedledPoint.objects.filter(note=locked).aggregate(p=Max("position"))["p"] or 0
        created = []
        for offset, (entry, spec, problems) in enumerate(found, start=1):
            overridden = sorted({p.code for p in problems})
            point = NeedledPoint.objects.create(
                note=locked,
                position=last + offset,
                code=spec.code,
                side=spec.side,
                depth_mm=spec.depth_mm,
                retention_minutes=spec.retention_minutes,
                stimulation=spec.stimulation,
                overridden=" ".join(overridden),
                override_reason=reason if overridden else "",
            )
            created.append(point)
            if overridden:
                audit.record(
                    AuditAction.CREATE,
                    point,
                    changed_fields=["override_reason"],
                    detail=f"{entry.code} needled despite {', '.join(overridden)}",
                    user=user,
                )
        locked.updated_at = now
        locked.save(update_fields=["updated_at"])
        audit.record(
            AuditAction.CHANGE,
            locked,
            changed_fields=["points"],
            detail="charted " + ", ".join(p.code for p in created),
            user=user,
        )
    return created


def needled_points_change_all(
    note: SessionNote,
    *,
    user,
    depth_mm: int | None = None,
    retention_minutes: int | None = None,
    stimulation: str = "",
    override_reason: str = "",
    now: datetime | None = None,
) -> list[NeedledPoint]:
    """Give every point charted on a draft the same depth, retention or stimulation at
    once; what is left empty stays as each point was charted.

    Each point is checked again as charting checks it: the new values must be valid, and
    a flag the change now meets (electro for a patient barred from it) needs a reason,
    kept on the point beside any reason it already had.
    """
    now = now or timezone.now()
    _require_treating_practitioner(note.appointment, user)
    _refuse_if_signed(note)
    if depth_mm is None and retention_minutes is None and not stimulation:
        raise InvalidRequest(
            "nothing_to_change",
            "Give a depth, a retention or a stimulation to apply to every charted point.",
            field="depth_mm",
        )
    points = list(NeedledPoint.objects.filter(note=note).order_by("position", "id"))
    if not points:
        raise InvalidRequest("no_points", "No points are charted yet to change.", field="depth_mm")
    max_retention = _max_retention(note.clinic)
    cat = catalogue.current()
    restrictions = queries.restrictions_for(note.patient, day=note.session_date, clinic=note.clinic)
    changes = []
    for point in points:
        entry, spec = _checked_spec(
            PointSpec(
                point.code,
                point.side,
                point.depth_mm if depth_mm is None else depth_mm,
                point.retention_minutes if retention_minutes is None else retention_minutes,
                stimulation or point.stimulation,
            ),
            max_retention=max_retention,
        )
        problems = checks.problems_for(
            entry,
            side=spec.side,
            stimulation=spec.stimulation,
            restrictions=restrictions,
            catalogue=cat,
        )
        changes.append((point, spec, checks.unresolved(problems, point.overridden.split())))
    flagged = [
        {"code": point.code, "checks": [{"code": p.code, "message": p.message} for p in new]}
        for point, _, new in changes
        if new
    ]
    reason = override_reason.strip() if isinstance(override_reason, str) else ""
    if flagged and not reason:
        raise OverrideNeeded(flagged)
    with transaction.atomic():
        locked = _locked_draft(note)
        for point, spec, new in changes:
            point.depth_mm = spec.depth_mm
            point.retention_minutes = spec.retention_minutes
            point.stimulation = spec.stimulation
            fields = ["depth_mm", "retention_minutes", "stimulation"]
            if new:
                point.overridden = " ".join(
                    sorted({*point.overridden.split(), *(p.code for p in new)})
                )
                point.override_reason = " / ".join(r for r in (point.override_reason, reason) if r)
                fields += ["overridden", "override_reason"]
                audit.record(
                    AuditAction.CHANGE,
                    point,
                    changed_fields=["override_reason"],
                    detail=f"{point.code} needled despite {', '.join(p.code for p in new)}",
                    user=user,
                )
            point.save(update_fields=fields)
        locked.updated_at = now
        locked.save(update_fields=["updated_at"])
        audit.record(
            AuditAction.CHANGE,
            locked,
            changed_fields=["points"],
            detail="changed every charted point",
            user=user,
        )
    return [point for point, _, _ in changes]


def needled_point_remove(note: SessionNote, point_id: int, *, user, now=None) -> None:
    """Take a point off a draft note (charted by mistake)."""
    now = now or timezone.now()
    _require_treating_practitioner(note.appointment, user)
    with transaction.atomic():
        locked = _locked_draft(note)
        point = NeedledPoint.objects.filter(note=locked, pk=point_id).first()
        if point is None:
            raise NotFound("unknown_point", "That point is not charted on this note.")
        audit.record(
            AuditAction.DELETE, point, detail=f"{point.code} removed from draft", user=user
        )
        point.delete()
        locked.updated_at = now
        locked.save(update_fields=["updated_at"])


# ── Fast charting ────────────────────────────────────────────────────────────────────


def specs_from_last_session(note: SessionNote) -> list[PointSpec]:
    previous = queries.previous_signed_note(note)
    if previous is None:
        raise InvalidRequest(
            "no_previous_session",
            "There is no earlier signed session note for this patient to copy.",
        )
    return [
        PointSpec(p.code, p.side, p.depth_mm, p.retention_minutes, p.stimulation)
        for p in queries.points_of(previous)
    ]


def specs_from_prescription(prescription: PointPrescription) -> list[PointSpec]:
    return [
        PointSpec(i.code, i.side, i.depth_mm, i.retention_minutes, i.stimulation)
        for i in prescription.items.order_by("position")
    ]


def note_prefill(
    note: SessionNote,
    *,
    user,
    prescription: PointPrescription | None = None,
    override_reason: str = "",
    now=None,
) -> list[NeedledPoint]:
    """Chart a saved prescription, or the points of the last session ("same as last
    time"), with the safety check on every point as if typed one by one."""
    _refuse_if_signed(note)
    if prescription is not None:
        owner = queries.practitioner_of(user)
        if owner is None or prescription.practitioner_id != owner.pk:
            raise NotFound("unknown_prescription", "That is not one of your prescriptions.")
        specs = specs_from_prescription(prescription)
    else:
        specs = specs_from_last_session(note)
    if not specs:
        raise InvalidRequest("no_points", "There are no points to copy.")
    return needled_points_add(note, specs, user=user, override_reason=override_reason, now=now)


def prescription_save(
    practitioner: Practitioner, *, name: str, specs: Sequence[PointSpec], user
) -> PointPrescription:
    """Save a practitioner's usual combination under a name."""
    name = (name or "").strip() if isinstance(name, str) else ""
    if not name:
        raise InvalidRequest("name_required", "Name the prescription.", field="name")
    if len(name) > 80:
        raise InvalidRequest("name_too_long", "Keep the name under 80 characters.", field="name")
    if not specs:
        raise InvalidRequest("no_points", "Give at least one point.", field="code")
    max_retention = _max_retention(queries.default_clinic())
    cleaned = [_checked_spec(spec, max_retention=max_retention)[1] for spec in specs]
    try:
        with transaction.atomic():
            prescription = PointPrescription.objects.create(practitioner=practitioner, name=name)
            PrescriptionItem.objects.bulk_create(
                PrescriptionItem(
                    prescription=prescription,
                    position=position,
                    code=spec.code,
                    side=spec.side,
                    depth_mm=spec.depth_mm,
                    retention_minutes=spec.retention_minutes,
                    stimulation=spec.stimulation,
                )
                for position, spec in enumerate(cleaned, start=1)
            )
            audit.record(
                AuditAction.CREATE, prescription, detail=f"{len(cleaned)} points", user=user
            )
    except IntegrityError as exc:
        raise Conflict(
            "duplicate_prescription",
            f"You already have a prescription called “{name}”.",
            field="name",
        ) from exc
    return prescription


def prescription_delete(prescription: PointPrescription, *, user) -> None:
    owner = queries.practitioner_of(user)
    if owner is None or prescription.practitioner_id != owner.pk:
        raise NotFound("unknown_prescription", "That is not one of your prescriptions.")
    with transaction.atomic():
        audit.record(AuditAction.DELETE, prescription, user=user)
        prescription.delete()


# ── Needles ──────────────────────────────────────────────────────────────────────────


def _lot_refusal(lot: NeedleLot, day: date, count: int) -> Conflict:
    if lot.recalled_at is not None:
        return Conflict(
            "lot_recalled",
            f"Lot {lot.lot_number} was recalled on "
            f"{format_date(timezone.localtime(lot.recalled_at))}: do not use these needles.",
            field="lot",
        )
    if lot.is_expired(day):
        return Conflict(
            "lot_expired",
            f"Lot {lot.lot_number} expired on {format_date(lot.expires_on)}: do not use "
            "these needles.",
            field="lot",
        )
    return Conflict(
        "lot_out_of_stock",
        f"Only {lot.quantity_in_stock} needles of lot {lot.lot_number} are in stock, not "
        f"{count}. Check the stock or record another lot.",
        field="lot",
    )


def needle_use_record(
    note: SessionNote, *, lot: NeedleLot, count, user, now: datetime | None = None
) -> NeedleUse:
    """Record needles taken from a lot for this session; the lot's stock goes down.

    The decrement is one conditional UPDATE (stock ≥ count, not recalled, not expired),
    so two sessions drawing from the same lot at once never lose a decrement and never
    take the stock below zero.
    """
    now = now or timezone.now()
    _require_treating_practitioner(note.appointment, user)
    count = _whole(
        count,
        low=1,
        high=MAX_NEEDLES,
        code="negative_count" if isinstance(count, int) and count < 0 else "invalid_count",
        message=f"The number of needles is a whole number from 1 to {MAX_NEEDLES}.",
        field="count",
    )
    if lot.clinic_id != note.clinic_id:
        raise InvalidRequest(
            "lot_other_clinic", "This needle lot is another clinic's stock.", field="lot"
        )
    day = note.session_date
    if not lot.usable_on(day):
        raise _lot_refusal(lot, day, count)
    with transaction.atomic():
        locked = _locked_draft(note)
        taken = NeedleLot.objects.filter(
            pk=lot.pk,
            quantity_in_stock__gte=count,
            recalled_at__isnull=True,
            expires_on__gte=day,
        ).update(quantity_in_stock=F("quantity_in_stock") - count)
        if not taken:
            lot.refresh_from_db()
            raise _lot_refusal(lot, day, count)
        use = NeedleUse.objects.filter(note=locked, lot=lot).first()
        if use is None:
            use = NeedleUse.objects.create(
                note=locked, lot=lot, count=count, recorded_by=user, recorded_at=now
            )
        else:
            if use.count + count > MAX_NEEDLES:
                raise InvalidRequest(
                    "invalid_count",
                    f"That makes more than {MAX_NEEDLES} needles from one lot.",
                    field="count",
                )
            NeedleUse.objects.filter(pk=use.pk).update(count=F("count") + count)
            use.refresh_from_db()
        locked.updated_at = now
        locked.save(update_fields=["updated_at"])
        audit.record(
            AuditAction.CHANGE if use.count != count else AuditAction.CREATE,
            use,
            changed_fields=["count"],
            detail=f"{count} needles from lot {lot.lot_number}",
            user=user,
        )
    return use


def needle_use_remove(note: SessionNote, use_id: int, *, user, now=None) -> None:
    """Take a lot off a draft note (recorded by mistake); its needles go back in stock."""
    now = now or timezone.now()
    _require_treating_practitioner(note.appointment, user)
    with transaction.atomic():
        locked = _locked_draft(note)
        use = NeedleUse.objects.filter(note=locked, pk=use_id).select_related("lot").first()
        if use is None:
            raise NotFound("unknown_needle_use", "That lot is not recorded on this note.")
        NeedleLot.objects.filter(pk=use.lot_id).update(
            quantity_in_stock=F("quantity_in_stock") + use.count
        )
        audit.record(AuditAction.DELETE, use, detail=f"lot {use.lot.lot_number} removed", user=user)
        use.delete()
        locked.updated_at = now
        locked.save(update_fields=["updated_at"])


# ── Signing ──────────────────────────────────────────────────────────────────────────


def sign_problems(note: SessionNote) -> list[tuple[str, str]]:
    """Everything that stops ``note`` being signed, as (code, message); [] when ready."""
    problems = []
    if note.pain_before is None:
        problems.append(("pain_not_recorded", "Record the pain score before treatment."))
    out, back = note.needles_out, note.needles_in
    points = queries.points_of(note)
    if out is None or back is None:
        problems.append(
            (
                "needles_not_counted",
                "Count the needles out and back in (0 and 0 if none were used).",
            )
        )
    else:
        if out != back:
            problems.append(
                (
                    "needle_count_mismatch",
                    f"{out} needle{'s' if out != 1 else ''} counted out but {back} counted "
                    "back in: account for every needle before signing.",
                )
            )
        from_lots = queries.needles_from_lots(note)
        if from_lots != out:
            problems.append(
                (
                    "lot_count_mismatch",
                    f"The needles recorded by lot add up to {from_lots}, but {out} were "
                    "counted out: record each needle's lot.",
                )
            )
        if points and out == 0:
            problems.append(
                ("no_needles_recorded", "Points are charted, but no needles were counted out.")
            )
        if out > 0 and not points:
            problems.append(
                ("no_points_charted", "Needles were used: chart the points or trigger points.")
            )
        if out > 0 and not (note.aftercare or note.aftercare_notes):
            problems.append(("aftercare_not_recorded", "Record the aftercare advice given."))
    # The flags may have changed since a point was charted: check every point again.
    cat = catalogue.current()
    restrictions = queries.restrictions_for(note.patient, day=note.session_date, clinic=note.clinic)
    for point in points:
        entry = cat.entry(point.code)
        if entry is None:
            problems.append(("unknown_point", f"{point.code} is no longer in the catalogue."))
            continue
        found = checks.problems_for(
            entry,
            side=point.side,
            stimulation=point.stimulation,
            restrictions=restrictions,
            catalogue=cat,
        )
        for problem in checks.unresolved(found, point.overridden_codes):
            problems.append(
                (
                    "unresolved_safety_flag",
                    f"{point.code}: {problem.message} Remove it, or chart it again with a reason.",
                )
            )
    return problems


def session_note_sign(note: SessionNote, *, user, now: datetime | None = None) -> SessionNote:
    """Sign a complete note: from now on it is final, and only addenda are added."""
    now = now or timezone.now()
    appointment = note.appointment
    _require_treating_practitioner(appointment, user)
    if now < appointment.start:
        raise Conflict(
            "visit_not_started",
            "A session note is signed once the visit has started: this visit starts "
            f"{format_datetime(appointment.start)}.",
        )
    with transaction.atomic():
        locked = _locked_draft(note)
        problems = sign_problems(locked)
        if problems:
            raise NoteNotReady(problems)
        SessionNote.objects.filter(pk=locked.pk, signed_at__isnull=True).update(
            signed_at=now, signed_by=user, updated_at=now
        )
        locked.refresh_from_db()
        audit.record(
            AuditAction.CHANGE, locked, changed_fields=["signed_at"], detail="signed", user=user
        )
        # Signing the note completes the visit, in the same transaction.
        if locked.appointment.status == AppointmentStatus.ARRIVED:
            appointment_set_status(locked.appointment, status=AppointmentStatus.COMPLETED, now=now)
    return locked


def addendum_add(note: SessionNote, *, text: str, user, now: datetime | None = None):
    """A dated correction or addition to a signed note, by a named clinician."""
    now = now or timezone.now()
    _require_clinician(user)
    text = _text(text if text is not None else "", field="text")
    if not text:
        raise InvalidRequest("addendum_empty", "Write the correction or addition.", field="text")
    with transaction.atomic():
        current = SessionNote.objects.select_for_update().get(pk=note.pk)
        if not current.is_signed:
            raise Conflict(
                "note_not_signed",
                "This note is still a draft: change it directly. Addenda are for signed notes.",
            )
        addendum = NoteAddendum.objects.create(
            note=current, text=text, written_by=user, written_at=now
        )
        audit.record(
            AuditAction.CREATE, addendum, changed_fields=["text"], detail="addendum", user=user
        )
    return addendum


# ── Adverse events ───────────────────────────────────────────────────────────────────


def adverse_event_record(
    note: SessionNote,
    *,
    event_type: str,
    severity: str,
    action_taken: str,
    user,
    description: str = "",
    severe_or_lasting: bool | None = None,
    now: datetime | None = None,
) -> AdverseEvent:
    """Record an adverse event of a session (also after signing: some show days later).

    ``severe_or_lasting`` answers "was it severe, unusual or lasting?": required when the
    type and severity do not already make the event significant (significance.py), kept
    when given anyway. A serious event opens a follow-up that stays open until a clinic
    admin closes it.
    """
    now = now or timezone.now()
    _require_clinician(user)
    if event_type not in EventType.values:
        raise InvalidRequest(
            "invalid_event_type", "Choose the type of event from the list.", field="event_type"
        )
    if severity not in Severity.values:
        raise InvalidRequest(
            "invalid_severity", "Say whether it was mild, moderate or serious.", field="severity"
        )
    cat = catalogue.current()
    kind = next(k for k in cat.event_kinds if k.id == event_type)
    if kind.minimum_severity and Severity(severity).rank < Severity(kind.minimum_severity).rank:
        raise InvalidRequest(
            "severity_too_low",
            f"{kind.label} is always recorded as {kind.minimum_severity}.",
            field="severity",
        )
    description = _text(description or "", field="description")
    action_taken = _text(action_taken or "", field="action_taken")
    if event_type == EventType.OTHER and not description:
        raise InvalidRequest("description_required", "Describe what happened.", field="description")
    if not action_taken:
        raise InvalidRequest(
            "action_required",
            "Say what was done about it (“none needed” is an answer).",
            field="action_taken",
        )
    if severe_or_lasting is not None and not isinstance(severe_or_lasting, bool):
        raise InvalidRequest(
            "invalid_severe_or_lasting",
            "Answer yes or no: was it severe, unusual or lasting?",
            field="severe_or_lasting",
        )
    if severe_or_lasting is None and not significance.settled(
        cat.significance, event_type, severity
    ):
        raise InvalidRequest(
            "severe_or_lasting_required",
            "Say whether it was severe, unusual or lasting: that decides whether it counts "
            "as a significant event.",
            field="severe_or_lasting",
        )
    with transaction.atomic():
        event = AdverseEvent.objects.create(
            note=note,
            event_type=event_type,
            severity=severity,
            description=description,
            action_taken=action_taken,
            severe_or_lasting=severe_or_lasting,
            recorded_by=user,
            recorded_at=now,
        )
        detail = f"{severity} {event_type}"
        if event.is_significant:
            detail += ", significant"
        if severity == Severity.SERIOUS:
            FollowUp.objects.create(event=event, opened_at=now)
            detail += "; follow-up opened"
        audit.record(AuditAction.CREATE, event, detail=detail, user=user)
    return event


def follow_up_close(follow_up: FollowUp, *, outcome: str, user, now=None) -> FollowUp:
    """A clinic admin closes a serious event's follow-up, saying how it ended."""
    now = now or timezone.now()
    outcome = _text(outcome or "", field="outcome")
    if not outcome:
        raise InvalidRequest(
            "outcome_required",
            "Say how the follow-up ended: what was done and how the patient is.",
            field="outcome",
        )
    with transaction.atomic():
        locked = (
            FollowUp.objects.select_for_update().select_related("event__note").get(pk=follow_up.pk)
        )
        if not locked.is_open:
            raise Conflict("follow_up_closed", "This follow-up is already closed.")
        locked.closed_at, locked.closed_by, locked.outcome = now, user, outcome
        locked.save(update_fields=["closed_at", "closed_by", "outcome"])
        audit.record(AuditAction.CHANGE, locked, changed_fields=["closed_at", "outcome"], user=user)
    return locked


# ── Needle stock ─────────────────────────────────────────────────────────────────────


def needle_lot_receive(
    clinic: Clinic,
    *,
    manufacturer: str,
    diameter_um,
    length_mm,
    lot_number: str,
    expires_on: date,
    quantity,
    user,
    received_on: date | None = None,
    now: datetime | None = None,
) -> NeedleLot:
    """Put a delivery of needles into the clinic's stock."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    received_on = received_on or today
    manufacturer = _text(manufacturer or "", field="manufacturer")
    lot_number = _text(lot_number or "", field="lot_number")
    if not manufacturer or len(manufacturer) > 80:
        raise InvalidRequest(
            "manufacturer_required",
            "Give the manufacturer (up to 80 characters).",
            field="manufacturer",
        )
    if not lot_number or len(lot_number) > 40:
        raise InvalidRequest(
            "lot_number_required", "Give the lot number printed on the box.", field="lot_number"
        )
    diameter_um = _whole(
        diameter_um,
        low=MIN_DIAMETER_UM,
        high=MAX_DIAMETER_UM,
        code="invalid_diameter",
        message="Give the diameter in micrometres, e.g. 250 for 0.25 mm.",
        field="diameter_um",
    )
    length_mm = _whole(
        length_mm,
        low=MIN_LENGTH_MM,
        high=MAX_LENGTH_MM,
        code="invalid_length",
        message=f"Give the length in millimetres ({MIN_LENGTH_MM}–{MAX_LENGTH_MM}).",
        field="length_mm",
    )
    if isinstance(quantity, int) and not isinstance(quantity, bool) and quantity < 0:
        raise InvalidRequest("negative_count", "The quantity cannot be negative.", field="quantity")
    quantity = _whole(
        quantity,
        low=1,
        high=MAX_LOT_QUANTITY,
        code="invalid_quantity",
        message=f"Give the number of needles delivered (1–{MAX_LOT_QUANTITY:,}).",
        field="quantity",
    )
    if not isinstance(expires_on, date) or not isinstance(received_on, date):
        raise InvalidRequest("invalid_date", "Give the dates as dates.", field="expires_on")
    if received_on > today:
        raise InvalidRequest(
            "received_in_future",
            "A delivery cannot be dated in the future.",
            field="received_on",
        )
    if expires_on <= today or expires_on <= received_on:
        raise InvalidRequest(
            "lot_already_expired",
            f"These needles expired on {format_date(expires_on)}: do not take them into stock.",
            field="expires_on",
        )
    try:
        with transaction.atomic():
            lot = NeedleLot.objects.create(
                clinic=clinic,
                manufacturer=manufacturer,
                diameter_um=diameter_um,
                length_mm=length_mm,
                lot_number=lot_number,
                expires_on=expires_on,
                received_on=received_on,
                quantity_received=quantity,
                quantity_in_stock=quantity,
                created_by=user if getattr(user, "pk", None) else None,
            )
            audit.record(AuditAction.CREATE, lot, detail=f"{quantity} needles received", user=user)
    except IntegrityError as exc:
        raise Conflict(
            "duplicate_lot",
            f"Lot {lot_number} of {manufacturer} {diameter_um / 1000:.2f} × {length_mm} mm is "
            "already in stock.",
            field="lot_number",
        ) from exc
    return lot


def needle_lot_recall(lot: NeedleLot, *, reason: str, user, now=None) -> NeedleLot:
    """Mark a lot recalled: it can no longer be recorded, and its sessions are listed."""
    now = now or timezone.now()
    reason = _text(reason or "", field="reason")
    if not reason:
        raise InvalidRequest(
            "recall_reason_required", "Say why the lot is recalled (the notice).", field="reason"
        )
    if len(reason) > 200:
        raise InvalidRequest(
            "text_too_long", "Keep the reason under 200 characters.", field="reason"
        )
    with transaction.atomic():
        locked = NeedleLot.objects.select_for_update().get(pk=lot.pk)
        if locked.recalled_at is not None:
            raise Conflict("lot_already_recalled", "This lot is already recalled.")
        locked.recalled_at, locked.recall_reason = now, reason
        locked.save(update_fields=["recalled_at", "recall_reason"])
        audit.record(
            AuditAction.CHANGE, locked, changed_fields=["recalled_at"], detail="recalled", user=user
        )
    return locked


def recall_search(lot: NeedleLot, *, user, download: bool = False) -> queries.LotUses:
    """Every session and patient that used ``lot``, counted, to page through or download
    whole for the recall's phone round; the search, and any download, is audited."""
    found = queries.sessions_using_lot(lot)
    how = ", downloaded as CSV" if download else ""
    audit.record(
        AuditAction.SEARCH,
        lot,
        detail=f"recall search: {found.sessions} sessions, {found.patients} patients{how}",
        user=user,
    )
    return found


# ── Clinic settings ──────────────────────────────────────────────────────────────────

POLICY_FIELDS = ["max_retention_minutes", "lot_expiry_warning_days"]


def treatment_policy_update(clinic: Clinic, *, user, **fields) -> TreatmentPolicy:
    """Change the clinic's charting settings."""
    return update_clinic_settings(TreatmentPolicy, clinic, POLICY_FIELDS, fields, user=user)


def specs_from_codes(
    codes: Iterable[str],
    *,
    side: str,
    depth_mm,
    retention_minutes,
    stimulation: str,
    sides: Mapping[str, str] | None = None,
) -> list[PointSpec]:
    """One spec per code with shared settings: a midline point takes the midline side,
    a code in ``sides`` (picked on the body chart) its own side, the rest ``side``."""
    cat = catalogue.current()
    sides = sides or {}
    specs = []
    for code in codes:
        entry = cat.entry(code)
        if entry is not None and entry.is_midline:
            point_side = Side.MIDLINE
        else:
            point_side = sides.get(catalogue.normalise_code(code), side)
        specs.append(PointSpec(code, point_side, depth_mm, retention_minutes, stimulation))
    return specs


def point_defaults(note: SessionNote) -> dict[str, PointSpec]:
    """Each point's depth, retention and stimulation as last given to this patient, else
    as in the practitioner's saved prescriptions: the defaults of a point charted now."""
    cat = catalogue.current()
    found: dict[str, PointSpec] = {}
    items = PrescriptionItem.objects.filter(prescription__practitioner_id=note.practitioner_id)
    sources = [specs_from_prescription_items(items)]
    previous = queries.previous_signed_note(note)
    if previous is not None:
        sources.append(
            [
                PointSpec(p.code, p.side, p.depth_mm, p.retention_minutes, p.stimulation)
                for p in queries.points_of(previous)
            ]
        )
    for specs in sources:  # the last session's settings win over a prescription's
        for spec in specs:
            entry = cat.entry(spec.code)
            found[entry.code if entry is not None else spec.code] = spec
    return found


def specs_from_prescription_items(items) -> list[PointSpec]:
    return [
        PointSpec(i.code, i.side, i.depth_mm, i.retention_minutes, i.stimulation)
        for i in items.order_by("prescription_id", "position")
    ]


def specs_with_defaults(
    note: SessionNote,
    codes: Iterable[str],
    *,
    side: str,
    depth_mm: int | None,
    retention_minutes: int | None,
    stimulation: str,
    sides: Mapping[str, str] | None = None,
) -> list[PointSpec]:
    """Like specs_from_codes, but what is left empty (depth, retention, stimulation) is
    taken per point from point_defaults; what is given applies to every point."""
    cat = catalogue.current()
    defaults = point_defaults(note)
    specs = []
    for spec in specs_from_codes(
        codes,
        side=side,
        depth_mm=depth_mm,
        retention_minutes=retention_minutes,
        stimulation=stimulation,
        sides=sides,
    ):
        entry = cat.entry(spec.code)
        known = defaults.get(entry.code if entry is not None else spec.code)
        specs.append(
            PointSpec(
                spec.code,
                spec.side,
                spec.depth_mm if spec.depth_mm is not None else getattr(known, "depth_mm", None),
                spec.retention_minutes
                if spec.retention_minutes is not None
                else getattr(known, "retention_minutes", None),
                spec.stimulation or getattr(known, "stimulation", "") or Stimulation.MANUAL,
            )
        )
    return specs
