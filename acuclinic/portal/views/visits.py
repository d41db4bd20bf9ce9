"""The patient's own pages: appointments (cancel, move), the health questionnaire when it
is due, aftercare advice. Every page reads through ``request.patient``: another
patient's appointment id is answered exactly as a missing one (404)."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from acuclinic.billing import online
from acuclinic.billing.models import CourseBlock, PrepaidCourse
from acuclinic.core.errors import ServiceError
from acuclinic.portal import queries, services
from acuclinic.portal.access import patient_view, session_patient
from acuclinic.portal.forms import CancelForm, FromDayForm, MoveForm
from acuclinic.scheduling.choices import AppointmentStatus


def _page(request, template: str, extra: dict | None = None, *, status: int = 200):
    patient = getattr(request, "patient", None)
    context = {"clinic": queries.clinic(), "patient": patient}
    return render(request, template, {**context, **(extra or {})}, status=status)


def _not_found(request):
    return _page(request, "portal/not_found.html", status=404)


@patient_view
def home(request):
    now = timezone.now()
    visits = queries.upcoming_visits(request.patient, now=now)
    due = queries.questionnaire_due(
        request.patient, today=timezone.localdate(), next_visit=visits[0] if visits else None
    )
    return _page(
        request,
        "portal/home.html",
        {
            "visits": visits,
            "questionnaire_due": due,
            # Their prepaid courses still open: "3 of 6 used".
            "prepaid": PrepaidCourse.objects.filter(
                patient=request.patient,
                closed_at__isnull=True,
                expires_on__gte=timezone.localdate(),
            ).select_related("block"),
            # Courses on sale online, when online payment is set up.
            "on_sale": CourseBlock.objects.filter(is_active=True, bookable_online=True)
            if online.provider() is not None
            else [],
            "bought": request.GET.get("bought") == "1",
            "nav": "home",
        },
    )


@patient_view
def appointment_cancel(request, pk: int):
    appointment = queries.own_appointment(request.patient, pk)
    if appointment is None:
        return _not_found(request)
    now = timezone.now()
    # Bound on every POST: an empty one (no reason given) is still a request to cancel.
    form = CancelForm(request.POST if request.method == "POST" else None)
    error, status = "", 200
    if request.method == "POST" and form.is_valid():
        try:
            cancelled = services.appointment_cancel_by_patient(
                appointment,
                patient=request.patient,
                reason=form.cleaned_data["reason"],
                warned_late=form.cleaned_data["warned_late"],
                now=now,
            )
        except ServiceError as exc:
            error, status = exc.message, exc.status
        else:
            visit = queries.visit(cancelled, now=now)
            text = f"Your appointment on {visit.when} is cancelled."
            if cancelled.status == AppointmentStatus.LATE_CANCELLED:
                text += (
                    f" It was a late cancellation (less than {visit.notice_hours} hours' notice)."
                )
            messages.success(request, text)
            return redirect("portal_home")
    elif request.method == "POST":
        status = 422
    return _page(
        request,
        "portal/cancel.html",
        {
            "visit": queries.visit(appointment, now=now),
            "refusal": services.why_not_cancellable(appointment, now=now),
            "form": form,
            "error": error,
        },
        status=status,
    )


@patient_view
def appointment_move(request, pk: int):
    appointment = queries.own_appointment(request.patient, pk)
    if appointment is None:
        return _not_found(request)
    now = timezone.now()
    error, status = "", 200
    if request.method == "POST":
        form = MoveForm(request.POST)
        if form.is_valid():
            try:
                moved = services.appointment_move_by_patient(
                    appointment, patient=request.patient, start=form.cleaned_data["start"], now=now
                )
            except ServiceError as exc:
                error, status = exc.message, exc.status
            else:
                visit = queries.visit(moved, now=now)
                messages.success(
                    request,
                    f"Moved: your appointment is now on {visit.when} with {visit.with_whom}.",
                )
                return redirect("portal_home")
        else:
            error, status = form.errors["start"][0], 422
    refusal = services.why_not_movable(appointment, now=now)
    from_form = FromDayForm(request.GET or None)
    options = None
    if not refusal:
        start_from = from_form.cleaned_data["start_from"] if from_form.is_valid() else None
        options = queries.move_options(appointment, start_from=start_from, now=now)
    return _page(
        request,
        "portal/move.html",
        {
            "visit": queries.visit(appointment, now=now),
            "refusal": refusal,
            "options": options,
            "from_form": from_form,
            "error": error,
        },
        status=status,
    )


@patient_view
@require_POST
def questionnaire(request):
    token = services.questionnaire_start(request.patient)
    return redirect("safety_public_questionnaire", token=token)


@never_cache
def aftercare(request):
    # General advice, open to anyone (it is linked from emails and the questionnaire);
    # a signed-in patient sees the portal's menu around it.
    request.patient = session_patient(request)
    return _page(request, "portal/aftercare.html", {"nav": "aftercare"})


@require_POST
@patient_view
def buy_course(request, pk: int):
    """Buy a prepaid course online: off to the payment provider's page; the course is
    the patient's once the payment completes (billing.online)."""
    chosen = online.provider()
    block = CourseBlock.objects.filter(pk=pk, is_active=True, bookable_online=True).first()
    if chosen is None or block is None:
        messages.error(request, "Courses cannot be bought online just now.")
        return redirect("portal_home")
    home = request.build_absolute_uri(reverse("portal_home"))
    try:
        started = online.start_course(
            request.patient, block, chosen, success_url=home + "?bought=1", cancel_url=home
        )
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect("portal_home")
    return redirect(started.url)
