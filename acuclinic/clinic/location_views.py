"""The clinic's locations in the browser (clinic admins): each site's name, address and
phone, its week of opening hours, and its rooms (add, rename, retire; delete only one
added by mistake). Thin: parse, call clinic.locations, render."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from acuclinic.clinic import locations
from acuclinic.clinic.location_forms import LocationForm, OpeningHoursForm, RoomForm
from acuclinic.clinic.models import Clinic, Location, Room
from acuclinic.core.access import staff_view
from acuclinic.core.errors import ServiceError
from acuclinic.core.forms import apply_service_error

NAV = "clinic_setup"


def _the_clinic() -> Clinic:
    return get_object_or_404(Clinic.objects.order_by("pk")[:1])


@staff_view("clinic.change_location")
def location_list(request):
    rows = Location.objects.prefetch_related("opening_hours", "rooms").order_by(
        "-is_active", "name"
    )
    week = {loc.pk: locations.describe_week(_periods(loc)) for loc in rows}
    return render(
        request,
        "clinic/locations.html",
        {"locations": [(loc, week[loc.pk]) for loc in rows], "nav": NAV},
    )


def _periods(location):
    return [(h.weekday, h.opens, h.closes) for h in location.opening_hours.all()]


@staff_view("clinic.change_location", "clinic.add_location")
def location_edit(request, pk: int | None = None):
    location = get_object_or_404(Location, pk=pk) if pk is not None else None
    initial = LocationForm.initial_for(location) if location else None
    form = LocationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = locations.location_save(
                location, clinic=_the_clinic(), user=request.user, **form.cleaned_data
            )
        except ServiceError as exc:
            apply_service_error(form, exc)
        else:
            if location is None:
                messages.success(
                    request, f"Added {saved.name}. Now set its opening hours and add its rooms."
                )
            else:
                messages.success(request, f"Saved {saved.name}.")
            return redirect("location_edit", pk=saved.pk)
    context = {"form": form, "location": location, "nav": NAV}
    if location is not None:
        context["week"] = locations.describe_week(_periods(location))
        context["rooms"] = _rooms(location)
        context["room_form"] = RoomForm(prefix="room")
    return render(
        request,
        "clinic/location_form.html",
        context,
        status=400 if request.method == "POST" else 200,
    )


def _rooms(location):
    return list(location.rooms.order_by("-is_active", "name"))


@staff_view("clinic.change_location")
def location_hours(request, pk: int):
    location = get_object_or_404(Location, pk=pk)
    form = OpeningHoursForm(request.POST or None, initial=OpeningHoursForm.initial_for(location))
    if request.method == "POST" and form.is_valid():
        try:
            locations.opening_hours_set(location, form.cleaned_data["periods"], user=request.user)
        except ServiceError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, f"Opening hours of {location.name} saved.")
            return redirect("location_edit", pk=location.pk)
    return render(
        request,
        "clinic/location_hours.html",
        {"form": form, "location": location, "nav": NAV},
        status=400 if request.method == "POST" else 200,
    )


@staff_view("clinic.change_location", "clinic.add_room")
@require_POST
def room_add(request, pk: int):
    location = get_object_or_404(Location, pk=pk)
    room_form = RoomForm(request.POST, prefix="room")
    if room_form.is_valid():
        try:
            room = locations.room_save(
                None, location=location, user=request.user, **room_form.cleaned_data
            )
        except ServiceError as exc:
            apply_service_error(room_form, exc)
        else:
            messages.success(request, f"Added {room.name} at {location.name}.")
            return redirect("location_edit", pk=location.pk)
    return render(
        request,
        "clinic/location_form.html",
        {
            "form": LocationForm(initial=LocationForm.initial_for(location)),
            "location": location,
            "week": locations.describe_week(_periods(location)),
            "rooms": _rooms(location),
            "room_form": room_form,
            "nav": NAV,
        },
        status=400,
    )


@staff_view("clinic.change_location", "clinic.change_room")
def room_edit(request, pk: int):
    room = get_object_or_404(Room.objects.select_related("location"), pk=pk)
    form = RoomForm(request.POST or None, initial={"name": room.name, "has_couch": room.has_couch})
    if request.method == "POST" and form.is_valid():
        try:
            locations.room_save(room, user=request.user, **form.cleaned_data)
        except ServiceError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, f"Saved {form.cleaned_data['name']}.")
            return redirect("location_edit", pk=room.location_id)
    return render(
        request,
        "clinic/room_form.html",
        {"form": form, "room": room, "nav": NAV},
        status=400 if request.method == "POST" else 200,
    )


@staff_view("clinic.change_location", "clinic.change_room")
@require_POST
def room_retire(request, pk: int):
    room = get_object_or_404(Room.objects.select_related("location"), pk=pk)
    retire = request.POST.get("retire") != "0"
    locations.room_save(room, user=request.user, is_active=not retire)
    if retire:
        messages.success(
            request,
            f"{room.name} is retired: it is no longer offered for new bookings; visits "
            "already booked in it stay.",
        )
    else:
        messages.success(request, f"{room.name} is back in use.")
    return redirect("location_edit", pk=room.location_id)


@staff_view("clinic.change_location", "clinic.delete_room")
@require_POST
def room_delete(request, pk: int):
    room = get_object_or_404(Room.objects.select_related("location"), pk=pk)
    try:
        locations.room_delete(room, user=request.user)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Deleted {room.name}.")
    return redirect("location_edit", pk=room.location_id)
