"""Who may call which API endpoint: every endpoint × every role × session and token.

The table is checked against the OpenAPI document, so a new endpoint without a row here
fails ``test_every_endpoint_in_the_openapi_document_has_a_row``. "Allowed" means a 2xx
and, for writes, that the change happened; "denied" a 403 that is audited and writes
nothing; "sign in" a 401. The HTML pages have their own matrix (test_role_matrix_html).
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from django.utils import timezone

from acuclinic.audit.models import AuditEntry
from acuclinic.clinic.models import Clinic, Location, OpeningHours, Room, Service
from acuclinic.people.choices import ConditionChoice
from acuclinic.people.models import ClinicalSummary, Patient, Practitioner, User
from acuclinic.safety.choices import Risk
from acuclinic.safety.models import (
    ChangeCheck,
    Consent,
    PrecautionAcknowledgement,
    Questionnaire,
    QuestionnaireLink,
    SpecialistAgreement,
)
from acuclinic.scheduling.choices import AppointmentStatus
from acuclinic.scheduling.models import (
    Appointment,
    RoomClosure,
    Series,
    WorkingException,
    WorkingPattern,
)
from acuclinic.testing import factories
from acuclinic.testing.api_client import BASE, as_user
from acuclinic.testing.module_db import module_rows

ALLOWED, DENIED, SIGN_IN = "allowed", "denied", "sign in first"
ROLES = ("admin", "practitioner", "reception", "outsider", "anonymous")
VIA = ("session", "token")

FRONT_DESK = {
    "admin": ALLOWED,
    "practitioner": ALLOWED,
    "reception": ALLOWED,
    "outsider": DENIED,
    "anonymous": SIGN_IN,
}
CLINICAL = {**FRONT_DESK, "reception": DENIED}

CLINICAL_HISTORY = "Burning pain down the right leg since lifting a wardrobe in March"


@dataclass
class World:
    users: dict
    patient: Patient
    appointment: Appointment


@dataclass
class Endpoint:
    method: str
    path: str  # as in the OpenAPI document, e.g. /patients/{patient_id}
    access: dict[str, str]
    ok: int
    body: Callable[[World], dict] | None = None
    # For writes: did the change happen?
    wrote: Callable[[World], bool] | None = None
    # Path parameters beyond the usual ones, and a query string (as a dict) for a GET.
    params: Callable[[World], dict] | None = None
    query: Callable[[World], dict] | None = None
    ids: str = field(init=False)

    def __post_init__(self):
        self.ids = f"{self.method} {self.path}"

    def url(self, world: World) -> str:
        return self.path.format(
            **{
                "patient_id": world.patient.pk,
                "practitioner_id": world.appointment.practitioner_id,
                "service_id": world.appointment.service_id,
                "appointment_id": world.appointment.pk,
                "questionnaire_id": Questionnaire.objects.filter(patient=world.patient).first().pk,
                **(self.params(world) if self.params else {}),
            }
        )


def _location(world: World) -> dict:
    return {"location_id": world.appointment.room.location_id}


def _spare_room(world: World) -> int:
    """A room no visit was ever booked in: the only kind that can be deleted."""
    room, _ = Room.objects.get_or_create(
        location_id=world.appointment.room.location_id, name="Store room"
    )
    return room.pk


def _appointment(world: World) -> Appointment:
    return Appointment.objects.get(pk=world.appointment.pk)


MATRIX = [
    Endpoint("GET", "/patients", FRONT_DESK, 200),
    Endpoint(
        "POST",
        "/patients",
        FRONT_DESK,
        201,
        body=lambda w: {
            "given_name": "Nell",
            "family_name": "Newcombe",
            "date_of_birth": "1975-06-01",
            "sex": "female",
            "phone": "07700 900777",
        },
        wrote=lambda w: Patient.objects.filter(family_name="Newcombe").exists(),
    ),
    Endpoint("GET", "/patients/{patient_id}", FRONT_DESK, 200),
    Endpoint(
        "PATCH",
        "/patients/{patient_id}",
        FRONT_DESK,
        200,
        body=lambda w: {"family_name": "Renamed"},
        wrote=lambda w: Patient.objects.get(pk=w.patient.pk).family_name == "Renamed",
    ),
    Endpoint("GET", "/patients/{patient_id}/clinical-summary", CLINICAL, 200),
    Endpoint(
        "PUT",
        "/patients/{patient_id}/clinical-summary",
        CLINICAL,
        200,
        body=lambda w: {"presenting_condition": ConditionChoice.SCIATICA, "history": "Better"},
        wrote=lambda w: ClinicalSummary.objects.get(patient=w.patient).history == "Better",
    ),
    Endpoint("GET", "/practitioners", FRONT_DESK, 200),
    Endpoint("GET", "/practitioners/{practitioner_id}", FRONT_DESK, 200),
    Endpoint("GET", "/services", FRONT_DESK, 200),
    Endpoint("GET", "/services/{service_id}", FRONT_DESK, 200),
    Endpoint("GET", "/locations", FRONT_DESK, 200),
    Endpoint("GET", "/appointments", FRONT_DESK, 200),
    Endpoint("GET", "/appointments/{appointment_id}", FRONT_DESK, 200),
    Endpoint(
        "POST",
        "/appointments",
        FRONT_DESK,
        201,
        body=lambda w: {
            "patient": w.patient.pk,
            "practitioner": w.appointment.practitioner_id,
            "room": w.appointment.room_id,
            "service": w.appointment.service_id,
            "start": (w.appointment.start.replace(hour=12)).isoformat(),
        },
        wrote=lambda w: Appointment.objects.filter(patient=w.patient).count() == 2,
    ),
    Endpoint(
        "PATCH",
        "/appointments/{appointment_id}",
        FRONT_DESK,
        200,
        body=lambda w: {"notes": "Wheelchair user"},
        wrote=lambda w: _appointment(w).notes == "Wheelchair user",
    ),
    Endpoint(
        "POST",
        "/appointments/{appointment_id}/cancel",
        FRONT_DESK,
        200,
        body=lambda w: {"reason": "Unwell"},
        wrote=lambda w: _appointment(w).status == AppointmentStatus.CANCELLED,
    ),
    # Deliveries of reminders and other messages: the front desk's "did it go?".
    Endpoint("GET", "/appointments/{appointment_id}/messages", FRONT_DESK, 200),
    Endpoint("GET", "/appointments/{appointment_id}/patient-change", FRONT_DESK, 200),
    # Safety: reception sees that there are flags and whether the gate is open, and may
    # email the questionnaire link; answers, flags, consent and reasons are clinical.
    Endpoint("GET", "/patients/{patient_id}/safety", FRONT_DESK, 200),
    Endpoint("GET", "/patients/{patient_id}/questionnaires", CLINICAL, 200),
    Endpoint("GET", "/questionnaires/{questionnaire_id}", CLINICAL, 200),
    Endpoint(
        "POST",
        "/patients/{patient_id}/questionnaires",
        CLINICAL,
        201,
        body=lambda w: {"answers": factories.safety_answers(diabetes=True)},
        wrote=lambda w: Questionnaire.objects.filter(patient=w.patient).count() == 2,
    ),
    Endpoint(
        "POST",
        "/patients/{patient_id}/questionnaire-links",
        FRONT_DESK,
        201,
        body=lambda w: None,
        wrote=lambda w: QuestionnaireLink.objects.filter(patient=w.patient).exists(),
    ),
    Endpoint(
        "POST",
        "/appointments/{appointment_id}/change-check",
        CLINICAL,
        201,
        body=lambda w: {"any_changes": False},
        wrote=lambda w: ChangeCheck.objects.filter(appointment=w.appointment).exists(),
    ),
    Endpoint("GET", "/patients/{patient_id}/consents", CLINICAL, 200),
    Endpoint(
        "POST",
        "/patients/{patient_id}/consents",
        CLINICAL,
        201,
        body=lambda w: {
            "modality": "medical",
            "risks_explained": Risk.values,
            "method": "written",
            "given_at": (w.appointment.start - timedelta(days=30)).isoformat(),
            "taken_by": w.appointment.practitioner_id,
        },
        wrote=lambda w: Consent.objects.filter(patient=w.patient).exists(),
    ),
    Endpoint(
        "POST",
        "/patients/{patient_id}/acknowledgements",
        CLINICAL,
        201,
        body=lambda w: {"rule_id": "needle-anxiety", "discussion": "Treat lying down."},
        wrote=lambda w: PrecautionAcknowledgement.objects.filter(patient=w.patient).exists(),
    ),
    Endpoint(
        "POST",
        "/patients/{patient_id}/agreements",
        CLINICAL,
        201,
        body=lambda w: {
            "rule_id": "bleeding-disorder",
            "agreed_by": "Dr Ada Lowe, consultant haematologist",
            "agreed_on": (timezone.localdate() - timedelta(days=3)).isoformat(),
            "reason": "Mild von Willebrand disease; superficial needling agreed.",
        },
        wrote=lambda w: SpecialistAgreement.objects.filter(patient=w.patient).exists(),
    ),
    Endpoint("GET", "/appointments/{appointment_id}/gate", FRONT_DESK, 200),
]


# Scheduling: free slots, attendance, courses of sessions, working time, room closures.

ADMIN_ONLY = {**CLINICAL, "practitioner": DENIED}
# Admins see everyone's working time; a practitioner their own (the matrix's is theirs).
OWN_OR_ADMIN = CLINICAL


def _once(w: World, key: str, make):
    """Make a record once per test: the URL is built more than once per request."""
    made = w.__dict__.setdefault("made", {})
    if key not in made:
        made[key] = make()
    return made[key]


def _course(w: World):
    from acuclinic.scheduling import series

    return _once(
        w,
        "course",
        lambda: series.series_book(
            patient=w.patient,
            practitioner=w.appointment.practitioner,
            room=w.appointment.room,
            service=w.appointment.service,
            first_start=w.appointment.start.replace(hour=16),
            sessions=2,
        ),
    )


def _first_session(w: World) -> Appointment:
    return _course(w).appointments.get(series_index=1)


def _series_body(w: World) -> dict:
    return {
        "patient": w.patient.pk,
        "practitioner": w.appointment.practitioner_id,
        "room": w.appointment.room_id,
        "service": w.appointment.service_id,
        "first_start": w.appointment.start.replace(hour=15).isoformat(),
        "sessions": 3,
    }


def _pattern(w: World) -> WorkingPattern:
    return _once(
        w,
        "pattern",
        lambda: WorkingPattern.objects.filter(practitioner=w.appointment.practitioner).first(),
    )


def _leave(w: World) -> WorkingException:
    day = timezone.localdate() + timedelta(days=60)
    return _once(
        w,
        "leave",
        lambda: WorkingException.objects.create(
            practitioner=w.appointment.practitioner, kind="leave", first_day=day, last_day=day
        ),
    )


def _closure(w: World) -> RoomClosure:
    start = timezone.now() + timedelta(days=60)
    return _once(
        w,
        "closure",
        lambda: RoomClosure.objects.create(
            room=w.appointment.room, starts=start, ends=start + timedelta(hours=2)
        ),
    )


def _newcomer_pattern(w: World) -> dict:
    newcomer = _once(
        w,
        "newcomer",
        lambda: factories.practitioner(
            "newcomer", qualified_medical=True, works_opening_hours=False
        ),
    )
    return {
        "practitioner": newcomer.pk,
        "location": w.appointment.room.location_id,
        "weekday": 2,
        "starts": "09:00",
        "ends": "13:00",
        "valid_from": timezone.localdate().isoformat(),
    }


MATRIX += [
    Endpoint(
        "GET",
        "/availability",
        FRONT_DESK,
        200,
        query=lambda w: {
            "service": w.appointment.service_id,
            "location": w.appointment.room.location_id,
        },
    ),
    Endpoint(
        "GET",
        "/availability/weekly",
        FRONT_DESK,
        200,
        query=lambda w: {
            "service": w.appointment.service_id,
            "location": w.appointment.room.location_id,
        },
    ),
    Endpoint("GET", "/patients/{patient_id}/attendance", FRONT_DESK, 200),
    Endpoint("POST", "/series/preview", FRONT_DESK, 200, body=_series_body),
    Endpoint(
        "POST",
        "/series",
        FRONT_DESK,
        201,
        body=_series_body,
        wrote=lambda w: Series.objects.filter(patient=w.patient).exists(),
    ),
    Endpoint(
        "GET", "/series/{series_id}", FRONT_DESK, 200, params=lambda w: {"series_id": _course(w).pk}
    ),
    Endpoint(
        "POST",
        "/appointments/{appointment_id}/cancel-rest",
        FRONT_DESK,
        200,
        params=lambda w: {"appointment_id": _first_session(w).pk},
        body=lambda w: {"reason": "Moving away"},
        wrote=lambda w: not _course(w).appointments.filter(status="booked").exists(),
    ),
    Endpoint(
        "POST",
        "/appointments/{appointment_id}/move-rest",
        FRONT_DESK,
        200,
        params=lambda w: {"appointment_id": _first_session(w).pk},
        body=lambda w: {"start": w.appointment.start.replace(hour=17).isoformat()},
        wrote=lambda w: timezone.localtime(_first_session(w).start).hour == 17,
    ),
    Endpoint("GET", "/clinic", FRONT_DESK, 200),
    Endpoint(
        "PATCH",
        "/clinic",
        ADMIN_ONLY,
        200,
        body=lambda w: {"phone": "0113 496 0002"},
        wrote=lambda w: Clinic.objects.filter(phone="0113 496 0002").exists(),
    ),
    Endpoint(
        "POST",
        "/services",
        ADMIN_ONLY,
        201,
        body=lambda w: {
            "name": "Cupping",
            "modality": "follow_up",
            "duration_minutes": 30,
            "price_pence": 4000,
        },
        wrote=lambda w: Service.objects.filter(name="Cupping").exists(),
    ),
    Endpoint(
        "PATCH",
        "/services/{service_id}",
        ADMIN_ONLY,
        200,
        params=lambda w: {"service_id": w.appointment.service_id},
        body=lambda w: {"price_pence": 5200},
        wrote=lambda w: Service.objects.filter(price_pence=5200).exists(),
    ),
    # The logo is a multipart upload: a JSON body is refused as bad input (422), which
    # only a clinic admin gets as far as.
    Endpoint("POST", "/clinic/logo", ADMIN_ONLY, 422),
    Endpoint("DELETE", "/clinic/logo", ADMIN_ONLY, 200),
    # Locations, opening hours and rooms; practitioners' profiles (clinic set-up).
    Endpoint("GET", "/locations/{location_id}", FRONT_DESK, 200, params=lambda w: _location(w)),
    Endpoint(
        "POST",
        "/locations",
        ADMIN_ONLY,
        201,
        body=lambda w: {
            "name": "Northgate",
            "address_line1": "1 High St",
            "town": "Testford",
            "postcode": "TE2 2ND",
        },
        wrote=lambda w: Location.objects.filter(name="Northgate").exists(),
    ),
    Endpoint(
        "PATCH",
        "/locations/{location_id}",
        ADMIN_ONLY,
        200,
        params=lambda w: _location(w),
        body=lambda w: {"phone": "0161 496 0999"},
        wrote=lambda w: Location.objects.filter(phone="0161 496 0999").exists(),
    ),
    Endpoint(
        "PUT",
        "/locations/{location_id}/opening-hours",
        ADMIN_ONLY,
        200,
        params=lambda w: _location(w),
        body=lambda w: {
            "hours": [{"weekday": d, "opens": "08:00", "closes": "20:00"} for d in range(7)]
        },
        wrote=lambda w: OpeningHours.objects.filter(weekday=6).exists(),
    ),
    Endpoint(
        "POST",
        "/locations/{location_id}/rooms",
        ADMIN_ONLY,
        201,
        params=lambda w: _location(w),
        body=lambda w: {"name": "Room 9"},
        wrote=lambda w: Room.objects.filter(name="Room 9").exists(),
    ),
    Endpoint(
        "PATCH",
        "/rooms/{room_id}",
        ADMIN_ONLY,
        200,
        params=lambda w: {"room_id": w.appointment.room_id},
        body=lambda w: {"name": "Garden room"},
        wrote=lambda w: Room.objects.filter(name="Garden room").exists(),
    ),
    Endpoint(
        "DELETE",
        "/rooms/{room_id}",
        ADMIN_ONLY,
        204,
        params=lambda w: {"room_id": _spare_room(w)},
        wrote=lambda w: not Room.objects.filter(name="Store room").exists(),
    ),
    Endpoint(
        "POST",
        "/practitioners",
        ADMIN_ONLY,
        201,
        body=lambda w: {"user_id": w.users["reception"].pk, "profession": "nurse"},
        wrote=lambda w: Practitioner.objects.filter(user=w.users["reception"]).exists(),
    ),
    Endpoint(
        "PATCH",
        "/practitioners/{practitioner_id}",
        ADMIN_ONLY,
        200,
        body=lambda w: {"profile": "Changed"},
        wrote=lambda w: Practitioner.objects.filter(profile="Changed").exists(),
    ),
    # The outbox as JSON: patients' addresses, for clinic admins only.
    Endpoint("GET", "/messages", ADMIN_ONLY, 200),
    Endpoint("GET", "/working-patterns", OWN_OR_ADMIN, 200),
    Endpoint(
        "POST",
        "/working-patterns",
        ADMIN_ONLY,
        201,
        body=_newcomer_pattern,
        wrote=lambda w: WorkingPattern.objects.filter(practitioner=w.made["newcomer"]).exists(),
    ),
    Endpoint(
        "POST",
        "/working-patterns/{pattern_id}/end",
        ADMIN_ONLY,
        200,
        params=lambda w: {"pattern_id": _pattern(w).pk},
        body=lambda w: {"last_day": (timezone.localdate() + timedelta(days=90)).isoformat()},
        wrote=lambda w: WorkingPattern.objects.get(pk=_pattern(w).pk).valid_until is not None,
    ),
    Endpoint(
        "DELETE",
        "/working-patterns/{pattern_id}",
        ADMIN_ONLY,
        200,
        params=lambda w: {"pattern_id": _pattern(w).pk},
        wrote=lambda w: not WorkingPattern.objects.filter(pk=_pattern(w).pk).exists(),
    ),
    Endpoint("GET", "/working-exceptions", OWN_OR_ADMIN, 200),
    Endpoint(
        "POST",
        "/working-exceptions",
        ADMIN_ONLY,
        201,
        body=lambda w: {
            "kind": "training",
            "practitioner": w.appointment.practitioner_id,
            "first_day": (timezone.localdate() + timedelta(days=40)).isoformat(),
            "last_day": (timezone.localdate() + timedelta(days=40)).isoformat(),
        },
        wrote=lambda w: WorkingException.objects.filter(kind="training").exists(),
    ),
    Endpoint(
        "DELETE",
        "/working-exceptions/{exception_id}",
        ADMIN_ONLY,
        200,
        params=lambda w: {"exception_id": _leave(w).pk},
        wrote=lambda w: not WorkingException.objects.filter(pk=_leave(w).pk).exists(),
    ),
    Endpoint("GET", "/room-closures", FRONT_DESK, 200),
    Endpoint(
        "POST",
        "/room-closures",
        ADMIN_ONLY,
        201,
        body=lambda w: {
            "room": w.appointment.room_id,
            "starts": (timezone.now() + timedelta(days=50)).isoformat(),
            "ends": (timezone.now() + timedelta(days=50, hours=3)).isoformat(),
            "reason": "New couch",
        },
        wrote=lambda w: RoomClosure.objects.filter(reason="New couch").exists(),
    ),
    Endpoint(
        "DELETE",
        "/room-closures/{closure_id}",
        ADMIN_ONLY,
        200,
        params=lambda w: {"closure_id": _closure(w).pk},
        wrote=lambda w: not RoomClosure.objects.filter(pk=_closure(w).pk).exists(),
    ),
]


# The treatment record: the catalogue, session notes, needle stock, adverse events and
# the recall search. Only the practitioner who saw the patient charts and signs
# (TREATING); clinic admins read notes and run stock, recalls and follow-ups.

TREATING = {**CLINICAL, "admin": DENIED}
TREATMENT_ADMIN = {**CLINICAL, "practitioner": DENIED}


def _treatment(w: World):
    from acuclinic.testing.treatment import role_matrix_world

    return _once(w, "treatment", lambda: role_matrix_world(w.appointment.practitioner))


def _draft_id(w: World) -> dict:
    return {"note_id": _treatment(w).draft.pk}


def _lot_id(w: World) -> dict:
    return {"lot_id": _treatment(w).lot.pk}


MATRIX += [
    Endpoint("GET", "/points", CLINICAL, 200, query=lambda w: {"q": "BL23"}),
    Endpoint("GET", "/session-notes", CLINICAL, 200),
    Endpoint(
        "POST",
        "/session-notes",
        TREATING,
        201,
        body=lambda w: {"appointment": _treatment(w).unstarted.pk},
        wrote=lambda w: _treatment(w).started(),
    ),
    Endpoint("GET", "/session-notes/{note_id}", CLINICAL, 200, params=_draft_id),
    Endpoint(
        "PATCH",
        "/session-notes/{note_id}",
        TREATING,
        200,
        params=_draft_id,
        body=lambda w: {"plan": "Matrix plan"},
        wrote=lambda w: _treatment(w).draft_now().plan == "Matrix plan",
    ),
    Endpoint(
        "POST",
        "/session-notes/{note_id}/points",
        TREATING,
        201,
        params=_draft_id,
        body=lambda w: {
            "points": [{"code": "ST36", "side": "left", "depth_mm": 20, "retention_minutes": 20}]
        },
        wrote=lambda w: "ST36" in _treatment(w).draft_codes(),
    ),
    Endpoint(
        "DELETE",
        "/session-notes/{note_id}/points/{point_id}",
        TREATING,
        204,
        params=lambda w: {**_draft_id(w), "point_id": _treatment(w).first_point},
        wrote=lambda w: not _treatment(w).has_first_point(),
    ),
    Endpoint(
        "POST",
        "/session-notes/{note_id}/needles",
        TREATING,
        201,
        params=_draft_id,
        body=lambda w: {"lot": _treatment(w).lot.pk, "count": 2},
        wrote=lambda w: _treatment(w).needles_on_draft() == 9,
    ),
    Endpoint(
        "POST",
        "/session-notes/{note_id}/sign",
        TREATING,
        200,
        params=_draft_id,
        wrote=lambda w: _treatment(w).draft_now().is_signed,
    ),
    Endpoint(
        "POST",
        "/session-notes/{note_id}/addenda",
        TREATING,
        201,
        params=lambda w: {"note_id": _treatment(w).signed.pk},
        body=lambda w: {"text": "Phoned the next day: no soreness."},
        wrote=lambda w: _treatment(w).addenda() == 1,
    ),
    Endpoint(
        "POST",
        "/session-notes/{note_id}/adverse-events",
        TREATING,
        201,
        params=_draft_id,
        body=lambda w: {
            "event_type": "bruising",
            "severity": "mild",
            "severe_or_lasting": False,
            "action_taken": "Pressure.",
        },
        wrote=lambda w: _treatment(w).events_on_draft() == 1,
    ),
    Endpoint("GET", "/adverse-events", CLINICAL, 200),
    Endpoint("GET", "/adverse-events/report", CLINICAL, 200),
    Endpoint(
        "POST",
        "/adverse-events/{event_id}/close-follow-up",
        TREATMENT_ADMIN,
        200,
        params=lambda w: {"event_id": _treatment(w).follow_up.event_id},
        body=lambda w: {"outcome": "Well the next day; technique reviewed."},
        wrote=lambda w: _treatment(w).follow_up_closed(),
    ),
    Endpoint("GET", "/needle-lots", FRONT_DESK, 200),
    Endpoint(
        "POST",
        "/needle-lots",
        TREATMENT_ADMIN,
        201,
        body=lambda w: {
            "manufacturer": "Northgate Medical",
            "diameter_um": 300,
            "length_mm": 50,
            "lot_number": "NG-MATRIX",
            "expires_on": (timezone.localdate() + timedelta(days=400)).isoformat(),
            "quantity": 100,
        },
        wrote=lambda w: _treatment(w).lot_received("NG-MATRIX"),
    ),
    Endpoint("GET", "/needle-lots/{lot_id}", FRONT_DESK, 200, params=_lot_id),
    Endpoint(
        "POST",
        "/needle-lots/{lot_id}/recall",
        TREATMENT_ADMIN,
        200,
        params=_lot_id,
        body=lambda w: {"reason": "Manufacturer's field safety notice"},
        wrote=lambda w: _treatment(w).lot_recalled(),
    ),
    Endpoint("GET", "/needle-lots/{lot_id}/sessions", TREATMENT_ADMIN, 200, params=_lot_id),
]


# Enquiries and the waitlist: the front desk's. (Online booking itself has no API: it is
# the public pages.)


def _api_enquiry(w: World):
    from acuclinic.enquiries import services as enquiries

    return _once(
        w,
        "enquiry",
        lambda: enquiries.enquiry_receive_web(
            name="Vera Asking", email="vera.asking@example.test", message="Do you treat knees?"
        ),
    )


def _api_enquiry_now(w: World):
    from acuclinic.enquiries.models import Enquiry

    return Enquiry.objects.get(pk=_api_enquiry(w).pk)


def _api_waitlist_entry(w: World):
    from datetime import time

    from acuclinic.waitlist import services as waitlist

    return _once(
        w,
        "waitlist_entry",
        lambda: waitlist.entry_add(
            patient=w.patient,
            service=w.appointment.service,
            location=w.appointment.room.location,
            weekdays=range(7),
            earliest=time(8),
            latest=time(20),
            until=timezone.localdate() + timedelta(days=60),
        ),
    )


def _api_waitlist_status(w: World) -> str:
    from acuclinic.waitlist.models import WaitlistEntry

    return WaitlistEntry.objects.get(pk=_api_waitlist_entry(w).pk).status


MATRIX += [
    Endpoint("GET", "/enquiries", FRONT_DESK, 200),
    Endpoint(
        "POST",
        "/enquiries",
        FRONT_DESK,
        201,
        body=lambda w: {
            "channel": "phone",
            "name": "Phoebe Caller",
            "phone": "07700 900555",
            "message": "Wants a Saturday appointment",
        },
        wrote=lambda w: _api_enquiry_named("Phoebe Caller"),
    ),
    Endpoint(
        "GET",
        "/enquiries/{enquiry_id}",
        FRONT_DESK,
        200,
        params=lambda w: {"enquiry_id": _api_enquiry(w).pk},
    ),
    Endpoint(
        "PATCH",
        "/enquiries/{enquiry_id}",
        FRONT_DESK,
        200,
        params=lambda w: {"enquiry_id": _api_enquiry(w).pk},
        body=lambda w: {"status": "replied", "notes": "Phoned back"},
        wrote=lambda w: _api_enquiry_now(w).status == "replied",
    ),
    Endpoint(
        "POST",
        "/enquiries/{enquiry_id}/book",
        FRONT_DESK,
        201,
        params=lambda w: {"enquiry_id": _api_enquiry(w).pk},
        body=lambda w: {
            "patient": w.patient.pk,
            "practitioner": w.appointment.practitioner_id,
            "room": w.appointment.room_id,
            "service": w.appointment.service_id,
            "start": w.appointment.start.replace(hour=15).isoformat(),
        },
        wrote=lambda w: _api_enquiry_now(w).status == "booked",
    ),
    Endpoint("GET", "/waitlist", FRONT_DESK, 200),
    Endpoint(
        "POST",
        "/waitlist",
        FRONT_DESK,
        201,
        body=lambda w: {
            "patient": w.patient.pk,
            "service": w.appointment.service_id,
            "location": w.appointment.room.location_id,
            "weekdays": [0, 1, 2, 3, 4],
            "earliest": "08:00",
            "latest": "12:00",
            "until": (timezone.localdate() + timedelta(days=30)).isoformat(),
        },
        wrote=lambda w: w.patient.waitlist.exists(),
    ),
    Endpoint(
        "GET",
        "/waitlist/{entry_id}",
        FRONT_DESK,
        200,
        params=lambda w: {"entry_id": _api_waitlist_entry(w).pk},
    ),
    Endpoint(
        "POST",
        "/waitlist/{entry_id}/remove",
        FRONT_DESK,
        200,
        params=lambda w: {"entry_id": _api_waitlist_entry(w).pk},
        wrote=lambda w: _api_waitlist_status(w) == "removed",
    ),
]


def _api_enquiry_named(name: str) -> bool:
    from acuclinic.enquiries.models import Enquiry

    return Enquiry.objects.filter(name=name).exists()


# Outcomes: reception learns only whether measures are due (how many, not which);
# practitioners record questionnaires and decide about courses; admins read.

OUTCOMES_PRACTISING = {**CLINICAL, "admin": DENIED}


def _api_outcomes(w: World):
    """The world's patient improving over four sessions; another, six without change."""
    from acuclinic.outcomes import services as outcomes

    def make():
        first = timezone.localdate() - timedelta(weeks=6)
        practitioner = w.appointment.practitioner
        factories.weekly_sessions(w.patient, practitioner, [7, 6, 5, 4], first_day=first)
        stuck = factories.patient()
        factories.weekly_sessions(stuck, practitioner, [7] * 6, first_day=first, hour=14)
        [improving] = outcomes.course_refresh(w.patient)
        [review] = outcomes.course_refresh(stuck)
        return improving, review

    return _once(w, "outcomes", make)


