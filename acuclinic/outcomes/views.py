"""Outcome pages for staff: parse the request, call one service, render. No rule lives
here: the planner, the scoring and the services decide."""

from datetime import timedelta

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from acuclinic.audit import services as audit
from acuclinic.audit.models import AuditAction
from acuclinic.clinic.models import Room, Service
from acuclinic.core.access import staff_view
from acuclinic.core.errors import ServiceError
from acuclinic.core.formats import format_datetime
from acuclinic.core.forms import apply_service_error
from acuclinic.outcomes import catalogue, offers, presenting, queries, report, services
from acuclinic.outcomes.choices import ReviewDecision
from acuclinic.outcomes.forms import (
    BookForm,
    CloseForm,
    MeasureForm,
    PolicyForm,
    ReportPeriodForm,
    ReviewForm,
    measure_choices,
    posted,
)
from acuclinic.outcomes.models import Course
from acuclinic.people.choices import ConditionChoice
from acuclinic.people.models import Patient, Practitioner

CLINICAL = "people.view_clinical"
READ = (CLINICAL, "outcomes.view_course")
RECORD = (CLINICAL, "outcomes.add_measurement")
DECIDE = (CLINICAL, "outcomes.change_course")
BOOK = (*READ, "scheduling.add_appointment")
REPORT_DAYS = 365


def _course_or_404(pk: int) -> Course:
    return get_object_or_404(Course.objects.select_related("patient", "clinic"), pk=pk)


def patient_context(request, patient: Patient, *, prefix: str = "chart") -> dict:
    """Everything the outcomes page and the printed summary show about a patient."""
    today = timezone.localdate()
    services.course_refresh(patient, today=today)
    views = queries.course_views(patient, today=today)
    latest = views[-1] if views else None
    can_book = request.user.has_perms(BOOK)
    offer = offers.next_session_offer(latest, today=today) if latest and can_book else None
    audit.record(AuditAction.VIEW, patient, object_type="outcomes.course", detail="outcomes")
    condition = latest.course.condition if latest else queries.condition_of(patient)
    offered = measure_choices(condition=condition) if condition else measure_choices()
    return {
        "patient": patient,
        "views": views,
        "latest": latest,
        "earlier": views[:-1],
        "blocks": presenting.chart_blocks(latest, today=today, prefix=prefix) if latest else [],
        "rows": presenting.measure_rows(latest) if latest else [],
        "due": queries.due_for(patient, today=today, views=views),
        "offer": offer,
        "today": today,
        "can_record": request.user.has_perms(RECORD),
        "can_decide": request.user.has_perms(DECIDE),
        "measures": offered,
        "other_measures": [m for m in measure_choices() if m not in offered],
        "condition_label": ConditionChoice(condition).label if condition else "",
        "nav": "patients",
    }


@staff_view(*READ)
def patient_outcomes(request, pk: int):
    patient = get_object_or_404(Patient, pk=pk)
    context = patient_context(request, patient)
    latest = context["latest"]
    decision = latest.plan.decision if latest else None
    context.update(review_form=ReviewForm(decision=decision), close_form=CloseForm())
    return render(request, "outcomes/patient.html", context)


@staff_view(*READ)
def patient_summary(request, pk: int):
    """The outcomes summary laid out for printing (and for handing to the patient)."""
    patient = get_object_or_404(Patient, pk=pk)
    context = patient_context(request, patient, prefix="print")
    context["offer"] = None
    return render(request, "outcomes/summary.html", context)


@staff_view(*RECORD)
def measure_new(request, pk: int, code: str):
    patient = get_object_or_404(Patient, pk=pk)
    measure = catalogue.current().measure(code)
    if measure is None or measure.code == catalogue.PAIN:
        raise Http404("No such questionnaire to record.")
    form = MeasureForm(posted(request), measure=measure)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.measurement_record(
                    patient,
                    measure=measure.code,
                    taken_on=data["taken_on"],
                    answers=data["answers"],
                    total=data.get("total"),
                    note=data.get("note", ""),
                    user=request.user,
                )
            except ServiceError as exc:
                apply_service_error(form, exc)
                status = exc.status
            else:
                messages.success(request, f"{measure.name} recorded.")
                return redirect("outcomes_patient", pk=patient.pk)
        else:
            status = 400
    return render(
        request,
        "outcomes/measure_form.html",
        {"patient": patient, "measure": measure, "form": form, "nav": "patients"},
        status=status,
    )


def _back_to_patient(course: Course):
    return redirect(reverse("outcomes_patient", kwargs={"pk": course.patient_id}) + "#course")


