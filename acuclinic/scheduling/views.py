from datetime import datetime, time, timedelta
from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from acuclinic.clinic.models import Location
from acuclinic.core.access import staff_view
from acuclinic.core.errors import ServiceError
from acuclinic.core.forms import apply_service_error
from acuclinic.people.models import Patient, Practitioner
from acuclinic.scheduling import services
from acuclinic.scheduling.choices import AppointmentStatus
from acuclinic.scheduling.diary import Column, build_grid
from acuclinic.scheduling.forms import BookingForm, CancelForm, DiaryFilter, MoveForm, StatusForm
from acuclinic.scheduling.models import Appointment

# Service errors name "start"; on the forms the date and time are separate fields.
FIELD_ALIASES = {"start": "time", "end": "time"}


def _diary_url(**params) -> str:
    return reverse("diary") + "?" + urlencode({k: v for k, v in params.items() if v})


@staff_view("scheduling.view_appointment")
def diary(request):
    form = DiaryFilter(request.GET)
    form.is_valid()  # bad values fall back to defaults below, never an error page
    data = getattr(form, "cleaned_data", {})
    locations = list(Location.objects.filter(is_active=True).prefetch_related("opening_hours"))
    if not locations:
        return render(request, "scheduling/diary.html", {"nav": "diary", "no_locations": True})
    location = next((loc for loc in locations if loc.pk == data.get("location")), locations[0])
    tz = location.tz
    day = data.get("date") or timezone.localdate()
    view = data.get("view") or "day"
    practitioners = list(Practitioner.objects.filter(is_active=True).select_related("user"))
    chosen = next((p for p in practitioners if p.pk == data.get("practitioner")), None)

    if view == "week":
        monday = day - timedelta(days=day.weekday())
        days = [monday + timedelta(days=i) for i in range(7)]
        columns = [Column(label=f"{d:%a} {d.day} {d:%b}", day=d, practitioner=chosen) for d in days]
    else:
        days = [day]
        shown = [chosen] if chosen else practitioners
        columns = [Column(label=p.name, day=day, practitioner=p) for p in shown]

    range_start = timezone.make_aware(datetime.combine(days[0], time.min), tz)
    range_end = timezone.make_aware(datetime.combine(days[-1] + timedelta(days=1), time.min), tz)
    appointments = (
        Appointment.objects.for_diary()
        .filter(room__location=location, start__lt=range_end, end__gt=range_start)
        .exclude(status__in=[AppointmentStatus.CANCELLED, AppointmentStatus.LATE_CANCELLED])
    )
    if chosen:
        appointments = appointments.filter(practitioner=chosen)
    appointments = list(appointments)

    def belongs(appt, column):
        same_day = appt.start.astimezone(tz).date() == column.day
        return same_day and (
            column.practitioner is None or appt.practitioner_id == column.practitioner.pk
        )

    opening = {}
    for h in location.opening_hours.all():
        opening.setdefault(h.weekday, []).append((h.opens, h.closes))
    grid = build_grid(
        columns=columns,
        appointments_by_column=[[a for a in appointments if belongs(a, c)] for c in columns],
        opening=opening,
        tz=tz,
        now=timezone.now(),
    )
    step = timedelta(days=7 if view == "week" else 1)
    common = {"view": view, "location": location.pk, "practitioner": chosen.pk if chosen else ""}
    return render(
        request,
        "scheduling/diary.html",
        {
            "nav": "diary",
            "grid": grid,
            "day": day,
            "days": days,
            "view": view,
            "location": location,
            "locations": locations,
            "practitioners": practitioners,
            "chosen": chosen,
            "count": len(appointments),
            "prev_url": _diary_url(date=(day - step).isoformat(), **common),
            "next_url": _diary_url(date=(day + step).isoformat(), **common),
            "today_url": _diary_url(**common),
            "day_url": _diary_url(date=day.isoformat(), **{**common, "view": "day"}),
            "week_url": _diary_url(date=day.isoformat(), **{**common, "view": "week"}),
            "can_book": request.user.has_perm("scheduling.add_appointment"),
        },
    )


def _booking_initial(request) -> dict:
    initial = {}
    for name in ("practitioner", "service", "room"):
        if request.GET.get(name, "").isdigit():
            initial[name] = int(request.GET[name])
    start = request.GET.get("start")
    if start:
        try:
            moment = datetime.fromisoformat(start)
        except ValueError:
            moment = None
        if moment is not None and timezone.is_aware(moment):
            local = timezone.localtime(moment)
            initial.update(date=local.date(), time=local.time().replace(second=0))
    if "location" in request.GET and "room" not in initial:
        from acuclinic.clinic.models import Room

        room = Room.objects.filter(location_id=request.GET.get("location"), is_active=True).first()
        if room:
            initial["room"] = room.pk
    return initial


