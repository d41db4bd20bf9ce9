"""Each model the clinic keeps, as the FHIR R4 resource other systems read.

One function per resource type, from a model instance to a plain dict; the registry
(registry.py) says which model, permissions and search parameters go with each. Codes the
clinic has not verified go out as text and in its own code systems (codes.py).
"""

import json
from datetime import UTC, date, datetime
from decimal import Decimal

from acuclinic.interop.fhir import codes

ADMIN_GENDER = {"female": "female", "male": "male", "other": "other", "unknown": "unknown"}

APPOINTMENT_STATUS = {
    "booked": "booked",
    "arrived": "arrived",
    "completed": "fulfilled",
    "cancelled": "cancelled",
    "late_cancelled": "cancelled",
    "dna": "noshow",
}

# The clinic's needling modalities as procedures (codes.toml: no SNOMED code verified).
PROCEDURES = {
    "traditional": ("acupuncture", "Acupuncture"),
    "medical": ("dry-needling", "Dry needling (medical acupuncture, trigger points)"),
    "electro": ("electro-acupuncture", "Electro-acupuncture"),
}

ADVERSE_SEVERITY = {"mild": "mild", "moderate": "moderate", "serious": "severe"}


def instant(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def ref(kind: str, pk, display: str | None = None) -> dict:
    out = {"reference": f"{kind}/{pk}"}
    if display:
        out["display"] = display
    return out


def _clean(value):
    """Drop empty values: FHIR forbids empty strings, lists and objects."""
    if isinstance(value, dict):
        out = {k: _clean(v) for k, v in value.items()}
        return {k: v for k, v in out.items() if v not in (None, "", [], {})}
    if isinstance(value, list):
        out = [_clean(v) for v in value]
        return [v for v in out if v not in (None, "", [], {})]
    return value


def resource(kind: str, pk, last_updated: datetime | None, **fields) -> dict:
    body = {"resourceType": kind, "id": str(pk)}
    if last_updated is not None:
        body["meta"] = {"lastUpdated": instant(last_updated)}
    body.update(fields)
    return _clean(body)


# -- people -----------------------------------------------------------------------------


def patient(p) -> dict:
    names = [{"use": "official", "family": p.family_name, "given": [p.given_name]}]
    if p.preferred_name:
        names.append({"use": "usual", "given": [p.preferred_name], "family": p.family_name})
    telecom = []
    if p.phone:
        telecom.append({"system": "phone", "value": p.phone, "use": "mobile"})
    if p.email:
        telecom.append({"system": "email", "value": p.email})
    address = {
        "line": [p.address_line1, p.address_line2],
        "city": p.town,
        "postalCode": p.postcode,
        "country": "GB",
    }
    contact = []
    if p.emergency_contact_name or p.emergency_contact_phone:
        contact.append(
            {
                "relationship": [{"text": p.emergency_contact_relationship or "Emergency contact"}],
                "name": {"text": p.emergency_contact_name},
                "telecom": [{"system": "phone", "value": p.emergency_contact_phone}],
            }
        )
    return resource(
        "Patient",
        p.pk,
        p.updated_at,
        identifier=[{"system": codes.NHS_NUMBER, "value": p.nhs_number}] if p.nhs_number else [],
        active=True,
        name=names,
        telecom=telecom,
        gender=ADMIN_GENDER.get(p.sex, "unknown"),
        birthDate=day(p.date_of_birth),
        address=[address] if any((p.address_line1, p.town, p.postcode)) else [],
        contact=contact,
        generalPractitioner=[{"display": p.gp_practice}] if p.gp_practice else [],
    )


def _qualification(c) -> dict:
    return {
        "identifier": [{"value": c.number}],
        "code": codes.local("credential", c.kind, f"{c.get_kind_display()}: {c.body}"),
        "period": {"start": day(c.valid_from), "end": day(c.valid_until)},
        "issuer": {"display": c.body},
    }


def practitioner(pr, *, with_credentials: bool) -> dict:
    user = pr.user
    quals = [_qualification(c) for c in pr.credentials.all()] if with_credentials else []
    return resource(
        "Practitioner",
        pr.pk,
        None,
        active=pr.is_active,
        name=[{"family": user.last_name, "given": [user.first_name], "text": pr.name}],
        telecom=[{"system": "email", "value": user.email, "use": "work"}] if user.email else [],
        qualification=quals,
    )


def practitioner_role(pr, *, clinic_id) -> dict:
    specialties = []
    if pr.qualified_traditional:
        specialties.append(codes.local("modality", "traditional", "Traditional acupuncture"))
    if pr.qualified_medical:
        specialties.append(codes.local("modality", "medical", "Medical (western) acupuncture"))
    return resource(
        "PractitionerRole",
        pr.pk,
        None,
        active=pr.is_active,
        practitioner=ref("Practitioner", pr.pk, pr.name),
        organization=ref("Organization", clinic_id) if clinic_id else None,
        code=[codes.local("profession", pr.profession, pr.get_profession_display())],
        specialty=specialties,
    )


# -- the clinic -------------------------------------------------------------------------


def organization(c) -> dict:
    telecom = []
    if c.phone:
        telecom.append({"system": "phone", "value": c.phone, "use": "work"})
    if c.email:
        telecom.append({"system": "email", "value": c.email, "use": "work"})
    if c.website:
        telecom.append({"system": "url", "value": c.website, "use": "work"})
    return resource("Organization", c.pk, None, active=True, name=c.name, telecom=telecom)


def location(loc) -> dict:
    return resource(
        "Location",
        loc.pk,
        None,
        status="active" if loc.is_active else "inactive",
        name=loc.name,
        telecom=[{"system": "phone", "value": loc.phone, "use": "work"}] if loc.phone else [],
        address={
            "line": [loc.address_line1, loc.address_line2],
            "city": loc.town,
            "postalCode": loc.postcode,
            "country": "GB",
        },
        managingOrganization=ref("Organization", loc.clinic_id),
    )


def healthcare_service(s) -> dict:
    return resource(
        "HealthcareService",
        s.pk,
        None,
        active=s.is_active,
        providedBy=ref("Organization", s.clinic_id),
        type=[codes.local("modality", s.modality, s.get_modality_display())],
        name=s.name,
        comment=s.description,
        extraDetails=f"{s.duration_minutes} minutes, £{s.price_pence // 100}."
        f"{s.price_pence % 100:02d}",
        appointmentRequired=True,
    )


def schedule(pr) -> dict:
    return resource(
        "Schedule",
        pr.pk,
        None,
        active=pr.is_active,
        actor=[ref("Practitioner", pr.pk, pr.name)],
        comment=f"The working time of {pr.name}.",
    )


# -- the diary ------------------------------------------------------------------------------


def appointment(a) -> dict:
    participants = [
        {"actor": ref("Patient", a.patient_id), "status": "accepted", "required": "required"},
        {"actor": ref("Practitioner", a.practitioner_id), "status": "accepted"},
        {"actor": ref("Location", a.room.location_id), "status": "accepted"},
    ]
    minutes = int((a.end - a.start).total_seconds() // 60)
    return resource(
        "Appointment",
        a.pk,
        a.updated_at,
        status=APPOINTMENT_STATUS.get(a.status, "booked"),
        cancelationReason={"text": a.cancellation_reason} if a.cancellation_reason else None,
        serviceType=[{"text": a.service.name}],
        appointmentType=codes.local(
            "modality", a.service.modality, a.service.get_modality_display()
        ),
        start=instant(a.start),
        end=instant(a.end),
        minutesDuration=minutes,
        created=day(a.created_at.date()) if a.created_at else None,
        participant=participants,
    )


# -- the treatment record -------------------------------------------------------------------


def _procedure_kind(note) -> tuple[str, str]:
    if any(p.stimulation == "electro" for p in note.points.all()):
        return PROCEDURES["electro"]
    return PROCEDURES.get(note.modality, PROCEDURES["traditional"])


def encounter(note) -> dict:
    a = note.appointment
    return resource(
        "Encounter",
        note.pk,
        note.updated_at,
        status="finished" if note.signed_at else "in-progress",
        **{
            "class": {
                "system": "http://terminology.hl7.org/CodeSystem/v3-ActCode",
                "code": "AMB",
                "display": "ambulatory",
            }
        },
        type=[codes.local("modality", note.modality, note.get_modality_display())],
        subject=ref("Patient", note.patient_id),
        participant=[{"individual": ref("Practitioner", note.practitioner_id)}],
        appointment=[ref("Appointment", note.appointment_id)],
        period={"start": instant(a.start), "end": instant(a.end)},
        serviceProvider=ref("Organization", note.clinic_id),
    )


def procedure(note) -> dict:
    code, display = _procedure_kind(note)
    points = list(note.points.all())
    sites = [
        {
            "coding": [
                {"system": codes.local_system("needling-site"), "code": p.code, "display": p.code}
            ],
            "text": f"{p.code} ({p.get_side_display().lower()}, {p.depth_mm} mm, "
            f"{p.retention_minutes} min, {p.get_stimulation_display().lower()})",
        }
        for p in points
    ]
    notes = []
    if points:
        notes.append({"text": "Points needled: " + ", ".join(p.code for p in points) + "."})
    if note.needles_out is not None:
        notes.append(
            {"text": f"Needles counted out {note.needles_out}, back in {note.needles_in}."}
        )
    return resource(
        "Procedure",
        note.pk,
        note.updated_at,
        status="completed" if note.signed_at else "in-progress",
        code=codes.local("procedure", code, display),
        subject=ref("Patient", note.patient_id),
        encounter=ref("Encounter", note.pk),
        performedDateTime=instant(note.appointment.start),
        performer=[{"actor": ref("Practitioner", note.practitioner_id)}],
        bodySite=sites,
        usedReference=[ref("Device", lot_id) for lot_id in _lots(note)],
        note=notes,
    )


def _lots(note) -> list[int]:
    return sorted({use.lot_id for use in note.needle_uses.all()})


def adverse_event(ev) -> dict:
    note = ev.note
    return resource(
        "AdverseEvent",
        ev.pk,
        None,
        actuality="actual",
        event={
            "coding": [
                {
                    "system": codes.local_system("adverse-event"),
                    "code": ev.event_type,
                    "display": ev.get_event_type_display(),
                }
            ],
            "text": ev.description or ev.get_event_type_display(),
        },
        subject=ref("Patient", note.patient_id),
        encounter=ref("Encounter", note.pk),
        date=instant(ev.recorded_at),
        recordedDate=instant(ev.recorded_at),
        severity={
            "coding": [
                {
                    "system": "http://terminology.hl7.org/CodeSystem/adverse-event-severity",
                    "code": ADVERSE_SEVERITY[ev.severity],
                }
            ],
            "text": ev.get_severity_display(),
        },
        suspectEntity=[{"instance": ref("Procedure", note.pk)}],
    )


def device(lot) -> dict:
    return resource(
        "Device",
        lot.pk,
        None,
        status="inactive" if lot.recalled_at else "active",
        statusReason=[{"text": f"Recalled: {lot.recall_reason}"}] if lot.recalled_at else [],
        manufacturer=lot.manufacturer,
        lotNumber=lot.lot_number,
        expirationDate=day(lot.expires_on),
        deviceName=[
            {
                "name": f"Sterile single-use acupuncture needle "
                f"{lot.diameter_um / 1000:.2f} × {lot.length_mm} mm",
                "type": "user-friendly-name",
            }
        ],
        type={"text": "Sterile single-use acupuncture needle"},
        owner=ref("Organization", lot.clinic_id),
    )


# -- safety --------------------------------------------------------------------------------


def _answer(value) -> dict | None:
    if value is None or value == "" or value == []:
        return None
    if isinstance(value, bool):
        return {"valueBoolean": value}
    if isinstance(value, int):
        return {"valueInteger": value}
    if isinstance(value, str):
        return {"valueString": value}
    return {"valueString": json.dumps(value, ensure_ascii=False, sort_keys=True)}


def questionnaire_response(q) -> dict:
    items = []
    answers = q.answers if isinstance(q.answers, dict) else {"answers": q.answers}
    for key, value in answers.items():
        answer = _answer(value)
        items.append({"linkId": str(key), "answer": [answer] if answer else []})
    return resource(
        "QuestionnaireResponse",
        q.pk,
        None,
        identifier={"system": codes.local_system("questionnaire-version"), "value": str(q.version)},
        status="completed",
        subject=ref("Patient", q.patient_id),
        authored=instant(q.submitted_at),
        source=ref("Patient", q.patient_id) if q.filled_by == "patient" else None,
        item=items,
    )


def consent(c) -> dict:
    return resource(
        "Consent",
        c.pk,
        None,
        status="active",
        scope={
            "coding": [
                {
                    "system": "http://terminology.hl7.org/CodeSystem/consentscope",
                    "code": "treatment",
                }
            ]
        },
        category=[codes.local("consent", "needling", "Informed consent to needling")],
        patient=ref("Patient", c.patient_id),
        dateTime=instant(c.given_at),
        performer=[ref("Patient", c.patient_id)],
        organization=[],
        policyRule={"text": f"Informed consent ({c.get_method_display().lower()})"},
        provision={
            "type": "permit",
            "code": [codes.local("modality", c.modality, c.get_modality_display())],
        },
    )


# -- course and outcomes ----------------------------------------------------------------


def condition(summary) -> dict:
    return resource(
        "Condition",
        summary.pk,
        summary.updated_at,
        clinicalStatus={
            "coding": [
                {
                    "system": "http://terminology.hl7.org/CodeSystem/condition-clinical",
                    "code": "active",
                }
            ]
        },
        category=[
            {
                "coding": [
                    {
                        "system": "http://terminology.hl7.org/CodeSystem/condition-category",
                        "code": "problem-list-item",
                    }
                ],
                "text": "Presenting complaint",
            }
        ],
        code=codes.local(
            "condition", summary.presenting_condition, summary.get_presenting_condition_display()
        ),
        subject=ref("Patient", summary.patient_id),
        recordedDate=instant(summary.updated_at),
    )


def care_plan(course) -> dict:
    phase = course.get_phase_display() if course.phase else ""
    description = (
        f"Course of {course.get_modality_display().lower()}, series {course.series}, "
        f"{course.sessions} sessions"
    )
    if phase:
        description += f"; phase: {phase.lower()}"
    return resource(
        "CarePlan",
        course.pk,
        course.refreshed_at,
        status="completed" if course.ended_on else "active",
        intent="plan",
        category=[codes.local("course-phase", course.phase or "none", phase or "No phase")],
        title=f"Course of {course.get_modality_display().lower()}",
        description=description + ".",
        subject=ref("Patient", course.patient_id),
        period={"start": day(course.started_on), "end": day(course.ended_on)},
        author=ref("Practitioner", course.practitioner_id),
        addresses=[],
    )


def observation(m, *, measure_name: str) -> dict:
    loinc = codes.verified_loinc("nprs") if m.measure == "nprs" else None
    coding = [loinc] if loinc else []
    coding.append(
        {"system": codes.local_system("measure"), "code": m.measure, "display": measure_name}
    )
    return resource(
        "Observation",
        m.pk,
        m.recorded_at,
        status="final",
        category=[
            {
                "coding": [
                    {
                        "system": "http://terminology.hl7.org/CodeSystem/observation-category",
                        "code": "survey",
                    }
                ]
            }
        ],
        code={"coding": coding, "text": measure_name},
        subject=ref("Patient", m.patient_id),
        effectiveDateTime=day(m.taken_on),
        issued=instant(m.recorded_at),
        valueQuantity={"value": _number(m.score), "unit": "score"},
        note=[{"text": m.note}] if m.note else [],
    )


def _number(value: Decimal):
    return int(value) if value == int(value) else float(value)


def flag(q, assessment, *, latest: bool) -> dict:
    """The safety flags one health questionnaire raised, as one Flag: active while it is
    the patient's latest questionnaire."""
    findings = list(assessment.findings) if assessment else []
    parts = [f"{f.outcome.name.lower()}: {f.label}" for f in findings]
    if assessment and assessment.no_electro:
        parts.append("no electro-acupuncture")
    if assessment and assessment.avoid_points:
        parts.append("avoid points " + ", ".join(assessment.avoid_points))
    if assessment and assessment.avoid_regions:
        parts.append("avoid regions " + ", ".join(assessment.avoid_regions))
    text = "; ".join(parts) if parts else "No safety flags"
    return resource(
        "Flag",
        q.pk,
        None,
        status="active" if latest and parts else "inactive",
        category=[codes.local("flag-category", "safety", "Safety screening before needling")],
        code={
            "coding": [
                {"system": codes.local_system("safety-rule"), "code": f.rule_id.replace("_", "-")}
                for f in findings
            ],
            "text": f"Safety flags: {text}" if parts else text,
        },
        subject=ref("Patient", q.patient_id),
        period={"start": instant(q.submitted_at)},
    )


def _money(pence: int) -> dict:
    return {"value": pence / 100, "currency": "GBP"}


def invoice(inv) -> dict:
    """An invoice or credit note: whole pence become pounds (GBP) with two decimals."""
    lines = list(inv.lines.all())
    net = inv.total_pence - inv.vat_pence
    return resource(
        "Invoice",
        inv.pk,
        inv.issued_at or inv.created_at,
        identifier=[{"system": codes.local_system("invoice-number"), "value": inv.reference}],
        status="issued" if inv.status == "issued" else "draft",
        type=codes.local("invoice-kind", inv.kind, inv.get_kind_display()),
        subject=ref("Patient", inv.patient_id),
        recipient=(
            {"display": str(inv.policy.insurer)}
            if inv.policy_id
            else ref("Patient", inv.patient_id)
        ),
        date=instant(inv.issued_at),
        issuer=ref("Organization", inv.clinic_id),
        lineItem=[
            {
                "sequence": number,
                "chargeItemCodeableConcept": {"text": line.description},
                "priceComponent": [
                    {"type": "base", "amount": _money(line.amount_pence - line.vat_pence)},
                    {"type": "tax", "amount": _money(line.vat_pence)},
                ],
            }
            for number, line in enumerate(lines, start=1)
        ],
        totalNet=_money(net),
        totalGross=_money(inv.total_pence),
        note=[{"text": inv.reason}] if inv.reason else [],
    )
