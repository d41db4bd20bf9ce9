import re
from datetime import datetime, timedelta
from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from acuclinic.clinic.models import Room
from acuclinic.core.access import staff_view
from acuclinic.core.errors import ServiceError
from acuclinic.core.formats import format_date
from acuclinic.core.forms import apply_service_error
from acuclinic.people.models import Patient
from acuclinic.scheduling import queries, services, slots
from acuclinic.scheduling.choices import AppointmentStatus
from acuclinic.scheduling.forms import (
    BookingFinderForm,
    BookingForm,
    CancelForm,
    CourseCancelForm,
    MoveForm,
    StatusForm,
)
from acuclinic.scheduling.models import Appointment
from acuclinic.scheduling.signals import (
    BookingPreference,
    booking_preferences,
    patient_to_be_told,
)
from acuclinic.scheduling.views.changes import remember_cancel, remember_move
from acuclinic.scheduling.views.diary import diary_url, move_alternatives

# Service errors name "start"; on the forms the date and time are separate fields.
FIELD_ALIASES = {"start": "time", "end": "time"}
# A clash is about the time chosen (the alternatives offered are times), so that is the
# field its message sits on.
CLASH_CODES = {"practitioner_busy", "room_busy", "patient_busy", "slot_taken"}
# Up to 18 ASCII digits always fits the databases' 64-bit ids.
_ID = re.compile(r"[0-9]{1,18}")


def tell_patient(request, form, appointment, change: str, previous_start=None) -> None:
    """Announce the change for the patient's messages, by the ways left ticked."""
    by_email = form.cleaned_data.get("tell_by_email", False)
    by_text = form.cleaned_data.get("tell_by_text", False)
    if by_email or by_text:
        patient_to_be_told.send(
            sender=Appointment,
            appointment=appointment,
            change=change,
            by_email=by_email,
            by_text=by_text,
            previous_start=previous_start,
            link_for=request.build_absolute_uri,
            user=request.user,
        )


def _show_refusal(form, exc: ServiceError) -> None:
    if exc.field is None and exc.code in CLASH_CODES:
        form.add_error("time", exc.message)
    else:
        apply_service_error(form, exc, aliases=FIELD_ALIASES)


def _id(value: str | None) -> int | None:
    """A record id from the query string, or None for anything else ("abc", "²", 10**30)."""
    return int(value) if value and _ID.fullmatch(value) else None


def _offered(alternatives: list[dict], *, patient, service) -> list[dict]:
    """A clash's alternatives as the form shows them, each with a link that books it."""
    offered = []
    for alternative in alternatives:
        start = datetime.fromisoformat(alternative["start"])
        query = {
            "patient": patient.pk,
            "service": service.pk if service else "",
            "practitioner": alternative["practitioner"]["id"],
            "room": alternative["room"]["id"],
            "start": start.isoformat(),
        }
        offered.append(
            {
                "start": start,
                "practitioner": alternative["practitioner"]["name"],
                "room": alternative["room"]["name"],
                "url": reverse("appointment_new") + "?" + urlencode(query),
            }
        )
    return offered


def _booking_initial(request) -> dict:
    initial = {}
    for name in ("practitioner", "service", "room"):
        if _id(request.GET.get(name)) is not None:
            initial[name] = _id(request.GET[name])
    start = request.GET.get("start")
    if start:
        try:
            moment = datetime.fromisoformat(start)
        except ValueError:
            moment = None
        if moment is not None and timezone.is_aware(moment):
            local = timezone.localtime(moment)
            initial.update(date=local.date(), time=local.time().replace(second=0))
    location = _id(request.GET.get("location"))
    if location is not None and "room" not in initial:
        room = Room.objects.filter(location_id=location, is_active=True).first()
        if room:
            initial["room"] = room.pk
    return initial