def _api_with_courses(w: World) -> dict:
    _api_outcomes(w)
    return {}


def _api_outcome_course(w: World, which: int):
    from acuclinic.outcomes.models import Course

    return Course.objects.get(pk=_api_outcomes(w)[which].pk)


def _api_measured(w: World, code: str) -> bool:
    from acuclinic.outcomes.models import Measurement

    return Measurement.objects.filter(patient=w.patient, measure=code).exists()


MATRIX += [
    Endpoint("GET", "/measures", FRONT_DESK, 200),
    Endpoint("GET", "/patients/{patient_id}/measurements", CLINICAL, 200),
    Endpoint(
        "POST",
        "/patients/{patient_id}/measurements",
        OUTCOMES_PRACTISING,
        201,
        body=lambda w: {
            "measure": "odi",
            "taken_on": timezone.localdate().isoformat(),
            "answers": [2, 2, 2, 2, 2, 2, 1, 1, 1, 1],
        },
        wrote=lambda w: _api_measured(w, "odi"),
    ),
    Endpoint("GET", "/patients/{patient_id}/outcomes-due", FRONT_DESK, 200),
    Endpoint(
        "GET",
        "/patients/{patient_id}/course-plan",
        CLINICAL,
        200,
        params=_api_with_courses,
    ),
    Endpoint(
        "POST",
        "/courses/{course_id}/review",
        OUTCOMES_PRACTISING,
        201,
        params=lambda w: {"course_id": _api_outcomes(w)[1].pk},
        body=lambda w: {"decision": "continue", "note": "Four more weekly sessions agreed."},
        wrote=lambda w: _api_outcome_course(w, 1).reviews.exists(),
    ),
    Endpoint(
        "POST",
        "/courses/{course_id}/close",
        OUTCOMES_PRACTISING,
        200,
        params=lambda w: {"course_id": _api_outcomes(w)[0].pk},
        body=lambda w: {"reason": "discharged"},
        wrote=lambda w: _api_outcome_course(w, 0).ended_on is not None,
    ),
    Endpoint("GET", "/outcomes/report", CLINICAL, 200),
]


