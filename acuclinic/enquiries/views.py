"""Reception's enquiry inbox: the list, entering a call or an email, handling one, and
booking from it (choose or create the patient, pick a free time, book: the enquiry is
marked booked with the appointment). The new records online bookings made, which
reception checks from the inbox, are the public booking app's (online_booking.views.checks)."""

import re
from datetime import timedelta
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from acuclinic.core.access import staff_view
from acuclinic.core.errors import ServiceError
from acuclinic.core.formats import format_date, format_datetime
from acuclinic.core.forms import apply_service_error
from acuclinic.enquiries import services as enquiries
from acuclinic.enquiries.choices import EnquiryStatus
from acuclinic.enquiries.forms import (
    BookSlotForm,
    EnquiryFilter,
    EnquiryUpdateForm,
    FreeTimeSearch,
    StaffEnquiryForm,
)
from acuclinic.enquiries.models import Enquiry
from acuclinic.people.forms import PatientForm
from acuclinic.people.models import Patient
from acuclinic.people.queries import search_patients
from acuclinic.scheduling import queries, slots

VIEW, CHANGE = "enquiries.view_enquiry", "enquiries.change_enquiry"
PER_PAGE = 50
OPEN = (EnquiryStatus.NEW, EnquiryStatus.REPLIED)
# Up to 18 ASCII digits always fits the databases' 64-bit ids.
_ID = re.compile(r"[0-9]{1,18}")


def _enquiry_or_404(pk: int) -> Enquiry:
    return get_object_or_404(
        Enquiry.objects.select_related("patient", "appointment", "handled_by"), pk=pk
    )


@staff_view(VIEW)
def enquiry_list(request):
    params = request.GET.copy()
    params.setdefault("status", "open")
    form = EnquiryFilter(params)
    # Unknown filter values fall back to the open enquiries, never an error page.
    data = form.cleaned_data if form.is_valid() else {"status": "open", "channel": ""}
    status, channel = data["status"], data["channel"]
    found = Enquiry.objects.select_related("handled_by", "patient")
    if status == "open":
        found = found.filter(status__in=OPEN)
    elif status:
        found = found.filter(status=status)
    if channel:
        found = found.filter(channel=channel)
    page = Paginator(found.order_by("-received_at", "-id"), PER_PAGE).get_page(
        request.GET.get("page")
    )
    counts = {
        row["status"]: row["n"]
        for row in Enquiry.objects.values("status").order_by().annotate(n=Count("id"))
    }
    return render(
        request,
        "enquiries/list.html",
        {
            "form": form,
            "page": page,
            "counts": [(s.value, s.label, counts.get(s.value, 0)) for s in EnquiryStatus],
            "filters": urlencode({"status": status, "channel": channel}),
            "nav": "enquiries",
        },
    )


