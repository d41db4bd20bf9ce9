"""Reception's check of the patient records online bookings made: a new record, or one that
may be someone already on file. Reached from the enquiry inbox (/enquiries/new-patients/)."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from acuclinic.core.access import staff_view
from acuclinic.core.errors import ServiceError
from acuclinic.online_booking import services as online
from acuclinic.online_booking.forms import CheckedForm
from acuclinic.online_booking.models import OnlineBooking


@staff_view("online_booking.view_onlinebooking")
def online_checks(request):
    return render(
        request,
        "online_booking/checks.html",
        {"bookings": online.to_check()[:200], "form": CheckedForm(), "nav": "enquiries"},
    )


@staff_view("online_booking.change_onlinebooking")
@require_POST
def online_check_done(request, pk: int):
    booking = OnlineBooking.objects.filter(pk=pk).first()
    if booking is None:
        raise Http404
    form = CheckedForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Keep the note to 200 characters.")
    else:
        try:
            online.booking_checked(booking, user=request.user, note=form.cleaned_data["note"])
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "Marked as checked.")
    return redirect(reverse("online_checks"))