# The clinic's booking rules: the front desk reads them (it tells patients); clinic
# admins change them.


def _api_cancellation_notice() -> int:
    from acuclinic.clinic.models import Clinic

    return Clinic.objects.get().cancellation_notice_hours


MATRIX += [
    Endpoint("GET", "/booking-rules", FRONT_DESK, 200),
    Endpoint(
        "PATCH",
        "/booking-rules",
        ADMIN_ONLY,
        200,
        body=lambda w: {"cancellation_notice_hours": 36},
        wrote=lambda w: _api_cancellation_notice() == 36,
    ),
]


# Credentials and a location's council licensing: clinic admins record them.


def _api_location():
    from acuclinic.clinic.models import Location

    return Location.objects.order_by("pk").first()


def _api_licensed_location(w: World):
    """The location, licensed under s.14 by a council (once per test)."""
    from acuclinic.clinic import services as clinic_services

    return _once(
        w,
        "licensed",
        lambda: clinic_services.location_licensing_update(
            _api_location(), regime="lgmpa_1982_s14", authority="Testford Borough Council"
        ),
    )


def _api_premises_registration(w: World):
    from acuclinic.clinic import services as clinic_services

    return _once(
        w,
        "premises",
        lambda: clinic_services.premises_registration_add(
            _api_licensed_location(w), number="ACU/1", valid_from=timezone.localdate()
        ),
    )