@staff_view("scheduling.add_appointment")
def appointment_new(request):
    patient_id = request.GET.get("patient") or request.POST.get("patient")
    if not (patient_id and patient_id.isdigit()):
        # Step one (works without JavaScript): choose the patient, then come back here
        # with everything already chosen in the diary kept in the query string.
        params = request.GET.copy()
        params.pop("patient", None)
        pick = reverse("appointment_new") + "?" + params.urlencode()
        return redirect(reverse("patient_list") + "?" + urlencode({"pick": pick}))
    patient = get_object_or_404(Patient, pk=patient_id)
    form = BookingForm(request.POST or None, initial=_booking_initial(request))
    if request.method == "POST" and form.is_valid():
        room = form.cleaned_data["room"]
        try:
            appointment = services.appointment_book(
                patient=patient,
                practitioner=form.cleaned_data["practitioner"],
                room=room,
                service=form.cleaned_data["service"],
                start=form.start_in(room.location.tz),
                channel=form.cleaned_data["channel"],
                notes=form.cleaned_data["notes"],
                user=request.user,
            )
        except ServiceError as exc:
            apply_service_error(form, exc, aliases=FIELD_ALIASES)
            alternatives = exc.extra.get("alternatives", [])
        else:
            messages.success(
                request,
                f"Booked {patient.full_name} with {appointment.practitioner} on "
                f"{timezone.localtime(appointment.start):%a %-d %b %Y, %H:%M}.",
            )
            local = appointment.start.astimezone(room.location.tz)
            return redirect(
                _diary_url(date=local.date().isoformat(), location=room.location_id)
                + f"#appt-{appointment.pk}"
            )
    else:
        alternatives = []
    return render(
        request,
        "scheduling/appointment_form.html",
        {
            "form": form,
            "patient": patient,
            "nav": "diary",
            "alternatives": [datetime.fromisoformat(a) for a in alternatives],
        },
    )


def _appointment_or_404(pk):
    try:
        return Appointment.objects.for_diary().get(pk=pk)
    except Appointment.DoesNotExist as exc:
        raise Http404 from exc


@staff_view("scheduling.view_appointment")
def appointment_detail(request, pk: int):
    appointment = _appointment_or_404(pk)
    local = appointment.start.astimezone(appointment.room.location.tz)
    move_form = MoveForm(
        initial={
            "date": local.date(),
            "time": local.time(),
            "practitioner": appointment.practitioner_id,
            "room": appointment.room_id,
        }
    )
    return render(
        request,
        "scheduling/appointment_detail.html",
        {
            "appointment": appointment,
            "move_form": move_form,
            "cancel_form": CancelForm(),
            "status_form": StatusForm(),
            "nav": "diary",
        },
    )


@staff_view("scheduling.change_appointment")
def appointment_move(request, pk: int):
    appointment = _appointment_or_404(pk)
    form = MoveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        room = form.cleaned_data["room"]
        try:
            moved = services.appointment_move(
                appointment,
                start=form.start_in(room.location.tz),
                practitioner=form.cleaned_data["practitioner"],
                room=room,
            )
        except ServiceError as exc:
            apply_service_error(form, exc, aliases=FIELD_ALIASES)
        else:
            messages.success(request, "Appointment moved.")
            local = moved.start.astimezone(room.location.tz)
            return redirect(
                _diary_url(date=local.date().isoformat(), location=room.location_id)
                + f"#appt-{moved.pk}"
            )
    return render(
        request,
        "scheduling/appointment_detail.html",
        {
            "appointment": appointment,
            "move_form": form,
            "cancel_form": CancelForm(),
            "status_form": StatusForm(),
            "nav": "diary",
        },
        status=400 if request.method == "POST" else 200,
    )


@staff_view("scheduling.change_appointment")
def appointment_cancel(request, pk: int):
    appointment = _appointment_or_404(pk)
    if request.method != "POST":
        return redirect("appointment_detail", pk=pk)
    form = CancelForm(request.POST)
    if form.is_valid():
        try:
            cancelled = services.appointment_cancel(appointment, reason=form.cleaned_data["reason"])
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                "Cancelled late (inside the notice period)."
                if cancelled.status == AppointmentStatus.LATE_CANCELLED
                else "Appointment cancelled.",
            )
    return redirect("appointment_detail", pk=pk)


@staff_view("scheduling.change_appointment")
def appointment_status(request, pk: int):
    appointment = _appointment_or_404(pk)
    if request.method != "POST":
        return redirect("appointment_detail", pk=pk)
    form = StatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a status.")
    else:
        try:
            services.appointment_set_status(appointment, status=form.cleaned_data["status"])
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "Status updated.")
    return redirect("appointment_detail", pk=pk)
