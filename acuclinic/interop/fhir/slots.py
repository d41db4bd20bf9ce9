"""FHIR Slot: the diary's free times, searched (never stored, so never read by id).

``GET /fhir/R4/Slot?schedule=Schedule/3&service-type=2&start=ge2026-03-02&start=lt2026-03-09``
— ``schedule`` (a practitioner's Schedule) and ``service-type`` (a HealthcareService id)
are required; ``start`` bounds the days searched (default: the next 7 days; at most 31).
The free times are those the diary offers staff: inside working time and opening hours,
clear of bookings, in a free room suited to the service, with the practitioner's
credentials valid that day.
"""

from datetime import timedelta

from django.utils import timezone

from acuclinic.clinic.models import Location, Service
from acuclinic.interop.fhir import codes, search_params
from acuclinic.interop.fhir.outcome import fhir_response, operation_outcome
from acuclinic.interop.fhir.resources import instant, ref, resource
from acuclinic.interop.fhir.search_params import SearchError
from acuclinic.people.models import Practitioner
from acuclinic.scheduling import queries

PERMS = ("scheduling.view_appointment",)
PARAMS = {"schedule": "reference", "service-type": "token", "start": "date", "_count": "number"}
PASSIVE = {"_format", "_offset"}
MAX_DAYS = 31


def slot(found, service) -> dict:
    return resource(
        "Slot",
        f"{found.practitioner.pk}-{found.room.pk}-{int(found.start.timestamp())}",
        None,
        schedule=ref("Schedule", found.practitioner.pk, found.practitioner.name),
        status="free",
        start=instant(found.start),
        end=instant(found.end),
        serviceType=[codes.local("service", str(service.pk), service.name)],
        comment=f"{found.room.name}, {found.room.location.name}",
    )


def search(request, zone):
    unknown = sorted(set(request.GET) - set(PARAMS) - PASSIVE)
    if unknown:
        return operation_outcome(
            400, "not-supported", f"Slot cannot be searched by {', '.join(unknown)}."
        )
    try:
        if "schedule" not in request.GET or "service-type" not in request.GET:
            raise SearchError("Slot searches need schedule=Schedule/<id> and service-type=<id>.")
        pid = search_params.parse_reference(request.GET["schedule"], "Schedule")
        practitioner = Practitioner.objects.filter(pk=pid if pid.isdigit() else 0).first()
        service = Service.objects.filter(
            pk=request.GET["service-type"] if request.GET["service-type"].isdigit() else 0
        ).first()
        if practitioner is None or service is None:
            raise SearchError("There is no such Schedule or HealthcareService.")
        today = timezone.localdate()
        first, last = today, today + timedelta(days=6)
        for raw in request.GET.getlist("start"):
            for bound in search_params.date_bounds(raw, zone):
                day = bound.moment.astimezone(zone).date()
                if bound.op == "gte":
                    first = max(first, day)
                else:  # exclusive: the day of the moment just before it
                    last = (bound.moment - timedelta(microseconds=1)).astimezone(zone).date()
        if last < first:
            raise SearchError("The start range is empty.")
        if (last - first).days >= MAX_DAYS:
            raise SearchError(f"Search at most {MAX_DAYS} days of slots at once.")
        count = search_params.parse_count(request.GET.get("_count", "100"), maximum=500)
        offset = search_params.parse_offset(request.GET.get("_offset", "0"))
    except SearchError as exc:
        return operation_outcome(400, "invalid", str(exc))
    found = []
    for location in Location.objects.filter(is_active=True).order_by("pk"):
        found += queries.find_slots(
            service=service,
            location=location,
            first_day=first,
            last_day=last,
            practitioner=practitioner,
        )
    found.sort(key=lambda s: (s.start, s.room.pk))
    base = request.build_absolute_uri("/fhir/R4/Slot")
    entries = [
        {"fullUrl": f"{base}/{body['id']}", "resource": body, "search": {"mode": "match"}}
        for body in (slot(s, service) for s in found[offset : offset + count])
    ]
    links = [{"relation": "self", "url": request.build_absolute_uri()}]
    if offset + count < len(found):
        query = request.GET.copy()
        query["_offset"] = str(offset + count)
        links.append({"relation": "next", "url": f"{base}?{query.urlencode()}"})
    bundle = {
        "resourceType": "Bundle",
        "type": "searchset",
        "total": len(found),
        "link": links,
        "entry": entries,
    }
    if not entries:
        del bundle["entry"]
    return fhir_response(bundle)