def _api_insurance(w: World):
    from acuclinic.people.models import Credential

    return Credential.objects.filter(
        practitioner_id=w.appointment.practitioner_id, kind="insurance"
    ).first()


def _api_credential_bodies(w: World) -> set[str]:
    from acuclinic.people.models import Credential

    return set(
        Credential.objects.filter(practitioner_id=w.appointment.practitioner_id).values_list(
            "body", flat=True
        )
    )


MATRIX += [
    Endpoint(
        "POST",
        "/practitioners/{practitioner_id}/credentials",
        ADMIN_ONLY,
        201,
        body=lambda w: {
            "kind": "insurance",
            "body": "Renewed Mutual",
            "number": "PI-2",
            "valid_from": timezone.localdate().isoformat(),
            "valid_until": (timezone.localdate() + timedelta(days=365)).isoformat(),
        },
        wrote=lambda w: "Renewed Mutual" in _api_credential_bodies(w),
    ),
    Endpoint(
        "DELETE",
        "/practitioners/{practitioner_id}/credentials/{credential_id}",
        ADMIN_ONLY,
        204,
        params=lambda w: {"credential_id": _once(w, "insurance", lambda: _api_insurance(w)).pk},
        wrote=lambda w: "Test Mutual" not in _api_credential_bodies(w),
    ),
    Endpoint(
        "PUT",
        "/locations/{location_id}/licensing",
        ADMIN_ONLY,
        200,
        params=lambda w: {"location_id": _api_location().pk},
        body=lambda w: {
            "licensing_regime": "llaa_1991",
            "licensing_authority": "London Borough of Testford",
        },
        wrote=lambda w: _api_location().licensing_regime == "llaa_1991",
    ),
    Endpoint(
        "POST",
        "/locations/{location_id}/premises-registrations",
        ADMIN_ONLY,
        201,
        params=lambda w: {"location_id": _api_licensed_location(w).pk},
        body=lambda w: {"number": "ACU/77", "valid_from": timezone.localdate().isoformat()},
        wrote=lambda w: _api_location().premises_registrations.filter(number="ACU/77").exists(),
    ),
    Endpoint(
        "DELETE",
        "/locations/{location_id}/premises-registrations/{registration_id}",
        ADMIN_ONLY,
        204,
        params=lambda w: {
            "location_id": _api_licensed_location(w).pk,
            "registration_id": _api_premises_registration(w).pk,
        },
        wrote=lambda w: not _api_location().premises_registrations.exists(),
    ),
]


