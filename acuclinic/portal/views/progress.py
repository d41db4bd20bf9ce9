"""The patient's own progress in the portal: their chart, their pain diary and the
questionnaires they can complete themselves. Every page reads through
``request.patient`` (portal.access.patient_view): a patient sees only their own data."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone

from acuclinic.core.errors import ServiceError
from acuclinic.core.forms import apply_service_error
from acuclinic.outcomes import catalogue, presenting, queries, services
from acuclinic.outcomes.catalogue import PAIN
from acuclinic.outcomes.choices import Timepoint
from acuclinic.outcomes.forms import DiaryForm, PatientMeasureForm, posted
from acuclinic.outcomes.models import Measurement
from acuclinic.portal.access import patient_view

DIARY_SHOWN = 20


def _page(request, template: str, context: dict, *, status: int = 200):
    base = {"clinic": queries.default_clinic(), "patient": request.patient, "nav": "progress"}
    return render(request, template, {**base, **context}, status=status)


def _diary(patient) -> list[Measurement]:
    return list(
        Measurement.objects.filter(
            patient=patient, measure=PAIN, timepoint=Timepoint.DIARY
        ).order_by("-taken_on", "-id")[:DIARY_SHOWN]
    )


@patient_view
def progress(request):
    patient, today = request.patient, timezone.localdate()
    # A session signed through the API (or while no page looked) may not be read yet.
    services.course_refresh(patient, today=today)
    views = queries.course_views(patient, today=today)
    latest = views[-1] if views else None
    blocks = presenting.chart_blocks(latest, today=today, prefix="mine") if latest else []
    due = [d for d in queries.due_for(patient, today=today, views=views)]
    return _page(
        request,
        "portal/progress/progress.html",
        {
            "latest": latest,
            "blocks": blocks,
            "mine": [d for d in due if d.measure.patient_can_complete],
            "at_clinic": any(not d.measure.patient_can_complete for d in due),
            "diary": _diary(patient),
        },
    )


@patient_view
def diary(request):
    form = DiaryForm(posted(request))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.diary_entry_record(
                    request.patient,
                    pain=form.cleaned_data["pain"],
                    taken_on=form.cleaned_data["taken_on"],
                    note=form.cleaned_data["note"],
                )
            except ServiceError as exc:
                apply_service_error(form, exc)
                status = exc.status
            else:
                messages.success(request, "Added to your pain diary. Thank you.")
                return redirect("portal_progress")
        else:
            status = 400
    return _page(
        request,
        "portal/progress/diary.html",
        {"form": form, "diary": _diary(request.patient)},
        status=status,
    )


@patient_view
def measure(request, code: str):
    definition = catalogue.current().measure(code)
    if definition is None or not definition.patient_can_complete or code == PAIN:
        return _page(request, "portal/progress/not_found.html", {}, status=404)
    form = PatientMeasureForm(posted(request), measure=definition)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.patient_measure_record(
                    request.patient, measure=definition.code, answers=form.cleaned_data["answers"]
                )
            except ServiceError as exc:
                apply_service_error(form, exc)
                status = exc.status
            else:
                messages.success(request, "Thank you: your answers are with your practitioner.")
                return redirect("portal_progress")
        else:
            status = 400
    return _page(
        request,
        "portal/progress/measure.html",
        {"form": form, "measure": definition},
        status=status,
    )
