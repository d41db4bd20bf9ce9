"""Safety pages: parse the request, call one service, render. No rule lives here."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from acuclinic.audit import services as audit
from acuclinic.audit.models import AuditAction
from acuclinic.clinic.models import Clinic
from acuclinic.core.access import staff_view
from acuclinic.core.errors import ServiceError
from acuclinic.core.forms import apply_service_error
from acuclinic.people.models import Patient, Practitioner
from acuclinic.safety import (
    catalogue,
    presenting,
    queries,
    referral_letter,
    referral_pdf,
    referrals,
    services,
)
from acuclinic.safety.errors import InvalidAnswers, LinkUnusable
from acuclinic.safety.forms import (
    AcknowledgementForm,
    AgreementForm,
    ConsentForm,
    PolicyForm,
    QuestionnaireForm,
    ReferralForm,
)
from acuclinic.safety.models import Questionnaire, Referral
from acuclinic.safety.questions import prefill
from acuclinic.scheduling.models import Appointment

CLINICAL = "people.view_clinical"


def _patient_or_404(pk: int) -> Patient:
    return get_object_or_404(Patient, pk=pk)


def _appointment_or_404(pk: int) -> Appointment:
    return get_object_or_404(
        Appointment.objects.select_related(
            "patient", "practitioner__user", "service__clinic", "room__location"
        ),
        pk=pk,
    )


def _return_appointment(request) -> Appointment | None:
    """The visit a clinician came from (?for=<id>), to go back to its gate afterwards."""
    value = request.POST.get("for") or request.GET.get("for") or ""
    if not value.isdigit():
        return None
    return Appointment.objects.filter(pk=int(value)).first()


def _back(patient: Patient, visit: Appointment | None):
    if visit is not None and visit.patient_id == patient.pk:
        return redirect("safety_gate", pk=visit.pk)
    return redirect("safety_patient", pk=patient.pk)


# ── The patient's safety record ──────────────────────────────────────────────────────


@staff_view(CLINICAL, "safety.view_questionnaire")
def patient_safety(request, pk: int):
    patient = _patient_or_404(pk)
    today = timezone.localdate()
    status = queries.safety_status(patient, today=today)
    rules = catalogue.current()
    audit.record(
        AuditAction.VIEW, status.questionnaire or patient, detail="safety screening record"
    )
    return render(
        request,
        "safety/patient_safety.html",
        {
            "patient": patient,
            "status": status,
            "answers": presenting.answer_lines(
                status.questionnaire.answers if status.questionnaire else {}, rules.drugs_by_id
            ),
            "point_list": queries.pregnancy_list(status.policy),
            "versions": Questionnaire.objects.filter(patient=patient)
            .select_related("entered_by")
            .order_by("-version"),
            "consents": queries.consents_for(patient),
            "referrals": queries.referrals_for(patient),
            "can_refer": request.user.has_perm("safety.add_referral"),
            "nav": "patients",
        },
    )


@staff_view(CLINICAL, "safety.view_questionnaire")
def questionnaire_detail(request, pk: int, version: int):
    patient = _patient_or_404(pk)
    questionnaire = get_object_or_404(
        Questionnaire.objects.select_related("entered_by"), patient=patient, version=version
    )
    audit.record(AuditAction.VIEW, questionnaire, detail=f"questionnaire version {version}")
    return render(
        request,
        "safety/questionnaire_detail.html",
        {
            "patient": patient,
            "questionnaire": questionnaire,
            "answers": presenting.answer_lines(
                questionnaire.answers, catalogue.current().drugs_by_id
            ),
            "nav": "patients",
        },
    )


@staff_view(CLINICAL, "safety.add_questionnaire")
def questionnaire_new(request, pk: int):
    patient = _patient_or_404(pk)
    visit = _return_appointment(request)
    latest = queries.latest_questionnaire(patient)
    facts = queries.screening_facts(patient)
    form = QuestionnaireForm(
        request.POST or None,
        rules=catalogue.current(),
        audience="staff",
        # A version from before a question was added starts it from the record.
        answers={**prefill(facts["condition"]), **(latest.answers if latest else {})},
        facts=facts,
    )
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.questionnaire_record(
                patient, answers=form.answers(), user=request.user
            )
        except InvalidAnswers as exc:
            form.show_answer_errors(exc)
        except ServiceError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, f"Health questionnaire saved as version {saved.version}.")
            return _back(patient, visit)
    elif request.method == "GET" and latest is not None:
        # The form opens with the latest answers filled in: that is a read of them.
        audit.record(AuditAction.VIEW, latest, detail="questionnaire opened to update")
    return render(
        request,
        "safety/questionnaire_form.html",
        {"patient": patient, "form": form, "latest": latest, "visit": visit, "nav": "patients"},
    )


@staff_view("safety.add_questionnairelink")
def send_link(request, pk: int):
    patient = _patient_or_404(pk)
    if request.method != "POST":
        return redirect("patient_detail", pk=pk)
    try:
        services.questionnaire_link_send(
            patient,
            user=request.user,
            url_for=lambda token: request.build_absolute_uri(
                reverse("safety_public_questionnaire", args=[token])
            ),
        )
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Questionnaire link sent to {patient.email}.")
    return redirect("patient_detail", pk=pk)


# ── The patient's own questionnaire (no staff login) ─────────────────────────────────


def _unusable(request, exc: LinkUnusable):
    status = 404 if exc.code == "link_unknown" else exc.status
    clinic = Clinic.objects.order_by("pk").first()
    return render(
        request, "safety/link_unusable.html", {"error": exc, "clinic": clinic}, status=status
    )


@never_cache
def public_questionnaire(request, token: str):
    try:
        link = services.questionnaire_link_open(token)
    except LinkUnusable as exc:
        return _unusable(request, exc)
    clinic = Clinic.objects.order_by("pk").first()
    facts = queries.screening_facts(link.patient)
    form = QuestionnaireForm(
        request.POST or None,
        rules=catalogue.current(),
        audience="patient",
        answers=prefill(facts["condition"]),
        facts=facts,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.questionnaire_submit_by_link(token, answers=form.answers())
        except InvalidAnswers as exc:
            form.show_answer_errors(exc)
        except LinkUnusable as exc:
            return _unusable(request, exc)
        else:
            return render(
                request, "safety/public_thanks.html", {"clinic": clinic, "patient": link.patient}
            )
    return render(
        request,
        "safety/public_questionnaire.html",
        {"form": form, "patient": link.patient, "clinic": clinic, "link": link},
    )


# ── Consent, risk discussions, agreements ────────────────────────────────────────────


@staff_view(CLINICAL, "safety.add_consent")
def consent_new(request, pk: int):
    patient = _patient_or_404(pk)
    visit = _return_appointment(request)
    now = timezone.localtime()
    own = Practitioner.objects.filter(user=request.user, is_active=True).first()
    form = ConsentForm(
        request.POST or None,
        initial={
            "modality": request.GET.get("modality") or (visit and visit.service.needling),
            "given_on": now.date(),
            "given_time": now.time().replace(second=0, microsecond=0),
            "taken_by": own,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.consent_record(
                patient,
                modality=form.cleaned_data["modality"],
                risks_explained=form.cleaned_data["risks_explained"],
                method=form.cleaned_data["method"],
                given_at=form.given_at(),
                taken_by=form.cleaned_data["taken_by"],
                notes=form.cleaned_data["notes"],
                user=request.user,
            )
        except ServiceError as exc:
            apply_service_error(form, exc, aliases={"given_at": "given_on"})
        else:
            messages.success(request, "Consent recorded.")
            return _back(patient, visit)
    return render(
        request,
        "safety/consent_form.html",
        {"patient": patient, "form": form, "visit": visit, "nav": "patients"},
    )


def _standing_finding(patient: Patient, rule_id: str, findings_of):
    status = queries.safety_status(patient, today=timezone.localdate())
    finding = next((f for f in findings_of(status) if f.rule_id == rule_id), None)
    if finding is None:
        raise Http404("No such standing flag")
    return status, finding


@staff_view(CLINICAL, "safety.add_precautionacknowledgement")
def acknowledge(request, pk: int, rule_id: str):
    patient = _patient_or_404(pk)
    visit = _return_appointment(request)
    status, finding = _standing_finding(patient, rule_id, lambda s: s.unacknowledged)
    form = AcknowledgementForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.precaution_acknowledge(
                patient,
                rule_id=rule_id,
                discussion=form.cleaned_data["discussion"],
                user=request.user,
            )
        except ServiceError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, f"Risk discussion recorded: {finding.label}.")
            return _back(patient, visit)
    return render(
        request,
        "safety/acknowledge_form.html",
        {
            "patient": patient,
            "form": form,
            "finding": finding,
            "status": status,
            "visit": visit,
            "nav": "patients",
        },
    )


@staff_view(CLINICAL, "safety.add_specialistagreement")
def agreement_new(request, pk: int, rule_id: str):
    patient = _patient_or_404(pk)
    visit = _return_appointment(request)
    status, finding = _standing_finding(patient, rule_id, lambda s: s.overridable)
    form = AgreementForm(request.POST or None, initial={"agreed_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.specialist_agreement_record(
                patient,
                rule_id=rule_id,
                agreed_by=form.cleaned_data["agreed_by"],
                agreed_on=form.cleaned_data["agreed_on"],
                reason=form.cleaned_data["reason"],
                user=request.user,
            )
        except ServiceError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, f"Agreement recorded: {finding.rule.title}.")
            return _back(patient, visit)
    return render(
        request,
        "safety/agreement_form.html",
        {
            "patient": patient,
            "form": form,
            "finding": finding,
            "status": status,
            "visit": visit,
            "nav": "patients",
        },
    )


# ── Referral letters ─────────────────────────────────────────────────────────────────


@staff_view(CLINICAL, "safety.add_referral")
def referral_new(request, pk: int):
    patient = _patient_or_404(pk)
    today = timezone.localdate()
    status = queries.safety_status(patient, today=today)
    form = ReferralForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            referral = services.referral_issue(
                patient,
                destination=form.cleaned_data["destination"],
                notes=form.cleaned_data["notes"],
                user=request.user,
            )
        except ServiceError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(
                request, f"Referral letter to {referral.destination_name} issued and kept."
            )
            return redirect("safety_referral", pk=patient.pk, referral=referral.pk)
    elif status.questionnaire is not None:
        # The page lists the flags and the answers that raised them.
        audit.record(AuditAction.VIEW, status.questionnaire, detail="referral letter form")
    return render(
        request,
        "safety/referral_form.html",
        {
            "patient": patient,
            "form": form,
            "status": status,
            "flags": referrals.letter_flags(status, today=today),
            "nav": "patients",
        },
    )


def _referral_or_404(pk: int, referral: int) -> Referral:
    return get_object_or_404(
        Referral.objects.select_related("patient", "issued_by"), pk=referral, patient_id=pk
    )


@require_GET
@staff_view(CLINICAL, "safety.view_referral")
def referral_detail(request, pk: int, referral: int):
    letter = _referral_or_404(pk, referral)
    audit.record(AuditAction.VIEW, letter, detail="referral letter")
    return render(
        request,
        "safety/referral_detail.html",
        {
            "patient": letter.patient,
            "referral": letter,
            "lines": referral_letter.marked_lines(letter.text),
            "nav": "patients",
        },
    )


@never_cache
@require_GET
@staff_view(CLINICAL, "safety.view_referral")
def referral_pdf_view(request, pk: int, referral: int):
    letter = _referral_or_404(pk, referral)
    audit.record(AuditAction.VIEW, letter, detail="referral letter (PDF)")
    response = HttpResponse(referral_pdf.render(letter), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="referral-{letter.pk}.pdf"'
    return response


# ── The gate for an appointment ──────────────────────────────────────────────────────


@staff_view(CLINICAL, "safety.view_questionnaire")
def gate(request, pk: int):
    appointment = _appointment_or_404(pk)
    day = timezone.localtime(appointment.start, appointment.room.location.tz).date()
    verdict = services.needling_gate(appointment, today=day)
    audit.record(AuditAction.VIEW, appointment.patient, detail="needling gate")
    practitioner = appointment.practitioner
    sees_credentials = request.user.has_perm("people.view_credential") or (
        practitioner.user_id == request.user.pk
    )
    return render(
        request,
        "safety/gate.html",
        {
            "appointment": appointment,
            "verdict": verdict,
            "day": day,
            "expiring": queries.expiring_credentials(
                today=timezone.localdate(), practitioner=practitioner
            )
            if sees_credentials
            else [],
            "nav": "diary",
        },
    )


@staff_view(CLINICAL, "safety.add_changecheck")
def no_changes(request, pk: int):
    appointment = _appointment_or_404(pk)
    if request.method != "POST":
        return redirect("safety_gate", pk=pk)
    try:
        services.visit_no_changes_confirm(appointment, user=request.user)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Recorded: the patient reports no changes since last time.")
    return redirect("safety_gate", pk=pk)


# ── Clinic settings and credentials ──────────────────────────────────────────────────


@staff_view("safety.change_safetypolicy")
def policy(request):
    clinic = Clinic.objects.order_by("pk").first()
    if clinic is None:
        raise Http404("No clinic")
    current = queries.policy_for(clinic)
    rules = catalogue.current()
    form = PolicyForm(
        request.POST or None,
        rules=rules,
        initial={
            "questionnaire_valid_months": current.questionnaire_valid_months,
            "pregnancy_point_list": queries.pregnancy_list(current).id,
            "link_valid_days": current.link_valid_days,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.safety_policy_update(clinic, **form.cleaned_data)
        except ServiceError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, "Safety settings saved.")
            return redirect("safety_policy")
    return render(
        request,
        "safety/policy_form.html",
        {"form": form, "clinic": clinic, "lists": rules.lists_for("pregnancy"), "nav": "safety"},
    )


@staff_view(CLINICAL)
def expiring_credentials(request):
    today = timezone.localdate()
    if request.user.has_perm("people.view_credential"):
        expiring = queries.expiring_credentials(today=today)
        everyone = True
    else:
        own = Practitioner.objects.filter(user=request.user).first()
        expiring = queries.expiring_credentials(today=today, practitioner=own) if own else []
        everyone = False
    return render(
        request,
        "safety/expiring_credentials.html",
        {
            "expiring": expiring,
            "everyone": everyone,
            "days": queries.EXPIRY_WARNING_DAYS,
            "nav": "safety",
        },
    )