# Billing: reception and admins invoice and take payments; only admins credit and refund;
# a practitioner sees their own takings (and no invoices).
BILLING_DESK = {**FRONT_DESK, "practitioner": DENIED}


def _api_invoice(w: World):
    from acuclinic.billing import services as billing

    return _once(
        w,
        "invoice",
        lambda: billing.raise_invoice(
            patient=w.patient,
            clinic=w.appointment.room.location.clinic,
            lines=[{"description": "Report for the insurer", "amount_pence": 4000}],
        ),
    )


def _api_paid(w: World):
    from acuclinic.billing import services as billing

    return _once(
        w,
        "paid",
        lambda: billing.record_payment(
            patient=w.patient, invoice=_api_invoice(w), amount_pence=4000, method="card"
        )[0],
    )


def _api_block(w: World):
    from acuclinic.billing.models import CourseBlock

    return CourseBlock.objects.get_or_create(
        clinic=w.appointment.room.location.clinic,
        name="Six sessions",
        defaults={"sessions": 6, "price_pence": 24000},
    )[0]


def _api_course(w: World):
    from acuclinic.billing import courses
    from acuclinic.billing import services as billing

    def make():
        course = courses.sell(patient=w.patient, block=_api_block(w))
        billing.record_payment(
            patient=w.patient, invoice=course.invoice, amount_pence=24000, method="card"
        )
        return course

    return _once(w, "course", make)