@staff_view(*DECIDE)
def course_review(request, pk: int):
    course = _course_or_404(pk)
    if request.method != "POST":
        return _back_to_patient(course)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose whether to continue the course or to stop it.")
        return _back_to_patient(course)
    try:
        review = services.course_review(
            course,
            decision=form.cleaned_data["decision"],
            note=form.cleaned_data["note"],
            user=request.user,
        )
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        outcome = (
            "the course goes on"
            if review.decision == ReviewDecision.CONTINUE
            else "the course is closed"
        )
        messages.success(request, f"Review recorded: {outcome}.")
    return _back_to_patient(course)


@staff_view(*DECIDE)
def course_close(request, pk: int):
    course = _course_or_404(pk)
    if request.method != "POST":
        return _back_to_patient(course)
    form = CloseForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give the reason and the day the course ended.")
        return _back_to_patient(course)
    try:
        services.course_close(
            course,
            reason=form.cleaned_data["reason"],
            ended_on=form.cleaned_data["ended_on"],
            user=request.user,
        )
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Course closed. The discharge measures are now due.")
    return _back_to_patient(course)


def _safe_next(request, fallback: str) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


@staff_view(*BOOK)
@require_POST
def course_book(request, pk: int):
    """One click on an offered time books it through the booking service."""
    course = _course_or_404(pk)
    back = _safe_next(
        request, reverse("outcomes_patient", kwargs={"pk": course.patient_id}) + "#next"
    )
    form = BookForm(request.POST)
    if not form.is_valid():
        messages.error(request, "That time could not be read: choose one of the times offered.")
        return redirect(back)
    data = form.cleaned_data
    practitioner = Practitioner.objects.filter(pk=data["practitioner"]).first()
    room = Room.objects.filter(pk=data["room"]).select_related("location").first()
    service = Service.objects.filter(pk=data["service"]).first()
    if practitioner is None or room is None or service is None:
        messages.error(request, "That time is no longer offered: choose another.")
        return redirect(back)
    try:
        appointment = services.next_session_book(
            course,
            practitioner=practitioner,
            room=room,
            service=service,
            start=data["start"],
            user=request.user,
        )
    except ServiceError as exc:
        messages.error(request, f"Not booked: {exc.message}")
        return redirect(back)
    messages.success(
        request,
        f"Booked {format_datetime(appointment.start, room.location.tz)} with {practitioner.name}.",
    )
    return redirect(back)


# ── The clinic report ────────────────────────────────────────────────────────────────


def _period(request) -> tuple[ReportPeriodForm, object, object, int]:
    today = timezone.localdate()
    start, end = today - timedelta(days=REPORT_DAYS), today
    if not request.GET:
        return ReportPeriodForm(initial={"start": start, "end": end}), start, end, 200
    form = ReportPeriodForm(request.GET)
    if form.is_valid():
        return form, form.cleaned_data["start"], form.cleaned_data["end"], 200
    return form, start, end, 400


@staff_view(*READ)
def report_page(request):
    form, start, end, status = _period(request)
    clinic = queries.default_clinic()
    result = None
    if clinic is not None:
        services.courses_catch_up(clinic)
        result = report.outcomes_report(clinic, start=start, end=end)
    return render(
        request,
        "outcomes/report.html",
        {
            "form": form,
            "report": result,
            "charts": report.report_charts(result) if result else [],
            "breakdowns": report.BREAKDOWNS,
            "csv_query": f"start={start.isoformat()}&end={end.isoformat()}",
            "nav": "outcomes",
        },
        status=status,
    )


@staff_view(*READ)
def report_csv(request):
    _, start, end, status = _period(request)
    if status != 200:
        return HttpResponse(
            "Give the period as start=YYYY-MM-DD&end=YYYY-MM-DD, the start first.\n",
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    clinic = queries.default_clinic()
    text = ""
    if clinic is not None:
        services.courses_catch_up(clinic)
        text = report.report_csv(report.outcomes_report(clinic, start=start, end=end))
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    name = f"outcomes-{start.isoformat()}-to-{end.isoformat()}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    audit.record(AuditAction.VIEW, object_type="outcomes.report", detail=f"CSV {name}")
    return response


@staff_view("outcomes.change_outcomespolicy")
def policy(request):
    clinic = queries.default_clinic()
    if clinic is None:
        raise Http404("No clinic yet.")
    current = queries.policy_for(clinic)
    form = PolicyForm(posted(request), instance=current)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
            try:
                services.policy_update(clinic, user=request.user, **fields)
            except ServiceError as exc:
                apply_service_error(form, exc)
                status = exc.status
            else:
                messages.success(request, "Planner settings saved; every course was re-read.")
                return redirect("outcomes_policy")
        else:
            status = 400
    return render(
        request, "outcomes/policy_form.html", {"form": form, "nav": "outcomes"}, status=status
    )
