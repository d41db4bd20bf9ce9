"""Moving and cancelling deliberately: a confirmation page that names the patient and
both times and offers to tell the patient (ticked), then the change, then an undo for a
few minutes (itself checked against clashes).

The move and cancel forms (and a card dropped in the diary) lead here with GET; the
confirmation posts to the move or cancel action, which does the change and keeps what
is needed to undo it in the session.
"""

from datetime import datetime, timedelta

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from acuclinic.clinic.models import Room
from acuclinic.core.access import staff_view
from acuclinic.core.errors import ServiceError
from acuclinic.core.formats import format_datetime
from acuclinic.notifications.choices import MessageStatus
from acuclinic.people.models import Practitioner
from acuclinic.scheduling import services
from acuclinic.scheduling.choices import AppointmentStatus, CancelledBy
from acuclinic.scheduling.diary.moves import room_for_drop
from acuclinic.scheduling.forms import CancelForm, DropForm, MoveForm, TellPatient
from acuclinic.scheduling.models import Appointment
from acuclinic.scheduling.signals import patient_to_be_told

UNDO_KEY = "scheduling_undo"


def _appointment_or_404(pk: int) -> Appointment:
    try:
        return Appointment.objects.for_diary().get(pk=pk)
    except Appointment.DoesNotExist as exc:
        raise Http404 from exc


def _when(appointment_start, tz) -> str:
    return format_datetime(appointment_start, tz)


def _move_target(request, appointment: Appointment):
    """The move asked for: the move form's fields, or a card dropped on a free time
    (start, location, and the column's practitioner or room). (form, target or None)."""
    if "start" in request.GET and "date" not in request.GET:
        drop = DropForm(request.GET)
        if not drop.is_valid():
            return drop, None
        data = drop.cleaned_data
        practitioner = data["practitioner"] or appointment.practitioner
        room = data["room"] or room_for_drop(
            appointment, start=data["start"], location=data["location"], practitioner=practitioner
        )
        return drop, {
            "start": data["start"],
            "practitioner": practitioner,
            "room": room,
            "extra_session": False,
        }
    form = MoveForm(request.GET)
    if not form.is_valid():
        return form, None
    room = form.cleaned_data["room"]
    return form, {
        "start": form.start_in(room.location.tz),
        "practitioner": form.cleaned_data["practitioner"],
        "room": room,
        "extra_session": form.cleaned_data["extra_session"],
    }


@staff_view("scheduling.change_appointment")
@require_GET
def appointment_move_confirm(request, pk: int):
    appointment = _appointment_or_404(pk)
    if appointment.status != AppointmentStatus.BOOKED:
        messages.error(request, "Only a booked appointment can be moved.")
        return redirect("appointment_detail", pk=pk)
    form, target = _move_target(request, appointment)
    if target is None:
        messages.error(request, " ".join(str(e) for es in form.errors.values() for e in es))
        return redirect("appointment_move", pk=pk)
    tz = target["room"].location.tz
    local = target["start"].astimezone(tz)
    return render(
        request,
        "scheduling/confirm_change.html",
        {
            "appointment": appointment,
            "change": "move",
            "was": _when(appointment.start, appointment.room.location.tz),
            "becomes": _when(target["start"], tz),
            "target": target,
            "fields": {
                "date": local.date().isoformat(),
                "time": local.strftime("%H:%M"),
                "practitioner": target["practitioner"].pk,
                "room": target["room"].pk,
                "extra_session": "on" if target["extra_session"] else "",
            },
            "action": "appointment_move",
            "tell_form": TellPatient(),
            "nav": "diary",
        },
    )


@staff_view("scheduling.change_appointment")
@require_GET
def appointment_cancel_confirm(request, pk: int):
    appointment = _appointment_or_404(pk)
    form = CancelForm(request.GET)
    if appointment.status != AppointmentStatus.BOOKED or not form.is_valid():
        messages.error(request, "Only a booked appointment can be cancelled, with a short reason.")
        return redirect("appointment_detail", pk=pk)
    by = form.cleaned_data["by"]
    late = by == CancelledBy.PATIENT and services.is_late(appointment, now=timezone.now())
    return render(
        request,
        "scheduling/confirm_change.html",
        {
            "appointment": appointment,
            "change": "cancel",
            "was": _when(appointment.start, appointment.room.location.tz),
            "by_clinic": by == CancelledBy.CLINIC,
            "late": late,
            "fields": {"reason": form.cleaned_data["reason"], "by": by},
            "action": "appointment_cancel",
            "tell_form": TellPatient(),
            "nav": "diary",
        },
    )


# Undo ----------------------------------------------------------------------------------


def remember_move(request, appointment: Appointment) -> None:
    """Keep where ``appointment`` was (called before the move) for the undo."""
    request.session[UNDO_KEY] = {
        "kind": "move",
        "appointment": appointment.pk,
        "start": appointment.start.isoformat(),
        "practitioner": appointment.practitioner_id,
        "room": appointment.room_id,
        "extra_session": appointment.extra_session,
        "at": timezone.now().isoformat(),
        "who": appointment.patient.full_name,
    }


def remember_cancel(request, appointment: Appointment) -> None:
    request.session[UNDO_KEY] = {
        "kind": "cancel",
        "appointment": appointment.pk,
        "at": timezone.now().isoformat(),
        "who": appointment.patient.full_name,
    }


def undo_offer(request) -> dict | None:
    """The change this user can still undo, or None."""
    kept = request.session.get(UNDO_KEY)
    if not kept:
        return None
    if timezone.now() - datetime.fromisoformat(kept["at"]) > services.UNDO_WINDOW:
        return None
    return kept


@staff_view("scheduling.change_appointment")
@require_POST
def appointment_undo(request, pk: int):
    kept = undo_offer(request)
    if kept is None or kept["appointment"] != pk:
        messages.error(request, "There is nothing left to undo for this appointment.")
        return redirect("appointment_detail", pk=pk)
    appointment = _appointment_or_404(pk)
    try:
        if kept["kind"] == "move":
            previous_start = appointment.start
            restored = services.appointment_move(
                appointment,
                start=datetime.fromisoformat(kept["start"]),
                practitioner=Practitioner.objects.get(pk=kept["practitioner"]),
                room=Room.objects.get(pk=kept["room"]),
                extra_session=kept["extra_session"],
            )
            change = "moved"
        else:
            previous_start = None
            restored = services.appointment_cancel_undo(appointment)
            change = "booked"
    except ServiceError as exc:
        messages.error(request, f"Not undone: {exc.message}")
        return redirect("appointment_detail", pk=pk)
    request.session.pop(UNDO_KEY, None)
    # Messages about the change not yet sent are dropped by the outbox's own check; one
    # already sent is put right by telling the patient again where the visit is.
    if _patient_was_told(appointment, since=datetime.fromisoformat(kept["at"])):
        patient_to_be_told.send(
            sender=Appointment,
            appointment=restored,
            change=change,
            by_email=True,
            by_text=True,
            previous_start=previous_start,
            link_for=request.build_absolute_uri,
            user=request.user,
        )
    messages.success(
        request,
        f"Undone: {restored.patient.full_name} is booked on "
        f"{_when(restored.start, restored.room.location.tz)}.",
    )
    return redirect("appointment_detail", pk=pk)


def _patient_was_told(appointment: Appointment, *, since: datetime) -> bool:
    """A message about the change already went out (not merely queued)."""
    return appointment.messages.filter(
        status=MessageStatus.SENT, created_at__gte=since - timedelta(seconds=5)
    ).exists()