def _api_insurer():
    from acuclinic.billing.models import Insurer

    return Insurer.objects.get_or_create(name="Bupa")[0]


def _api_fee(w: World):
    from acuclinic.billing import services as billing

    return _once(
        w,
        "fee",
        lambda: billing.raise_invoice(
            patient=w.patient,
            clinic=w.appointment.room.location.clinic,
            lines=[{"description": "Did-not-attend fee", "amount_pence": 2500}],
            purpose="dna_fee",
        ),
    )


def _api_billing(model: str, **filters) -> bool:
    from acuclinic.billing import models

    return getattr(models, model).objects.filter(**filters).exists()


MATRIX += [
    Endpoint("GET", "/billing/invoices", BILLING_DESK, 200),
    Endpoint(
        "GET",
        "/billing/invoices/{invoice_id}",
        BILLING_DESK,
        200,
        params=lambda w: {"invoice_id": _api_invoice(w).pk},
    ),
    Endpoint(
        "POST",
        "/billing/invoices",
        BILLING_DESK,
        201,
        body=lambda w: {
            "patient": w.patient.pk,
            "lines": [{"description": "Letter to the GP", "amount_pence": 1500}],
        },
        wrote=lambda w: _api_billing("InvoiceLine", description="Letter to the GP"),
    ),
    Endpoint(
        "POST",
        "/billing/invoices/{invoice_id}/credit-notes",
        ADMIN_ONLY,
        201,
        params=lambda w: {"invoice_id": _api_invoice(w).pk},
        body=lambda w: {"reason": "sent twice"},
        wrote=lambda w: _api_billing("Invoice", kind="credit_note"),
    ),
    Endpoint(
        "POST",
        "/billing/payments",
        BILLING_DESK,
        201,
        body=lambda w: {"patient": w.patient.pk, "method": "cash", "amount_pence": 1250},
        wrote=lambda w: _api_billing("Payment", method="cash"),
    ),
    Endpoint(
        "POST",
        "/billing/payments/{payment_id}/refunds",
        ADMIN_ONLY,
        201,
        params=lambda w: {"payment_id": _api_paid(w).pk},
        body=lambda w: {"amount_pence": 500, "reason": "goodwill"},
        wrote=lambda w: _api_billing("Payment", kind="refund"),
    ),
    Endpoint("GET", "/billing/patients/{patient_id}/balance", BILLING_DESK, 200),
    Endpoint("GET", "/billing/takings", FRONT_DESK, 200),
    Endpoint("GET", "/billing/patients/{patient_id}/courses", BILLING_DESK, 200),
    Endpoint(
        "POST",
        "/billing/courses",
        BILLING_DESK,
        201,
        body=lambda w: {"patient": w.patient.pk, "block": _api_block(w).pk},
        wrote=lambda w: _api_billing("PrepaidCourse", patient=w.patient),
    ),
    Endpoint(
        "POST",
        "/billing/courses/{course_id}/refund",
        ADMIN_ONLY,
        201,
        params=lambda w: {"course_id": _api_course(w).pk},
        body=lambda w: {"reason": "moving away"},
        wrote=lambda w: _api_billing("PrepaidCourse", closed_at__isnull=False),
    ),
    Endpoint("GET", "/billing/patients/{patient_id}/policies", BILLING_DESK, 200),
    Endpoint(
        "POST",
        "/billing/patients/{patient_id}/policies",
        BILLING_DESK,
        201,
        body=lambda w: {
            "insurer": _api_insurer().pk,
            "membership_number": "BU123",
            "sessions_authorised": 6,
            "valid_from": "2026-01-01",
            "valid_until": "2026-12-31",
        },
        wrote=lambda w: _api_billing("InsurancePolicy", membership_number="BU123"),
    ),
    Endpoint(
        "POST",
        "/billing/invoices/{invoice_id}/waive",
        ADMIN_ONLY,
        201,
        params=lambda w: {"invoice_id": _api_fee(w).pk},
        body=lambda w: {"reason": "in hospital"},
        wrote=lambda w: _api_billing("Invoice", kind="credit_note"),
    ),
]