@staff_view("enquiries.add_enquiry")
def enquiry_new(request):
    now = timezone.localtime()
    form = StaffEnquiryForm(
        request.POST or None,
        initial={"received_on": now.date(), "received_time": now.time().replace(second=0)},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            enquiry = enquiries.enquiry_record(
                channel=data["channel"],
                name=data["name"],
                email=data["email"],
                phone=data["phone"],
                message=data["message"],
                condition=data["condition"],
                received_at=form.received_at(),
                user=request.user,
            )
        except ServiceError as exc:
            apply_service_error(form, exc, aliases={"received_at": "received_on"})
        else:
            messages.success(request, f"Enquiry from {enquiry.name} added.")
            return redirect("enquiry_detail", pk=enquiry.pk)
    return render(
        request,
        "enquiries/form.html",
        {"form": form, "nav": "enquiries"},
        status=400 if form.is_bound else 200,
    )


def _detail_page(request, enquiry: Enquiry, form=None, status: int = 200):
    form = form or EnquiryUpdateForm(
        initial={
            "status": enquiry.status if enquiry.status in enquiries.HAND_SET else "",
            "notes": enquiry.notes,
        }
    )
    return render(
        request,
        "enquiries/detail.html",
        {"enquiry": enquiry, "form": form, "nav": "enquiries"},
        status=status,
    )


@staff_view(VIEW)
def enquiry_detail(request, pk: int):
    return _detail_page(request, _enquiry_or_404(pk))


@staff_view(CHANGE)
@require_POST
def enquiry_update(request, pk: int):
    enquiry = _enquiry_or_404(pk)
    form = EnquiryUpdateForm(request.POST)
    if form.is_valid():
        try:
            enquiries.enquiry_update(
                enquiry,
                user=request.user,
                status=form.cleaned_data["status"] or None,
                notes=form.cleaned_data["notes"],
            )
        except ServiceError as exc:
            apply_service_error(form, exc)
            return _detail_page(request, enquiry, form, status=exc.status)
        messages.success(request, "Enquiry updated.")
        return redirect("enquiry_detail", pk=pk)
    return _detail_page(request, enquiry, form, status=400)


# Booking from an enquiry ----------------------------------------------------------------


@staff_view(CHANGE, "scheduling.add_appointment")
def enquiry_book(request, pk: int):
    """Step one: whose record (found, searched for, or new from the enquiry's details).
    Step two: a free time, booked with one click."""
    enquiry = _enquiry_or_404(pk)
    if enquiry.status == EnquiryStatus.BOOKED:
        messages.info(request, "This enquiry has already been booked.")
        return redirect("enquiry_detail", pk=pk)
    if enquiry.patient is None:
        return _choose_patient(request, enquiry)
    return _choose_time(request, enquiry)


def _choose_patient(request, enquiry: Enquiry, new_form=None, status: int = 200):
    query = (request.GET.get("q") or "").strip()[:100]
    found = list(search_patients(query)[:20]) if query else []
    prefill = enquiries.patient_prefill(enquiry)
    return render(
        request,
        "enquiries/book_patient.html",
        {
            "enquiry": enquiry,
            "likely": enquiries.likely_patients(enquiry),
            "query": query,
            "found": found,
            "new_form": new_form or PatientForm(initial={**prefill, "contact_by_email": True}),
            "nav": "enquiries",
        },
        status=status,
    )


@staff_view(CHANGE, "scheduling.add_appointment")
@require_POST
def enquiry_patient(request, pk: int):
    """The enquiry is from this existing patient."""
    enquiry = _enquiry_or_404(pk)
    patient_id = request.POST.get("patient", "")
    patient = (
        Patient.objects.filter(pk=int(patient_id)).first() if _ID.fullmatch(patient_id) else None
    )
    if patient is None:
        messages.error(request, "Choose one of the patients listed.")
        return redirect("enquiry_book", pk=pk)
    try:
        enquiries.enquiry_link_patient(enquiry, patient=patient, user=request.user)
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect("enquiry_detail", pk=pk)
    return redirect("enquiry_book", pk=pk)


@staff_view(CHANGE, "scheduling.add_appointment", "people.add_patient")
@require_POST
def enquiry_new_patient(request, pk: int):
    """A new patient record from the enquiry's details and what reception adds."""
    enquiry = _enquiry_or_404(pk)
    form = PatientForm(request.POST)
    if not form.is_valid():
        return _choose_patient(request, enquiry, new_form=form, status=400)
    try:
        patient = enquiries.enquiry_create_patient(enquiry, user=request.user, **form.cleaned_data)
    except ServiceError as exc:
        apply_service_error(form, exc)
        return _choose_patient(request, enquiry, new_form=form, status=exc.status)
    messages.success(request, f"{patient.full_name} added. Now choose a time.")
    return redirect("enquiry_book", pk=pk)


def slots_by_day(found) -> list[tuple[str, list]]:
    days: dict = {}
    for slot in found:
        days.setdefault(slot.start.date(), []).append(slot)
    return [(format_date(day), times) for day, times in days.items()]


def _choose_time(request, enquiry: Enquiry, *, refusal=None, alternatives=(), status=200):
    if request.GET:
        search = FreeTimeSearch(request.GET)
    else:
        # The times the enquirer asked for ("mornings only") are ticked to start with.
        search = FreeTimeSearch(initial={"when": slots.parts_of_day_asked(enquiry.message)})
    found, first_day = [], None
    if search.is_bound and search.is_valid():
        data = search.cleaned_data
        first_day = data["date"] or timezone.localdate()
        found = queries.find_slots(
            service=data["service"],
            location=data["location"],
            first_day=first_day,
            last_day=first_day + timedelta(days=6),
            practitioner=data["practitioner"],
            patient=enquiry.patient,
            limit=200,
        )
        if data["when"]:
            found = [s for s in found if slots.part_of_day(s.start.timetz()) in data["when"]]
    return render(
        request,
        "enquiries/book_time.html",
        {
            "enquiry": enquiry,
            "search": search,
            "slots": found,
            "days": slots_by_day(found),
            "first_day": first_day,
            "refusal": refusal,
            "alternatives": alternatives,
            "nav": "enquiries",
        },
        status=status,
    )


@staff_view(CHANGE, "scheduling.add_appointment")
@require_POST
def enquiry_book_slot(request, pk: int):
    enquiry = _enquiry_or_404(pk)
    form = BookSlotForm(request.POST)
    if not form.is_valid():
        messages.error(request, "That time could not be read. Choose one of the times listed.")
        return redirect("enquiry_book", pk=pk)
    data = form.cleaned_data
    try:
        appointment = enquiries.enquiry_book(
            enquiry,
            practitioner=data["practitioner"],
            room=data["room"],
            service=data["service"],
            start=data["start"],
            user=request.user,
        )
    except ServiceError as exc:
        alternatives = [
            {**alt, "service": data["service"].pk} for alt in exc.extra.get("alternatives", [])
        ]
        return _choose_time(
            request, enquiry, refusal=exc, alternatives=alternatives, status=exc.status
        )
    messages.success(
        request,
        f"Booked {appointment.patient.full_name} for {appointment.service.name} on "
        f"{format_datetime(appointment.start, appointment.room.location.tz)}; "
        "the enquiry is marked booked.",
    )
    return redirect("appointment_detail", pk=appointment.pk)