@staff_view("scheduling.add_appointment")
def appointment_new(request):
    patient_id = _id(request.GET.get("patient") or request.POST.get("patient"))
    if patient_id is None:
        # Step one (works without JavaScript): choose the patient, then come back here
        # with everything already chosen in the diary kept in the query string.
        params = request.GET.copy()
        params.pop("patient", None)
        pick = reverse("appointment_new") + "?" + params.urlencode()
        return redirect(reverse("patient_list") + "?" + urlencode({"pick": pick}))
    patient = get_object_or_404(Patient, pk=patient_id)
    form = BookingForm(request.POST or None, initial=_booking_initial(request))
    finder, free_days = _free_times(request, patient)
    location = _id(request.GET.get("location")) or (
        finder.cleaned_data["location"].pk if free_days is not None else None
    )
    if location is not None:
        # The site chosen: its rooms only, not every site's.
        form.fields["room"].queryset = form.fields["room"].queryset.filter(location_id=location)
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
                extra_session=form.cleaned_data["extra_session"],
                user=request.user,
            )
        except ServiceError as exc:
            _show_refusal(form, exc)
            alternatives = _offered(
                exc.extra.get("alternatives", []),
                patient=patient,
                service=form.cleaned_data["service"],
            )
        else:
            tell_patient(request, form, appointment, "booked")
            messages.success(
                request,
                f"Booked {patient.full_name} with {appointment.practitioner} on "
                f"{timezone.localtime(appointment.start):%a %-d %b %Y, %H:%M}.",
            )
            local = appointment.start.astimezone(room.location.tz)
            return redirect(
                diary_url(date=local.date().isoformat(), location=room.location_id)
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
            "alternatives": alternatives,
            "finder": finder,
            "free_days": free_days,
        },
    )


FREE_TIMES_SHOWN = 60


def _free_times(request, patient):
    """The booking page's own search for free times (fields prefixed ``find-``): for the
    service, site and practitioner (or anyone) chosen, the parts of the day ticked, a
    week from the day chosen; grouped by day. (form, days or None before a search)."""
    bound = request.GET.get("find-service")
    initial = {"location": _id(request.GET.get("location"))}
    data = request.GET if bound else None
    preference = None if bound or request.method == "POST" else _preference(patient)
    if preference is not None and not request.GET.get("start"):
        # On the waitlist: the search starts from what the patient asked for, and runs.
        data = _preference_query(preference)
    finder = BookingFinderForm(data, prefix="find", initial=initial)
    finder.preference = preference
    # Labels of their own: the booking form below has its own Service and Practitioner.
    for name, label in (
        ("service", "Visit to look for"),
        ("location", "At"),
        ("practitioner", "With"),
        ("date", "Week from"),
    ):
        finder.fields[name].label = label
    if not (data is not None and finder.is_valid()):
        return finder, None
    data = finder.cleaned_data
    first_day = data["date"] or timezone.localdate()
    found = queries.find_slots(
        service=data["service"],
        location=data["location"],
        first_day=first_day,
        last_day=first_day + timedelta(days=6),
        practitioner=data["practitioner"],
        patient=patient,
        limit=300,
    )
    if data["when"]:
        found = [s for s in found if slots.part_of_day(s.start.timetz()) in data["when"]]
    tz = data["location"].tz
    found = [s for s in found if finder.suits(s.start.astimezone(tz), s.end.astimezone(tz))]
    days: dict = {}
    for slot in found[:FREE_TIMES_SHOWN]:
        query = urlencode(
            {
                "patient": patient.pk,
                "service": data["service"].pk,
                "practitioner": slot.practitioner.pk,
                "room": slot.room.pk,
                "location": data["location"].pk,
                "start": slot.start.isoformat(),
            }
        )
        days.setdefault(format_date(slot.start.date()), []).append(
            (slot, reverse("appointment_new") + "?" + query)
        )
    return finder, list(days.items())


def _preference(patient) -> BookingPreference | None:
    """The patient's own preference for a time, from whichever app keeps one."""
    for _receiver, answer in booking_preferences.send(sender=None, patient=patient):
        if answer is not None:
            return answer
    return None


def _preference_query(preference: BookingPreference) -> QueryDict:
    query = QueryDict(mutable=True)
    query["find-service"] = str(preference.service_id)
    query["find-location"] = str(preference.location_id)
    if preference.practitioner_id:
        query["find-practitioner"] = str(preference.practitioner_id)
    query.setlist("find-weekdays", [str(d) for d in preference.weekdays])
    query["find-earliest"] = f"{preference.earliest:%H:%M}"
    query["find-latest"] = f"{preference.latest:%H:%M}"
    return query