def test_every_endpoint_in_the_openapi_document_has_a_row(client):
    response = client.get(f"{BASE}/openapi.json")
    assert response.status_code == 200
    documented = {
        (method.upper(), path.removeprefix(BASE))
        for path, operations in response.json()["paths"].items()
        for method in operations
    }
    assert documented == {(e.method, e.path) for e in MATRIX}


def test_every_row_says_what_each_role_gets():
    for endpoint in MATRIX:
        assert set(endpoint.access) == set(ROLES), endpoint.ids


def _build_world() -> dict:
    """The world's rows, as primary keys: one small clinic, one user per role, a patient
    with a clinical summary and a safety questionnaire on file, and one booked visit."""
    factories.build_clinic()
    admin = factories.staff_user("admin", role="Clinic admin")
    practitioner = factories.practitioner("prac", qualified_medical=True)
    users = {
        "admin": admin,
        "practitioner": practitioner.user,
        "reception": factories.staff_user("reception", role="Reception"),
        "outsider": factories.staff_user("outsider", role=None),
    }
    patient = factories.patient()
    factories.clinical_summary(patient, by=practitioner.user, history=CLINICAL_HISTORY)
    factories.safety_questionnaire_on_file(
        patient, by=practitioner.user, needle_anxiety=True, bleeding_disorder=True
    )
    visit = factories.appointment(
        patient=patient, practitioner=practitioner, start=factories.next_weekday_at(10)
    )
    return {
        "users": {role: user.pk for role, user in users.items()},
        "patient": patient.pk,
        "appointment": visit.pk,
    }


# Built once for the module (over 1,100 tests); each test reads it afresh inside its own
# savepoint, so what one test writes is gone before the next.
_world_rows = module_rows(_build_world)


@pytest.fixture
def world(db, _world_rows):
    return World(
        users={role: User.objects.get(pk=pk) for role, pk in _world_rows["users"].items()},
        patient=Patient.objects.get(pk=_world_rows["patient"]),
        appointment=Appointment.objects.get(pk=_world_rows["appointment"]),
    )


def _call(api, endpoint: Endpoint, world: World):
    url = endpoint.url(world)
    if endpoint.method == "GET":
        return api.get(url, endpoint.query(world) if endpoint.query else None)
    body = endpoint.body(world) if endpoint.body else None
    return getattr(api, endpoint.method.lower())(url, body)


CASES = [
    (endpoint, role, via)
    for endpoint in MATRIX
    for role in ROLES
    for via in (VIA if role != "anonymous" else ("none",))
]


@pytest.mark.parametrize(
    ("endpoint", "role", "via"),
    CASES,
    ids=[f"{e.ids} as {role} by {via}" for e, role, via in CASES],
)
def test_role_matrix(world, endpoint, role, via):
    user = world.users.get(role)
    api = as_user(user, via=via)

    response = _call(api, endpoint, world)

    expected = endpoint.access[role]
    if expected == ALLOWED:
        assert response.status_code == endpoint.ok, response.json()
    elif expected == DENIED:
        assert response.status_code == 403
        assert response.json()["code"] == "forbidden"
        denied = AuditEntry.objects.get(action="denied")
        assert (denied.actor, denied.via) == (user, "api")
        assert denied.detail == f"{endpoint.method} {BASE}{endpoint.url(world)}"
    else:
        assert response.status_code == 401
        assert response.json()["code"] == "not_authenticated"
    if endpoint.wrote is not None:
        assert endpoint.wrote(world) is (expected == ALLOWED)


# Reception runs the diary and contact details but never receives clinical content.

RECEPTION_READS = [e for e in MATRIX if e.method == "GET" and e.access["reception"] == ALLOWED]


@pytest.mark.parametrize("endpoint", RECEPTION_READS, ids=[e.ids for e in RECEPTION_READS])
def test_reception_never_receives_the_clinical_summary(world, endpoint):
    response = _call(as_user(world.users["reception"]), endpoint, world)
    assert response.status_code == 200
    assert CLINICAL_HISTORY not in response.content.decode()
    assert "presenting_condition" not in response.content.decode()


def test_a_refused_write_by_token_leaves_no_change_entry(world):
    as_user(world.users["reception"]).put(
        f"/patients/{world.patient.pk}/clinical-summary",
        {"presenting_condition": ConditionChoice.WHIPLASH, "history": "Overwritten"},
    )
    assert ClinicalSummary.objects.get(patient=world.patient).history == CLINICAL_HISTORY
    assert (
        not AuditEntry.objects.filter(action__in=["create", "change"])
        .exclude(object_type="people.apitoken")
        .exists()
    )