def _appointment_or_404(pk):
    try:
        return Appointment.objects.for_diary().get(pk=pk)
    except Appointment.DoesNotExist as exc:
        raise Http404 from exc


def _detail_context(appointment: Appointment, **forms) -> dict:
    local = appointment.start.astimezone(appointment.room.location.tz)
    initial = {
        "date": local.date(),
        "time": local.time(),
        "practitioner": appointment.practitioner_id,
        "room": appointment.room_id,
    }
    sessions = []
    if appointment.series_id is not None:
        sessions = list(
            appointment.series.appointments.for_diary().order_by("series_index", "start")
        )
    return {
        "appointment": appointment,
        "move_form": forms.get("move_form") or MoveForm(initial=initial),
        "cancel_form": forms.get("cancel_form") or CancelForm(auto_id="id_cancel_%s"),
        # The same fields again for the rest of the course: ids of their own, so a label
        # never ticks the other form's radio button.
        "cancel_rest_form": CourseCancelForm(auto_id="id_rest_%s"),
        "status_form": StatusForm(),
        "sessions": sessions,
        "later_sessions": [
            s
            for s in sessions
            if s.start > appointment.start and s.status == AppointmentStatus.BOOKED
        ],
        "nav": "diary",
    }


@staff_view("scheduling.view_appointment")
def appointment_detail(request, pk: int):
    appointment = _appointment_or_404(pk)
    return render(request, "scheduling/appointment_detail.html", _detail_context(appointment))


def _move_initial(request, appointment: Appointment) -> dict:
    """The move form's starting values: where the appointment is now, or the free time
    picked in the diary (``date``, ``time``, ``practitioner``, ``room`` in the query
    string; any that do not make sense are left as they are)."""
    local = appointment.start.astimezone(appointment.room.location.tz)
    initial = {
        "date": local.date(),
        "time": local.time(),
        "practitioner": appointment.practitioner_id,
        "room": appointment.room_id,
    }
    picked = MoveForm(request.GET)
    picked.is_valid()
    found = getattr(picked, "cleaned_data", {})
    for name in ("date", "time"):
        if found.get(name) is not None:
            initial[name] = found[name]
    for name in ("practitioner", "room"):
        if found.get(name) is not None:
            initial[name] = found[name].pk
    return initial


@staff_view("scheduling.change_appointment")
def appointment_move(request, pk: int):
    appointment = _appointment_or_404(pk)
    if request.method == "POST":
        form = MoveForm(request.POST)
    else:
        form = MoveForm(initial=_move_initial(request, appointment))
    alternatives = []
    if request.method == "POST" and form.is_valid():
        room = form.cleaned_data["room"]
        try:
            moved = services.appointment_move(
                appointment,
                start=form.start_in(room.location.tz),
                practitioner=form.cleaned_data["practitioner"],
                room=room,
                extra_session=form.cleaned_data["extra_session"],
            )
        except ServiceError as exc:
            _show_refusal(form, exc)
            alternatives = move_alternatives(appointment, exc.extra.get("alternatives", []))
        else:
            remember_move(request, appointment)
            tell_patient(request, form, moved, "moved", previous_start=appointment.start)
            messages.success(request, "Appointment moved.")
            local = moved.start.astimezone(room.location.tz)
            return redirect(
                diary_url(date=local.date().isoformat(), location=room.location_id)
                + f"#appt-{moved.pk}"
            )
    local = appointment.start.astimezone(appointment.room.location.tz)
    return render(
        request,
        "scheduling/diary_move.html",
        {
            "appointment": appointment,
            "move_form": form,
            "alternatives": alternatives,
            "movable": appointment.status == AppointmentStatus.BOOKED,
            "pick_url": diary_url(
                date=local.date().isoformat(),
                location=appointment.room.location_id,
                moving=appointment.pk,
            ),
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
    if not form.is_valid():
        messages.error(
            request,
            "Keep the reason to 200 characters."
            if "reason" in form.errors
            else "Say who cancelled: the patient or the clinic.",
        )
    else:
        try:
            cancelled = services.appointment_cancel(
                appointment,
                reason=form.cleaned_data["reason"],
                cancelled_by=form.cleaned_data["by"],
            )
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            remember_cancel(request, cancelled)
            tell_patient(request, form, cancelled, "cancelled")
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
