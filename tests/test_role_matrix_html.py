"""Who may open which page: every HTML route × every role → allowed, refused or sign in.

The table is checked against the URL resolver, so a new page without a row here fails
``test_every_html_route_has_a_row_in_the_matrix``. The JSON API under /api/ has its own
matrix. For each write, "allowed" means the change happened and "refused" means it did not.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core import mail
from django.urls import URLResolver, get_resolver, path, reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from acuclinic.audit.models import AuditEntry
from acuclinic.clinic.models import Clinic, Location, OpeningHours, Room, Service
from acuclinic.notifications.choices import MessageStatus
from acuclinic.notifications.models import Message, MessagingPolicy
from acuclinic.notifications.services import messaging_policy_for
from acuclinic.people.choices import ConditionChoice
from acuclinic.people.models import (
    CalendarFeedToken,
    ClinicalSummary,
    Credential,
    Patient,
    User,
)
from acuclinic.portal import testing as portal_testing
from acuclinic.scheduling import reminders
from acuclinic.scheduling.choices import AppointmentStatus
from acuclinic.scheduling.feeds import tokens as feed_tokens
from acuclinic.scheduling.models import (
    Appointment,
    RoomClosure,
    Series,
    WorkingException,
    WorkingPattern,
)
from acuclinic.testing import factories
from acuclinic.testing.module_db import module_rows

ALLOWED, DENIED, LOGIN = "allowed", "denied", "sign in first"
# Sent to the patient portal's sign-in page: not signed in there as a patient.
PORTAL_SIGN_IN = "sign in to the portal first"
# "patient" is a browser signed in to the patient portal (as the world's patient) and
# nothing else: to the staff pages it is nobody, and the portal is its own.
ROLES = ("admin", "practitioner", "reception", "outsider", "anonymous", "patient")

PUBLIC = dict.fromkeys(ROLES, ALLOWED)
SIGNED_IN = {**PUBLIC, "anonymous": LOGIN, "patient": LOGIN}
FRONT_DESK = {**SIGNED_IN, "outsider": DENIED}
CLINICAL = {**FRONT_DESK, "reception": DENIED}
ADMIN_ONLY = {**CLINICAL, "practitioner": DENIED}
# A practitioner's own things (their calendar feed): staff without a practitioner
# record, the clinic admin included, have none.
OWN_PRACTITIONER = {**FRONT_DESK, "reception": DENIED, "admin": DENIED}

# The patient's own pages: staff and strangers are sent to the portal's sign-in page.
PATIENT_ONLY = {**dict.fromkeys(ROLES, PORTAL_SIGN_IN), "patient": ALLOWED}

# Routes being added by other work, with their own tests: the API and account pages, and
# safety screening (its matrix: acuclinic/safety/tests/test_role_matrix.py), and the FHIR API
# (its role tests: acuclinic/interop/tests/test_fhir_api.py).
NOT_IN_THIS_MATRIX = ("api/", "account/", "safety/", "fhir/")

CLINICAL_HISTORY = "Sharp pain radiating to the left calf since a fall in the garden"
NEW_PASSWORD = "plum orchard lantern 73"


@dataclass
class World:
    """What every page needs: a patient with a clinical summary and one booked visit."""

    users: dict
    patient: Patient
    appointment: Appointment

    @property
    def slot_day(self):
        return timezone.localtime(self.appointment.start).date()


@dataclass
class Route:
    name: str
    method: str
    access: dict[str, str]
    ok: set[int]  # what a permitted request gets back
    kwargs: Callable[[World], dict] = lambda w: {}
    query: Callable[[World], str] = lambda w: ""
    data: Callable[[World], dict] = lambda w: {}
    # For writes: did the change happen (given who asked)? Checked both ways.
    wrote: Callable[[World, object], bool] | None = None
    ids: str = field(init=False)

    def __post_init__(self):
        self.ids = f"{self.method} {self.name}"

    def url(self, world: World) -> str:
        query = self.query(world)
        return reverse(self.name, kwargs=self.kwargs(world)) + (f"?{query}" if query else "")


def _patient(w: World) -> dict:
    return {"pk": w.patient.pk}


def _appointment(w: World) -> dict:
    return {"pk": w.appointment.pk}


def _slot(w: World, hour: int) -> dict:
    return {
        "date": w.slot_day.isoformat(),
        "time": f"{hour:02d}:00",
        "practitioner": w.appointment.practitioner_id,
        "room": w.appointment.room_id,
    }


def _password_is(user, password: str) -> bool:
    user.refresh_from_db()
    return user.check_password(password)


def _reset_link(w: World) -> dict:
    """The uid and token of a reset link for the reception account, as the email has."""
    user = w.users["reception"]
    return {
        "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
        "token": default_token_generator.make_token(user),
    }


def _reset_link_sent_to(user) -> bool:
    sent = [(message.to, "/password/reset/" in message.body) for message in mail.outbox]
    return sent == [([user.email], True)]


def _status(w: World) -> str:
    return Appointment.objects.get(pk=w.appointment.pk).status


class _Arriving:
    """A visit starting in ten minutes: inside the window for marking arrival."""

    def __init__(self, w: World):
        self.pk = factories.appointment(
            patient=w.patient,
            practitioner=w.appointment.practitioner,
            start=timezone.now() + timedelta(minutes=10),
        ).pk

    def status_now(self) -> str:
        return Appointment.objects.get(pk=self.pk).status


def _arriving(w: World) -> _Arriving:
    return _once(w, "arriving", lambda: _Arriving(w))


def _failed_reminder(w: World) -> dict:
    """A reminder for the visit whose sending failed for good, to send again."""
    appointment = w.appointment
    policy = messaging_policy_for(appointment.room.location.clinic)
    draft = reminders.draft_reminders(appointment, policy)[0]
    message, _ = Message.objects.get_or_create(
        kind=reminders.KIND,
        channel=draft.channel,
        dedupe_key=reminders.reminder_key(appointment),
        defaults={
            "recipient": draft.to,
            "subject": draft.subject,
            "body": draft.body,
            "appointment": appointment,
            "patient": appointment.patient,
            "status": MessageStatus.FAILED,
            "attempts": 1,
            "reason": "The mail server refused the message: 550 5.1.1 Mailbox unavailable",
            "claimed_at": timezone.now(),
        },
    )
    return {"pk": message.pk}


def _feed_secret(w: World) -> str:
    _, secret = feed_tokens.calendar_feed_issue(w.appointment.practitioner, user=None)
    return secret


def _with_live_feed(w: World, kwargs: dict) -> dict:
    _feed_secret(w)
    return kwargs


def _feed_is_live() -> bool:
    return CalendarFeedToken.objects.filter(revoked_at__isnull=True).exists()


MATRIX = [
    Route("home", "GET", SIGNED_IN, {302}),
    Route("login", "GET", PUBLIC, {200, 302}),
    Route(
        "login",
        "POST",
        PUBLIC,
        {302},
        data=lambda w: {"username": "outsider", "password": factories.PASSWORD},
    ),
    # Signing out is a POST (a link or an image cannot sign anyone out).
    Route("logout", "GET", PUBLIC, {405}),
    Route("logout", "POST", PUBLIC, {302}),
    Route("password_change", "GET", SIGNED_IN, {200}),
    Route(
        "password_change",
        "POST",
        SIGNED_IN,
        {302},
        data=lambda w: {
            "old_password": factories.PASSWORD,
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
        wrote=lambda w, user: user is not None and _password_is(user, NEW_PASSWORD),
    ),
    # Resetting a forgotten password is the same for everyone, signed in or not: the link
    # in the email is what proves who may set the password.
    Route("password_reset", "GET", PUBLIC, {200}),
    Route(
        "password_reset",
        "POST",
        PUBLIC,
        {302},
        data=lambda w: {"email": w.users["reception"].email},
        wrote=lambda w, user: _reset_link_sent_to(w.users["reception"]),
    ),
    Route("password_reset_done", "GET", PUBLIC, {200}),
    # A working link is swapped for one without the token in it (the token goes into the
    # session), so the page never leaks it to other sites in a Referer header.
    Route("password_reset_confirm", "GET", PUBLIC, {302}, kwargs=lambda w: _reset_link(w)),
    Route(
        "password_reset_confirm",
        "GET",
        PUBLIC,
        {200},
        kwargs=lambda w: {**_reset_link(w), "token": "bad-token"},
    ),
    Route("password_reset_complete", "GET", PUBLIC, {200}),
    Route(
        "patient_list",
        "GET",
        FRONT_DESK,
        {200},
        query=lambda w: f"q={w.patient.family_name}",
    ),
    Route("patient_create", "GET", FRONT_DESK, {200}),
    Route(
        "patient_create",
        "POST",
        FRONT_DESK,
        {302},
        data=lambda w: factories.patient_form_data(family_name="Newcombe"),
        wrote=lambda w, _: Patient.objects.filter(family_name="Newcombe").exists(),
    ),
    Route("patient_detail", "GET", FRONT_DESK, {200}, kwargs=_patient),
    Route("patient_edit", "GET", FRONT_DESK, {200}, kwargs=_patient),
    Route(
        "patient_edit",
        "POST",
        FRONT_DESK,
        {302},
        kwargs=_patient,
        data=lambda w: factories.patient_form_data(family_name="Renamed"),
        wrote=lambda w, _: Patient.objects.get(pk=w.patient.pk).family_name == "Renamed",
    ),
    Route("clinical_summary_edit", "GET", CLINICAL, {200}, kwargs=_patient),
    Route(
        "clinical_summary_edit",
        "POST",
        CLINICAL,
        {302},
        kwargs=_patient,
        data=lambda w: {"presenting_condition": ConditionChoice.SCIATICA, "history": "Better"},
        wrote=lambda w, _: ClinicalSummary.objects.filter(
            patient=w.patient, presenting_condition=ConditionChoice.SCIATICA
        ).exists(),
    ),
    Route("diary", "GET", FRONT_DESK, {200}),
    # The same diary as JSON for the JavaScript calendar (views/diary_feed.py).
    Route("diary_feed", "GET", FRONT_DESK, {200}),
    Route(
        "appointment_new",
        "GET",
        FRONT_DESK,
        {200},
        query=lambda w: f"patient={w.patient.pk}",
    ),
    Route(
        "appointment_new",
        "POST",
        FRONT_DESK,
        {302},
        data=lambda w: {
            "patient": w.patient.pk,
            "service": w.appointment.service_id,
            "channel": "phone",
            **_slot(w, 12),
        },
        wrote=lambda w, _: Appointment.objects.filter(patient=w.patient).count() == 2,
    ),
    Route("appointment_detail", "GET", FRONT_DESK, {200}, kwargs=_appointment),
    Route("appointment_move", "GET", FRONT_DESK, {200}, kwargs=_appointment),
    Route(
        "appointment_move",
        "POST",
        FRONT_DESK,
        {302},
        kwargs=_appointment,
        data=lambda w: _slot(w, 14),
        wrote=lambda w, _: (
            timezone.localtime(Appointment.objects.get(pk=w.appointment.pk).start).hour == 14
        ),
    ),
    # A card dropped on a free time in the diary (diary.js): a JSON answer.
    Route("appointment_drop", "GET", FRONT_DESK, {405}, kwargs=_appointment),
    Route(
        "appointment_drop",
        "POST",
        FRONT_DESK,
        {200},
        kwargs=_appointment,
        data=lambda w: {
            "start": timezone.localtime(w.appointment.start).replace(hour=15).isoformat(),
            "location": w.appointment.room.location_id,
            "practitioner": w.appointment.practitioner_id,
        },
        wrote=lambda w, _: (
            timezone.localtime(Appointment.objects.get(pk=w.appointment.pk).start).hour == 15
        ),
    ),
    # Cancelling and marking are POST actions; a GET just shows the appointment.
    # Moving and cancelling are confirmed first (GET), and can be undone for a while.
    Route("appointment_move_confirm", "GET", FRONT_DESK, {302}, kwargs=_appointment),
    Route("appointment_cancel_confirm", "GET", FRONT_DESK, {200}, kwargs=_appointment),
    Route("appointment_undo", "GET", FRONT_DESK, {405}, kwargs=_appointment),
    Route("appointment_undo", "POST", FRONT_DESK, {302}, kwargs=_appointment),
    Route("appointment_cancel", "GET", FRONT_DESK, {302}, kwargs=_appointment),
    Route(
        "appointment_cancel",
        "POST",
        FRONT_DESK,
        {302},
        kwargs=_appointment,
        data=lambda w: {"reason": "Unwell"},
        wrote=lambda w, _: _status(w) == AppointmentStatus.CANCELLED,
    ),
    Route("appointment_status", "GET", FRONT_DESK, {302}, kwargs=_appointment),
    Route(
        "appointment_status",
        "POST",
        FRONT_DESK,
        {302},
        kwargs=lambda w: {"pk": _arriving(w).pk},
        data=lambda w: {"status": AppointmentStatus.ARRIVED},
        wrote=lambda w, _: _arriving(w).status_now() == AppointmentStatus.ARRIVED,
    ),
    Route("audit_list", "GET", ADMIN_ONLY, {200}),
    Route("outbox", "GET", ADMIN_ONLY, {200}),
    Route(
        "message_retry",
        "POST",
        ADMIN_ONLY,
        {302},
        kwargs=_failed_reminder,
        wrote=lambda w, _: (
            Message.objects.get(appointment=w.appointment).status == MessageStatus.QUEUED
        ),
    ),
    Route("messaging_policy", "GET", ADMIN_ONLY, {200}),
    Route(
        "messaging_policy",
        "POST",
        ADMIN_ONLY,
        {302},
        data=lambda w: {"reminder_lead_hours": "24", "email_reminders": "on"},
        wrote=lambda w, _: MessagingPolicy.objects.filter(reminder_lead_hours=24).exists(),
    ),
    Route("calendar_feed", "GET", OWN_PRACTITIONER, {200}),
    Route(
        "calendar_feed",
        "POST",
        OWN_PRACTITIONER,
        {200},
        wrote=lambda w, _: CalendarFeedToken.objects.exists(),
    ),
    Route(
        "calendar_feed_revoke",
        "POST",
        OWN_PRACTITIONER,
        {302},
        kwargs=lambda w: _with_live_feed(w, {}),
        wrote=lambda w, _: not _feed_is_live(),
    ),
    # The feed itself needs no sign-in: the secret in its URL is the key.
    Route("calendar_feed_ics", "GET", PUBLIC, {200}, kwargs=lambda w: {"secret": _feed_secret(w)}),
    Route("calendar_feeds", "GET", ADMIN_ONLY, {200}),
    Route(
        "calendar_feed_revoke_for",
        "POST",
        ADMIN_ONLY,
        {302},
        kwargs=lambda w: _with_live_feed(w, {"pk": w.appointment.practitioner_id}),
        wrote=lambda w, _: not _feed_is_live(),
    ),
]


# Scheduling: courses of sessions, working time, room closures, finding a free time.


def _once(w: World, key: str, make):
    """Make a record once per test: the URL is built more than once per request."""
    made = w.__dict__.setdefault("made", {})
    if key not in made:
        made[key] = make()
    return made[key]


def _course(w: World):
    """Two weekly sessions for the patient, at 16:00 from the visit's day."""
    from acuclinic.scheduling import series

    def make():
        first = w.appointment.start.replace(hour=16)
        return series.series_book(
            patient=w.patient,
            practitioner=w.appointment.practitioner,
            room=w.appointment.room,
            service=w.appointment.service,
            first_start=timezone.localtime(first),
            sessions=2,
        )

    return _once(w, "course", make)


def _first_session(w: World) -> Appointment:
    return _course(w).appointments.get(series_index=1)


def _newcomer(w: World):
    """A practitioner with no working pattern yet."""
    return _once(
        w,
        "newcomer",
        lambda: factories.practitioner(
            "newcomer", qualified_medical=True, works_opening_hours=False
        ),
    )


def _pattern(w: World):
    return WorkingPattern.objects.filter(practitioner=w.appointment.practitioner).first()


def _leave(w: World):
    day = timezone.localdate() + timedelta(days=60)
    return _once(
        w,
        "leave",
        lambda: WorkingException.objects.create(
            practitioner=w.appointment.practitioner,
            kind="leave",
            first_day=day,
            last_day=day,
        ),
    )


def _closure(w: World):
    start = timezone.now() + timedelta(days=60)
    return _once(
        w,
        "closure",
        lambda: RoomClosure.objects.create(
            room=w.appointment.room, starts=start, ends=start + timedelta(hours=2)
        ),
    )


def _series_booking(w: World) -> dict:
    return {
        "patient": w.patient.pk,
        "service": w.appointment.service_id,
        "practitioner": w.appointment.practitioner_id,
        "room": w.appointment.room_id,
        "date": w.slot_day.isoformat(),
        "time": "16:00",
        "sessions": "2",
        "interval_weeks": "1",
        "channel": "phone",
        "action": "book",
    }


OWN_OR_ADMIN = CLINICAL  # admins see everyone's working time; a practitioner, their own

MATRIX += [
    Route(
        "free_slots",
        "GET",
        FRONT_DESK,
        {200},
        query=lambda w: (
            f"service={w.appointment.service_id}&location={w.appointment.room.location_id}"
        ),
    ),
    Route("series_new", "GET", FRONT_DESK, {200}, query=lambda w: f"patient={w.patient.pk}"),
    Route(
        "series_new",
        "POST",
        FRONT_DESK,
        {302},
        data=_series_booking,
        wrote=lambda w, _: Series.objects.filter(patient=w.patient).exists(),
    ),
    Route("series_detail", "GET", FRONT_DESK, {200}, kwargs=lambda w: {"pk": _course(w).pk}),
    Route(
        "appointment_move_rest",
        "GET",
        FRONT_DESK,
        {200},
        kwargs=lambda w: {"pk": _first_session(w).pk},
    ),
    Route(
        "appointment_move_rest",
        "POST",
        FRONT_DESK,
        {302},
        kwargs=lambda w: {"pk": _first_session(w).pk},
        data=lambda w: {**_slot(w, 17), "action": "move"},
        wrote=lambda w, _: timezone.localtime(_first_session(w).start).hour == 17,
    ),
    Route(
        "appointment_cancel_rest",
        "GET",
        FRONT_DESK,
        {302},
        kwargs=lambda w: {"pk": _first_session(w).pk},
    ),
    Route(
        "appointment_cancel_rest",
        "POST",
        FRONT_DESK,
        {302},
        kwargs=lambda w: {"pk": _first_session(w).pk},
        data=lambda w: {"reason": "Moving away", "by": "patient"},
        wrote=lambda w, _: not _course(w).appointments.filter(status="booked").exists(),
    ),
    # A practitioner is sent on to their own page; reception books from free times.
    Route("working_time", "GET", OWN_OR_ADMIN, {200, 302}),
    Route(
        "working_time_practitioner",
        "GET",
        OWN_OR_ADMIN,
        {200},
        kwargs=lambda w: {"pk": w.appointment.practitioner_id},
    ),
    Route(
        "working_pattern_add",
        "GET",
        ADMIN_ONLY,
        {302},
        kwargs=lambda w: {"pk": _newcomer(w).pk},
    ),
    Route(
        "working_pattern_add",
        "POST",
        ADMIN_ONLY,
        {302},
        kwargs=lambda w: {"pk": _newcomer(w).pk},
        data=lambda w: {
            "location": w.appointment.room.location_id,
            "weekday": "1",
            "starts": "09:00",
            "ends": "17:00",
            "valid_from": timezone.localdate().isoformat(),
        },
        wrote=lambda w, _: WorkingPattern.objects.filter(practitioner=_newcomer(w)).exists(),
    ),
    Route("working_pattern_end", "GET", ADMIN_ONLY, {302}, kwargs=lambda w: {"pk": _pattern(w).pk}),
    Route(
        "working_pattern_end",
        "POST",
        ADMIN_ONLY,
        {302},
        kwargs=lambda w: {"pk": _pattern(w).pk},
        data=lambda w: {"last_day": (timezone.localdate() + timedelta(days=90)).isoformat()},
        wrote=lambda w, _: _pattern(w).valid_until is not None,
    ),
    Route(
        "working_pattern_delete", "GET", ADMIN_ONLY, {302}, kwargs=lambda w: {"pk": _pattern(w).pk}
    ),
    Route(
        "working_pattern_delete",
        "POST",
        ADMIN_ONLY,
        {302},
        kwargs=lambda w: {"pk": _once(w, "doomed", lambda: _pattern(w)).pk},
        wrote=lambda w, _: not WorkingPattern.objects.filter(pk=w.made["doomed"].pk).exists(),
    ),
    Route("working_exception_add", "GET", ADMIN_ONLY, {302}),
    Route(
        "working_exception_add",
        "POST",
        ADMIN_ONLY,
        {302},
        data=lambda w: {
            "practitioner": w.appointment.practitioner_id,
            "kind": "training",
            "first_day": (timezone.localdate() + timedelta(days=40)).isoformat(),
            "last_day": (timezone.localdate() + timedelta(days=41)).isoformat(),
        },
        wrote=lambda w, _: WorkingException.objects.filter(kind="training").exists(),
    ),
    Route(
        "working_exception_delete", "GET", ADMIN_ONLY, {302}, kwargs=lambda w: {"pk": _leave(w).pk}
    ),
    Route(
        "working_exception_delete",
        "POST",
        ADMIN_ONLY,
        {302},
        kwargs=lambda w: {"pk": _leave(w).pk},
        wrote=lambda w, _: not WorkingException.objects.filter(pk=_leave(w).pk).exists(),
    ),
    Route("room_closures", "GET", FRONT_DESK, {200}),
    Route("room_closure_add", "GET", ADMIN_ONLY, {302}),
    Route(
        "room_closure_add",
        "POST",
        ADMIN_ONLY,
        {302},
        data=lambda w: {
            "room": w.appointment.room_id,
            "first_day": (timezone.localdate() + timedelta(days=50)).isoformat(),
            "first_time": "08:00",
            "last_day": (timezone.localdate() + timedelta(days=50)).isoformat(),
            "last_time": "12:00",
            "reason": "New couch",
        },
        wrote=lambda w, _: RoomClosure.objects.filter(reason="New couch").exists(),
    ),
    Route("room_closure_delete", "GET", ADMIN_ONLY, {302}, kwargs=lambda w: {"pk": _closure(w).pk}),
    Route(
        "room_closure_delete",
        "POST",
        ADMIN_ONLY,
        {302},
        kwargs=lambda w: {"pk": _closure(w).pk},
        wrote=lambda w, _: not RoomClosure.objects.filter(pk=_closure(w).pk).exists(),
    ),
]


# The treatment record: the catalogue, session notes, needle stock, adverse events. Only
# the practitioner who saw the patient charts and signs (TREATING); clinic admins read
# notes, run stock and recalls, close follow-ups and set the charting limits.

TREATING = {**CLINICAL, "admin": DENIED}


def _treatment(w: World):
    from acuclinic.testing.treatment import role_matrix_world

    return _once(w, "treatment", lambda: role_matrix_world(w.appointment.practitioner))


def _draft(w: World) -> dict:
    return {"pk": _treatment(w).draft.pk}


def _revision(w: World) -> str:
    return str(_treatment(w).draft_now().revision or 0)


POINT_FORM = {"side": "bilateral", "depth_mm": "20", "retention_minutes": "20"}

MATRIX += [
    # A practitioner's own day; other clinicians are sent on to the diary.
    Route("my_day", "GET", CLINICAL, {200, 302}),
    Route("treatment_home", "GET", FRONT_DESK, {200}),
    Route("treatment_points", "GET", CLINICAL, {200}, query=lambda w: "q=BL23"),
    Route(
        "treatment_note_start",
        "GET",
        CLINICAL,
        {200},
        kwargs=lambda w: {"pk": _treatment(w).unstarted.pk},
    ),
    Route(
        "treatment_note_start",
        "POST",
        TREATING,
        {302},
        kwargs=lambda w: {"pk": _treatment(w).unstarted.pk},
        wrote=lambda w, _: _treatment(w).started(),
    ),
    Route("treatment_note", "GET", CLINICAL, {200}, kwargs=_draft),
    Route("treatment_note_save", "GET", TREATING, {302}, kwargs=_draft),
    Route(
        "treatment_note_save",
        "POST",
        TREATING,
        {302},
        kwargs=_draft,
        data=lambda w: {"revision": _revision(w), "pain_before": "4", "plan": "One form plan"},
        wrote=lambda w, _: _treatment(w).draft_now().plan == "One form plan",
    ),
    Route("treatment_note_autosave", "GET", TREATING, {405}, kwargs=_draft),
    Route(
        "treatment_note_autosave",
        "POST",
        TREATING,
        {200},
        kwargs=_draft,
        data=lambda w: {"revision": _revision(w), "plan": "Autosaved plan"},
        wrote=lambda w, _: _treatment(w).draft_now().plan == "Autosaved plan",
    ),
    Route(
        "treatment_note_near", "GET", TREATING, {200}, kwargs=_draft, query=lambda w: "x=120&y=360"
    ),
    Route("treatment_note_details", "GET", TREATING, {302}, kwargs=_draft),
    Route(
        "treatment_note_details",
        "POST",
        TREATING,
        {302},
        kwargs=_draft,
        data=lambda w: {
            "pain_before": "4",
            "needles_out": "7",
            "needles_in": "7",
            "aftercare": ["keep-clean"],
            "plan": "Matrix plan",
        },
        wrote=lambda w, _: _treatment(w).draft_now().plan == "Matrix plan",
    ),
    Route("treatment_note_points", "GET", TREATING, {302}, kwargs=_draft),
    Route(
        "treatment_note_points",
        "POST",
        TREATING,
        {302},
        kwargs=_draft,
        data=lambda w: {"codes": "ST36", "stimulation": "manual", **POINT_FORM},
        wrote=lambda w, _: "ST36" in _treatment(w).draft_codes(),
    ),
    Route(
        "treatment_note_point_remove",
        "GET",
        TREATING,
        {302},
        kwargs=lambda w: {**_draft(w), "point_pk": _treatment(w).first_point},
    ),
    Route(
        "treatment_note_point_remove",
        "POST",
        TREATING,
        {302},
        kwargs=lambda w: {**_draft(w), "point_pk": _treatment(w).first_point},
        wrote=lambda w, _: not _treatment(w).has_first_point(),
    ),
    Route("treatment_note_prefill", "GET", TREATING, {302}, kwargs=_draft),
    Route(
        "treatment_note_prefill",
        "POST",
        TREATING,
        {302},
        kwargs=_draft,
        data=lambda w: {"source": "last"},
        wrote=lambda w, _: len(_treatment(w).draft_codes()) == 8,
    ),
    Route("treatment_note_needles", "GET", TREATING, {302}, kwargs=_draft),
    Route(
        "treatment_note_needles",
        "POST",
        TREATING,
        {302},
        kwargs=_draft,
        data=lambda w: {"lot": _treatment(w).lot.pk, "count": "2"},
        wrote=lambda w, _: _treatment(w).needles_on_draft() == 9,
    ),
    Route(
        "treatment_note_needle_remove",
        "GET",
        TREATING,
        {302},
        kwargs=lambda w: {**_draft(w), "use_pk": _treatment(w).first_use},
    ),
    Route(
        "treatment_note_needle_remove",
        "POST",
        TREATING,
        {302},
        kwargs=lambda w: {**_draft(w), "use_pk": _treatment(w).first_use},
        wrote=lambda w, _: _treatment(w).needles_on_draft() == 0,
    ),
    Route("treatment_note_sign", "GET", TREATING, {302}, kwargs=_draft),
    Route(
        "treatment_note_sign",
        "POST",
        TREATING,
        {302},
        kwargs=_draft,
        wrote=lambda w, _: _treatment(w).draft_now().is_signed,
    ),
    Route(
        "treatment_note_addendum",
        "GET",
        TREATING,
        {302},
        kwargs=lambda w: {"pk": _treatment(w).signed.pk},
    ),
    Route(
        "treatment_note_addendum",
        "POST",
        TREATING,
        {302},
        kwargs=lambda w: {"pk": _treatment(w).signed.pk},
        data=lambda w: {"text": "Phoned the next day: no soreness."},
        wrote=lambda w, _: _treatment(w).addenda() == 1,
    ),
    Route("treatment_note_adverse_event", "GET", TREATING, {302}, kwargs=_draft),
    Route(
        "treatment_note_adverse_event",
        "POST",
        TREATING,
        {302},
        kwargs=_draft,
        data=lambda w: {
            "event_type": "bruising",
            "severity": "mild",
            "severe_or_lasting": "no",
            "action_taken": "Pressure.",
        },
        wrote=lambda w, _: _treatment(w).events_on_draft() == 1,
    ),
    Route("treatment_adverse_events", "GET", CLINICAL, {200}),
    Route(
        "treatment_follow_up_close",
        "GET",
        ADMIN_ONLY,
        {200},
        kwargs=lambda w: {"pk": _treatment(w).follow_up.pk},
    ),
    Route(
        "treatment_follow_up_close",
        "POST",
        ADMIN_ONLY,
        {302},
        kwargs=lambda w: {"pk": _treatment(w).follow_up.pk},
        data=lambda w: {"outcome": "Well the next day; technique reviewed."},
        wrote=lambda w, _: _treatment(w).follow_up_closed(),
    ),
    Route("treatment_report", "GET", CLINICAL, {200}),
    Route("treatment_lots", "GET", FRONT_DESK, {200}),
    Route("treatment_lot_new", "GET", ADMIN_ONLY, {200}),
    Route(
        "treatment_lot_new",
        "POST",
        ADMIN_ONLY,
        {302},
        data=lambda w: {
            "manufacturer": "Northgate Medical",
            "diameter_mm": "0.30",
            "length_mm": "50",
            "lot_number": "NG-MATRIX",
            "expires_on": (timezone.localdate() + timedelta(days=400)).isoformat(),
            "received_on": timezone.localdate().isoformat(),
            "quantity": "100",
        },
        wrote=lambda w, _: _treatment(w).lot_received("NG-MATRIX"),
    ),
    Route("treatment_lot", "GET", FRONT_DESK, {200}, kwargs=lambda w: {"pk": _treatment(w).lot.pk}),
    Route(
        "treatment_lot_recall",
        "GET",
        ADMIN_ONLY,
        {302},
        kwargs=lambda w: {"pk": _treatment(w).lot.pk},
    ),
    Route(
        "treatment_lot_recall",
        "POST",
        ADMIN_ONLY,
        {302},
        kwargs=lambda w: {"pk": _treatment(w).lot.pk},
        data=lambda w: {"reason": "Manufacturer's field safety notice"},
        wrote=lambda w, _: _treatment(w).lot_recalled(),
    ),
    Route("treatment_prescriptions", "GET", TREATING, {200}),
    Route(
        "treatment_prescriptions",
        "POST",
        TREATING,
        {302},
        data=lambda w: {"name": "Neck", "codes": "GB20", "stimulation": "manual", **POINT_FORM},
        wrote=lambda w, _: _treatment(w).prescription_saved("Neck"),
    ),
    Route(
        "treatment_prescription_delete",
        "GET",
        TREATING,
        {302},
        kwargs=lambda w: {"pk": _treatment(w).prescription.pk},
    ),
    Route(
        "treatment_prescription_delete",
        "POST",
        TREATING,
        {302},
        kwargs=lambda w: {"pk": _treatment(w).prescription.pk},
        wrote=lambda w, _: not _treatment(w).prescription_kept(),
    ),
    Route("treatment_policy", "GET", ADMIN_ONLY, {200}),
    Route(
        "treatment_policy",
        "POST",
        ADMIN_ONLY,
        {302},
        data=lambda w: {"max_retention_minutes": "30", "lot_expiry_warning_days": "60"},
        wrote=lambda w, _: _treatment(w).retention_limit() == 30,
    ),
]


# The patient portal: signing in by emailed link, the patient's appointments, aftercare.


def _portal_token(w: World) -> dict:
    """A fresh sign-in link for the world's patient; its token, as the email carries it."""
    from acuclinic.portal import services as portal

    def make():
        tokens = []
        portal.sign_in_link_request(
            email=w.patient.email,
            date_of_birth=w.patient.date_of_birth,
            client_address=None,
            url_for=lambda token: tokens.append(token) or f"/portal/sign-in/{token}/",
        )
        return tokens[0]

    return {"token": _once(w, "portal_token", make)}


def _portal_link_used(w: World) -> bool:
    from acuclinic.portal.models import SignInLink

    return SignInLink.objects.filter(patient=w.patient, used_at__isnull=False).exists()


def _portal_sign_in_form(w: World) -> dict:
    born = w.patient.date_of_birth
    return {"email": w.patient.email, "day": born.day, "month": born.month, "year": born.year}


def _questionnaire_link_made(w: World) -> bool:
    from acuclinic.safety.models import QuestionnaireLink

    return QuestionnaireLink.objects.filter(patient=w.patient).exists()


# Whoever holds a link may use it, except a staff member signed in in that browser.
LINK_HOLDER = {
    **PUBLIC,
    **dict.fromkeys(("admin", "practitioner", "reception", "outsider"), PORTAL_SIGN_IN),
}

MATRIX += [
    # Asking for a link: anyone, and the page is the same whoever asks.
    Route("portal_sign_in", "GET", PUBLIC, {200, 302}),
    Route(
        "portal_sign_in",
        "POST",
        PUBLIC,
        {200},
        data=_portal_sign_in_form,
        wrote=lambda w, _: Message.objects.filter(kind="portal_sign_in").exists(),
    ),
    # The link: a staff member signed in is sent away and the link stays unused.
    Route(
        "portal_link",
        "GET",
        LINK_HOLDER,
        {200},
        kwargs=_portal_token,
    ),
    Route(
        "portal_link",
        "POST",
        LINK_HOLDER,
        {302},
        kwargs=_portal_token,
        wrote=lambda w, _: _portal_link_used(w),
    ),
    Route("portal_sign_out", "GET", PUBLIC, {405}),
    Route("portal_sign_out", "POST", PUBLIC, {302}),
    Route("portal_home", "GET", PATIENT_ONLY, {200}),
    Route("portal_appointment_cancel", "GET", PATIENT_ONLY, {200}, kwargs=_appointment),
    Route(
        "portal_appointment_cancel",
        "POST",
        PATIENT_ONLY,
        {302},
        kwargs=_appointment,
        data=lambda w: {"reason": "Away"},
        wrote=lambda w, _: _status(w) == AppointmentStatus.CANCELLED,
    ),
    Route("portal_appointment_move", "GET", PATIENT_ONLY, {200}, kwargs=_appointment),
    Route(
        "portal_appointment_move",
        "POST",
        PATIENT_ONLY,
        {302},
        kwargs=_appointment,
        data=lambda w: {
            "start": timezone.localtime(w.appointment.start).replace(hour=14).isoformat()
        },
        wrote=lambda w, _: (
            timezone.localtime(Appointment.objects.get(pk=w.appointment.pk).start).hour == 14
        ),
    ),
    Route("portal_questionnaire", "GET", PATIENT_ONLY, {405}),
    Route(
        "portal_questionnaire",
        "POST",
        PATIENT_ONLY,
        {302},
        wrote=lambda w, _: _questionnaire_link_made(w),
    ),
    # General advice, linked from emails: open to anyone.
    Route("portal_aftercare", "GET", PUBLIC, {200}),
]


# Online booking, enquiries and the waitlist. The public pages (/book/) need no sign-in:
# a link from an email carries its own key, whoever opens it.


def _online_start(w: World):
    """A free time at 15:00 on the visit's day, as the details page's address carries it."""
    return timezone.localtime(w.appointment.start).replace(hour=15)


def _online_choice(w: World) -> dict:
    return {
        "service": w.appointment.service_id,
        "location": w.appointment.room.location_id,
        "time": _online_start(w).isoformat(),
    }


def _online_person(w: World) -> dict:
    from acuclinic.online_booking import botcheck

    return {
        **_online_choice(w),
        "given_name": "Nell",
        "family_name": "Onlineby",
        "dob_day": "1",
        "dob_month": "6",
        "dob_year": "1975",
        "email": "nell.onlineby@example.test",
        "started": botcheck.started_stamp(timezone.now() - timedelta(minutes=1)),
    }


def _online_details_query(w: World) -> str:
    from urllib.parse import urlencode

    return urlencode(_online_choice(w))


def _done_token(w: World) -> dict:
    from acuclinic.online_booking import services as online

    return {"token": online.done_token(w.appointment)}


def _enquiry_named(name: str) -> bool:
    from acuclinic.enquiries.models import Enquiry

    return Enquiry.objects.filter(name=name).exists()


def _manage_token(w: World) -> dict:
    from acuclinic.online_booking import services as online

    return {"token": online.manage_token(w.appointment)}


def _enquiry(w: World):
    from acuclinic.enquiries import services as enquiries

    return _once(
        w,
        "enquiry",
        lambda: enquiries.enquiry_receive_web(
            name="Vera Asking", email="vera.asking@example.test", message="Do you treat knees?"
        ),
    )


def _enquiry_now(w: World):
    from acuclinic.enquiries.models import Enquiry

    return Enquiry.objects.get(pk=_enquiry(w).pk)


def _enquiry_for_patient(w: World):
    from acuclinic.enquiries import services as enquiries

    return _once(
        w,
        "enquiry_linked",
        lambda: enquiries.enquiry_link_patient(_enquiry(w), patient=w.patient, user=None),
    )


def _online_booking(w: World):
    """A booking the public pages made under a new record, waiting for reception."""
    from datetime import date

    from acuclinic.online_booking import services as online

    def make():
        return online.book(
            choice=online.Choice(
                service=w.appointment.service,
                location=w.appointment.room.location,
                practitioner=None,
                start=_online_start(w),
            ),
            details=online.Details(
                given_name="Nell",
                family_name="Onlineby",
                date_of_birth=date(1975, 6, 1),
                email="nell.onlineby@example.test",
            ),
            link_for=lambda path: "http://testserver" + path,
        )

    return _once(w, "online_booking", make)


def _waitlist_entry(w: World):
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


def _offer_token(w: World) -> dict:
    """An offer of 15:00 on the visit's day to the patient waiting; the emailed token."""
    import re

    from acuclinic.waitlist import services as waitlist

    def make():
        _waitlist_entry(w)
        start = _online_start(w)
        waitlist.offer_freed_time(
            practitioner=w.appointment.practitioner,
            location=w.appointment.room.location,
            start=start,
            end=start + timedelta(minutes=w.appointment.service.duration_minutes),
        )
        body = Message.objects.get(kind="waitlist_offer").body
        return re.search(r"/book/offer/([^/\s]+)/", body)[1]

    return {"token": _once(w, "offer_token", make)}


def _online_booking_checked(w: World) -> bool:
    from acuclinic.online_booking.models import OnlineBooking

    return OnlineBooking.objects.get(pk=_online_booking(w).pk).checked_at is not None


def _waitlist_status(w: World) -> str:
    from acuclinic.waitlist.models import WaitlistEntry

    return WaitlistEntry.objects.get(pk=_waitlist_entry(w).pk).status


MATRIX += [
    Route("online_start", "GET", PUBLIC, {200}),
    Route(
        "online_times",
        "GET",
        PUBLIC,
        {200},
        query=lambda w: (
            f"service={w.appointment.service_id}&location={w.appointment.room.location_id}"
        ),
    ),
    Route("online_details", "GET", PUBLIC, {200}, query=_online_details_query),
    Route(
        "online_details",
        "POST",
        PUBLIC,
        {302},
        data=_online_person,
        wrote=lambda w, _: Appointment.objects.filter(
            channel="web", patient__family_name="Onlineby"
        ).exists(),
    ),
    Route("online_done", "GET", PUBLIC, {200}, kwargs=_done_token),
    Route("online_manage", "GET", PUBLIC, {200}, kwargs=_manage_token),
    Route(
        "online_manage",
        "POST",
        PUBLIC,
        {302},
        kwargs=_manage_token,
        wrote=lambda w, _: _status(w) == AppointmentStatus.CANCELLED,
    ),
    Route("online_contact", "GET", PUBLIC, {200}),
    Route(
        "online_contact",
        "POST",
        PUBLIC,
        {302},
        data=lambda w: {
            "name": "Vera Asking",
            "email": "vera.asking@example.test",
            "message": "Do you treat knees?",
            "started": _online_person(w)["started"],
        },
        wrote=lambda w, _: _enquiry_named("Vera Asking"),
    ),
    Route("online_contact_sent", "GET", PUBLIC, {200}),
    Route("waitlist_offer", "GET", PUBLIC, {200}, kwargs=_offer_token),
    Route(
        "waitlist_offer",
        "POST",
        PUBLIC,
        {200},
        kwargs=_offer_token,
        data=lambda w: {"answer": "accept"},
        wrote=lambda w, _: _waitlist_status(w) == "booked",
    ),
    # Reception's inbox and waitlist.
    Route("enquiry_list", "GET", FRONT_DESK, {200}),
    Route("enquiry_new", "GET", FRONT_DESK, {200}),
    Route(
        "enquiry_new",
        "POST",
        FRONT_DESK,
        {302},
        data=lambda w: {
            "channel": "phone",
            "name": "Phoebe Caller",
            "phone": "07700 900555",
            "message": "Wants a Saturday appointment",
            "received_on": timezone.localdate().isoformat(),
            "received_time": "00:01",
        },
        wrote=lambda w, _: _enquiry_named("Phoebe Caller"),
    ),
    Route("enquiry_detail", "GET", FRONT_DESK, {200}, kwargs=lambda w: {"pk": _enquiry(w).pk}),
    Route("enquiry_update", "GET", FRONT_DESK, {405}, kwargs=lambda w: {"pk": _enquiry(w).pk}),
    Route(
        "enquiry_update",
        "POST",
        FRONT_DESK,
        {302},
        kwargs=lambda w: {"pk": _enquiry(w).pk},
        data=lambda w: {"status": "replied", "notes": "Phoned back"},
        wrote=lambda w, _: _enquiry_now(w).status == "replied",
    ),
    Route("enquiry_book", "GET", FRONT_DESK, {200}, kwargs=lambda w: {"pk": _enquiry(w).pk}),
    Route("enquiry_patient", "GET", FRONT_DESK, {405}, kwargs=lambda w: {"pk": _enquiry(w).pk}),
    Route(
        "enquiry_patient",
        "POST",
        FRONT_DESK,
        {302},
        kwargs=lambda w: {"pk": _enquiry(w).pk},
        data=lambda w: {"patient": w.patient.pk},
        wrote=lambda w, _: _enquiry_now(w).patient_id == w.patient.pk,
    ),
    Route("enquiry_new_patient", "GET", FRONT_DESK, {405}, kwargs=lambda w: {"pk": _enquiry(w).pk}),
    Route(
        "enquiry_new_patient",
        "POST",
        FRONT_DESK,
        {302},
        kwargs=lambda w: {"pk": _enquiry(w).pk},
        data=lambda w: factories.patient_form_data(family_name="Asking"),
        wrote=lambda w, _: Patient.objects.filter(family_name="Asking").exists(),
    ),
    Route("enquiry_book_slot", "GET", FRONT_DESK, {405}, kwargs=lambda w: {"pk": _enquiry(w).pk}),
    Route(
        "enquiry_book_slot",
        "POST",
        FRONT_DESK,
        {302},
        kwargs=lambda w: {"pk": _enquiry_for_patient(w).pk},
        data=lambda w: {
            "service": w.appointment.service_id,
            "practitioner": w.appointment.practitioner_id,
            "room": w.appointment.room_id,
            "start": _online_start(w).isoformat(),
        },
        wrote=lambda w, _: _enquiry_now(w).status == "booked",
    ),
    Route("online_checks", "GET", FRONT_DESK, {200}),
    Route(
        "online_check_done",
        "GET",
        FRONT_DESK,
        {405},
        kwargs=lambda w: {"pk": _online_booking(w).pk},
    ),
    Route(
        "online_check_done",
        "POST",
        FRONT_DESK,
        {302},
        kwargs=lambda w: {"pk": _online_booking(w).pk},
        data=lambda w: {"note": "A new patient"},
        wrote=lambda w, _: _online_booking_checked(w),
    ),
    Route("waitlist_list", "GET", FRONT_DESK, {200}),
    Route("waitlist_add", "GET", FRONT_DESK, {200}, kwargs=_patient),
    Route(
        "waitlist_add",
        "POST",
        FRONT_DESK,
        {302},
        kwargs=_patient,
        data=lambda w: {
            "service": w.appointment.service_id,
            "location": w.appointment.room.location_id,
            "weekdays": ["0", "1", "2", "3", "4"],
            "earliest": "08:00",
            "latest": "12:00",
            "until": (timezone.localdate() + timedelta(days=30)).isoformat(),
        },
        wrote=lambda w, _: w.patient.waitlist.exists(),
    ),
    Route(
        "waitlist_detail", "GET", FRONT_DESK, {200}, kwargs=lambda w: {"pk": _waitlist_entry(w).pk}
    ),
    Route(
        "waitlist_remove", "GET", FRONT_DESK, {405}, kwargs=lambda w: {"pk": _waitlist_entry(w).pk}
    ),
    Route(
        "waitlist_remove",
        "POST",
        FRONT_DESK,
        {302},
        kwargs=lambda w: {"pk": _waitlist_entry(w).pk},
        wrote=lambda w, _: _waitlist_status(w) == "removed",
    ),
]


# Outcomes: the course, its measures and planner, the clinic report (acuclinic/outcomes).
# Practitioners record questionnaires and decide about courses (PRACTISING); clinic admins
# read them, the report and set the planner's thresholds. The patient's progress pages
# sit in the portal.

PRACTISING = {**CLINICAL, "admin": DENIED}


def _outcomes(w: World):
    """The world's patient improving over four weekly sessions, and a second patient
    whose six sessions brought no change (a review is due)."""
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


def _patient_with_courses(w: World) -> dict:
    _outcomes(w)
    return _patient(w)


def _outcome_measure(w: World, code: str) -> bool:
    from acuclinic.outcomes.models import Measurement

    return Measurement.objects.filter(patient=w.patient, measure=code).exists()


def _course_closed(w: World) -> bool:
    from acuclinic.outcomes.models import Course

    return Course.objects.get(pk=_outcomes(w)[0].pk).ended_on is not None


def _policy_trial(w: World) -> int | None:
    from acuclinic.outcomes.models import OutcomesPolicy

    policy = OutcomesPolicy.objects.first()
    return policy.trial_sessions if policy else None


def _outcome_booking(w: World) -> dict:
    _outcomes(w)
    start = factories.next_weekday_at(15, days_ahead=9)
    return {
        "start": start.isoformat(),
        "practitioner": w.appointment.practitioner_id,
        "room": w.appointment.room_id,
        "service": w.appointment.service_id,
    }


def _booked_at_three(w: World) -> bool:
    return Appointment.objects.filter(
        patient=w.patient, start=factories.next_weekday_at(15, days_ahead=9)
    ).exists()


POLICY_FORM = {
    "pain_mcid_kind": "points",
    "pain_mcid_points": "2",
    "pain_mcid_percent": "30",
    "improving_sessions": "2",
    "taper_sessions": "2",
    "relapse_measures": "2",
    "trial_sessions": "8",
    "initial_interval_days": "7",
    "taper_interval_days": "14",
    "maintenance_interval_days": "28",
    "contact_cap_minutes": "300",
    "diary_every_days": "7",
}

MATRIX += [
    Route("outcomes_report", "GET", CLINICAL, {200}),
    Route("outcomes_report_csv", "GET", CLINICAL, {200}),
    Route("outcomes_policy", "GET", ADMIN_ONLY, {200}),
    Route(
        "outcomes_policy",
        "POST",
        ADMIN_ONLY,
        {302},
        data=lambda w: POLICY_FORM,
        wrote=lambda w, _: _policy_trial(w) == 8,
    ),
    Route("outcomes_patient", "GET", CLINICAL, {200}, kwargs=_patient_with_courses),
    Route("outcomes_patient_summary", "GET", CLINICAL, {200}, kwargs=_patient),
    Route(
        "outcomes_measure_new",
        "GET",
        PRACTISING,
        {200},
        kwargs=lambda w: {**_patient(w), "code": "rmdq"},
    ),
    Route(
        "outcomes_measure_new",
        "POST",
        PRACTISING,
        {302},
        kwargs=lambda w: {**_patient(w), "code": "rmdq"},
        data=lambda w: {"taken_on": timezone.localdate().isoformat(), "total": "12"},
        wrote=lambda w, _: _outcome_measure(w, "rmdq"),
    ),
    Route(
        "outcomes_course_review",
        "GET",
        PRACTISING,
        {302},
        kwargs=lambda w: {"pk": _outcomes(w)[1].pk},
    ),
    Route(
        "outcomes_course_review",
        "POST",
        PRACTISING,
        {302},
        kwargs=lambda w: {"pk": _outcomes(w)[1].pk},
        data=lambda w: {"decision": "continue", "note": "Agreed four more sessions."},
        wrote=lambda w, _: _outcomes(w)[1].reviews.exists(),
    ),
    Route(
        "outcomes_course_close",
        "GET",
        PRACTISING,
        {302},
        kwargs=lambda w: {"pk": _outcomes(w)[0].pk},
    ),
    Route(
        "outcomes_course_close",
        "POST",
        PRACTISING,
        {302},
        kwargs=lambda w: {"pk": _outcomes(w)[0].pk},
        data=lambda w: {"reason": "discharged", "ended_on": timezone.localdate().isoformat()},
        wrote=lambda w, _: _course_closed(w),
    ),
    Route(
        "outcomes_course_book",
        "GET",
        CLINICAL,
        {405},
        kwargs=lambda w: {"pk": _outcomes(w)[0].pk},
    ),
    Route(
        "outcomes_course_book",
        "POST",
        CLINICAL,
        {302},
        kwargs=lambda w: {"pk": _outcomes(w)[0].pk},
        data=_outcome_booking,
        wrote=lambda w, _: _booked_at_three(w),
    ),
    Route("portal_progress", "GET", PATIENT_ONLY, {200}),
    Route("portal_progress_diary", "GET", PATIENT_ONLY, {200}),
    Route(
        "portal_progress_diary",
        "POST",
        PATIENT_ONLY,
        {302},
        data=lambda w: {"pain": "4", "taken_on": timezone.localdate().isoformat()},
        wrote=lambda w, _: _outcome_measure(w, "nprs"),
    ),
    Route(
        "portal_progress_measure",
        "GET",
        PATIENT_ONLY,
        {200},
        kwargs=lambda w: {"code": "pgic"},
    ),
    Route(
        "portal_progress_measure",
        "POST",
        PATIENT_ONLY,
        {302},
        kwargs=lambda w: {"code": "pgic"},
        data=lambda w: {"item_1": "2"},
        wrote=lambda w, _: _outcome_measure(w, "pgic"),
    ),
]


# The clinic's booking rules (acuclinic/clinic): clinic admins only.


def _location(w: World) -> dict:
    return {"pk": w.appointment.room.location_id}


def _insurance(w: World) -> int:
    return Credential.objects.get(
        practitioner_id=w.appointment.practitioner_id, kind="insurance"
    ).pk


def _cancellation_notice() -> int:
    from acuclinic.clinic.models import Clinic

    return Clinic.objects.get().cancellation_notice_hours


MATRIX += [
    Route("favicon", "GET", PUBLIC, {301}),
    Route("clinic_details", "GET", ADMIN_ONLY, {200}),
    Route(
        "clinic_details",
        "POST",
        ADMIN_ONLY,
        {302},
        data=lambda w: {"name": "Renamed Clinic", "phone": "0113 496 0001", "email": ""},
        wrote=lambda w, _: Clinic.objects.filter(name="Renamed Clinic").exists(),
    ),
    Route("service_list", "GET", FRONT_DESK, {200}),
    Route("service_new", "GET", ADMIN_ONLY, {200}),
    Route(
        "service_new",
        "POST",
        ADMIN_ONLY,
        {302},
        data=lambda w: {
            "name": "Cupping",
            "modality": "follow_up",
            "duration_minutes": "30",
            "turnover_minutes": "0",
            "price": "40.00",
            "is_active": "on",
        },
        wrote=lambda w, _: Service.objects.filter(name="Cupping").exists(),
    ),
    Route(
        "service_edit", "GET", ADMIN_ONLY, {200}, kwargs=lambda w: {"pk": w.appointment.service_id}
    ),
    # Locations, opening hours and rooms; practitioners and credentials (clinic set-up).
    # Public branding: anyone may fetch the logo; this clinic has none, hence 404.
    Route("clinic_logo", "GET", PUBLIC, {404}, kwargs=lambda w: {"digest": "0" * 16}),
    Route("location_list", "GET", ADMIN_ONLY, {200}),
    Route("location_new", "GET", ADMIN_ONLY, {200}),
    Route(
        "location_new",
        "POST",
        ADMIN_ONLY,
        {302},
        data=lambda w: {
            "name": "Northgate",
            "address_line1": "1 High St",
            "town": "Testford",
            "postcode": "TE2 2ND",
            "is_active": "on",
        },
        wrote=lambda w, _: Location.objects.filter(name="Northgate").exists(),
    ),
    Route("location_edit", "GET", ADMIN_ONLY, {200}, kwargs=lambda w: _location(w)),
    Route("location_hours", "GET", ADMIN_ONLY, {200}, kwargs=lambda w: _location(w)),
    Route(
        "location_hours",
        "POST",
        ADMIN_ONLY,
        {302},
        kwargs=lambda w: _location(w),
        data=lambda w: {"opens_6_1": "10:00", "closes_6_1": "14:00"},
        wrote=lambda w, _: OpeningHours.objects.filter(weekday=6).exists(),
    ),
    Route(
        "room_add",
        "POST",
        ADMIN_ONLY,
        {302},
        kwargs=lambda w: _location(w),
        data=lambda w: {"room-name": "Room 9", "room-has_couch": "on"},
        wrote=lambda w, _: Room.objects.filter(name="Room 9").exists(),
    ),
    Route("room_edit", "GET", ADMIN_ONLY, {200}, kwargs=lambda w: {"pk": w.appointment.room_id}),
    Route(
        "room_retire",
        "POST",
        ADMIN_ONLY,
        {302},
        kwargs=lambda w: {"pk": w.appointment.room_id},
        data=lambda w: {"retire": "1"},
        wrote=lambda w, _: not Room.objects.get(pk=w.appointment.room_id).is_active,
    ),
    # The room has a visit: refused for everyone, the admin told to retire it instead.
    Route(
        "room_delete",
        "POST",
        ADMIN_ONLY,
        {302},
        kwargs=lambda w: {"pk": w.appointment.room_id},
    ),
    Route("practitioner_list", "GET", ADMIN_ONLY, {200}),
    Route("practitioner_new", "GET", ADMIN_ONLY, {200}),
    Route(
        "practitioner_detail",
        "GET",
        ADMIN_ONLY,
        {200},
        kwargs=lambda w: {"pk": w.appointment.practitioner_id},
    ),
    Route(
        "credential_add",
        "POST",
        ADMIN_ONLY,
        {302},
        kwargs=lambda w: {"pk": w.appointment.practitioner_id},
        data=lambda w: {
            "credential-kind": "insurance",
            "credential-body": "Renewed Mutual",
            "credential-number": "RM1",
            "credential-valid_from": "2026-01-01",
            "credential-valid_until": "2027-12-31",
        },
        wrote=lambda w, _: Credential.objects.filter(body="Renewed Mutual").exists(),
    ),
    Route(
        "credential_remove",
        "POST",
        ADMIN_ONLY,
        {302},
        kwargs=lambda w: {
            "pk": w.appointment.practitioner_id,
            "credential_pk": _insurance(w),
        },
        wrote=lambda w, _: not Credential.objects.filter(kind="insurance").exists(),
    ),
    Route("booking_rules", "GET", ADMIN_ONLY, {200}),
    Route(
        "booking_rules",
        "POST",
        ADMIN_ONLY,
        {302},
        data=lambda w: {
            "cancellation_notice_hours": "36",
            "min_booking_notice_hours": "12",
            "booking_horizon_days": "90",
            "arrival_window_minutes": "30",
        },
        wrote=lambda w, _: _cancellation_notice() == 36,
    ),
]


# Billing (acuclinic/billing): reception and admins take payments and raise invoices;
# a practitioner sees only their own takings; only admins credit, refund or waive.
BILLING_DESK = {**FRONT_DESK, "practitioner": DENIED}


def _billing_invoice(w: World, purpose: str = "other"):
    from acuclinic.billing import services as billing
    from acuclinic.billing.models import Invoice

    found = Invoice.objects.filter(patient=w.patient, kind="invoice", purpose=purpose).first()
    return found or billing.raise_invoice(
        patient=w.patient,
        clinic=w.appointment.room.location.clinic,
        lines=[{"description": "Report for the insurer", "amount_pence": 4000}],
        purpose=purpose,
    )


def _billing_paid(w: World):
    from acuclinic.billing import services as billing
    from acuclinic.billing.models import Payment

    invoice = _billing_invoice(w)
    return (
        Payment.objects.filter(invoice=invoice).first()
        or billing.record_payment(
            patient=w.patient, invoice=invoice, amount_pence=4000, method="card"
        )[0]
    )


def _billing_credited(w: World) -> bool:
    from acuclinic.billing.models import Invoice

    return Invoice.objects.filter(kind="credit_note").exists()


def _billing_refunded() -> bool:
    from acuclinic.billing.models import Payment

    return Payment.objects.filter(kind="refund").exists()


def _billing_paid_by(method: str) -> bool:
    from acuclinic.billing.models import Payment

    return Payment.objects.filter(method=method).exists()


def _billing_course(w: World):
    from acuclinic.billing import courses
    from acuclinic.billing import services as billing
    from acuclinic.billing.models import PrepaidCourse

    found = PrepaidCourse.objects.filter(patient=w.patient).first()
    if found is None:
        found = courses.sell(patient=w.patient, block=_billing_block(w))
        billing.record_payment(
            patient=w.patient, invoice=found.invoice, amount_pence=24000, method="card"
        )
    return found


def _billing_block(w: World):
    from acuclinic.billing.models import CourseBlock

    return CourseBlock.objects.get_or_create(
        clinic=w.appointment.room.location.clinic,
        name="Six sessions",
        defaults={"sessions": 6, "price_pence": 24000},
    )[0]


def _billing_course_closed(w: World) -> bool:
    from acuclinic.billing.models import PrepaidCourse

    return PrepaidCourse.objects.filter(closed_at__isnull=False).exists()


def _billing_insurer(w: World):
    from acuclinic.billing.models import Insurer

    return Insurer.objects.get_or_create(name="Bupa")[0]


def _billing_pay_link(w: World) -> str:
    from acuclinic.billing import online

    return online.make_link(_billing_invoice(w))


def _billing_has(model: str, **filters) -> bool:
    from acuclinic.billing import models

    return getattr(models, model).objects.filter(**filters).exists()


MATRIX += [
    Route("billing_home", "GET", BILLING_DESK, {200}),
    Route("billing_insurers", "GET", BILLING_DESK, {200}),
    # Buying a course online from the portal: without a provider, back home with a note.
    Route(
        "portal_buy_course",
        "POST",
        PATIENT_ONLY,
        {302},
        kwargs=lambda w: {"pk": _billing_block(w).pk},
    ),
    # The patient's pay link from the invoice email (no online provider in tests).
    Route("billing_pay", "GET", PUBLIC, {200}, kwargs=lambda w: {"token": _billing_pay_link(w)}),
    Route("billing_pay", "POST", PUBLIC, {200}, kwargs=lambda w: {"token": _billing_pay_link(w)}),
    # The provider's webhook: without provider settings there is none.
    Route("billing_stripe_webhook", "POST", PUBLIC, {404}),
    Route("billing_settings", "GET", ADMIN_ONLY, {200}),
    Route(
        "billing_settings",
        "POST",
        ADMIN_ONLY,
        {302},
        data=lambda w: {
            "form": "settings",
            "vat_number": "GB999",
            "invoice_when": "attended",
            "payment_terms_days": "14",
            "late_cancel_fee_pence": "0",
            "late_cancel_fee_percent": "0",
            "dna_fee_pence": "0",
            "dna_fee_percent": "0",
        },
        wrote=lambda w, _: _billing_has("BillingSettings", vat_number="GB999"),
    ),
    Route(
        "billing_insurers",
        "POST",
        ADMIN_ONLY,
        {302},
        data=lambda w: {"name": "AXA Health", "invoicing": "email"},
        wrote=lambda w, _: _billing_has("Insurer", name="AXA Health"),
    ),
    Route(
        "billing_policy_add",
        "POST",
        BILLING_DESK,
        {302},
        kwargs=_patient,
        data=lambda w: {
            "insurer": _billing_insurer(w).pk,
            "membership_number": "BU123",
            "sessions_authorised": "6",
            "valid_from": "2026-01-01",
            "valid_until": "2026-12-31",
        },
        wrote=lambda w, _: _billing_has("InsurancePolicy", membership_number="BU123"),
    ),
    Route(
        "billing_course_sell",
        "POST",
        BILLING_DESK,
        {302},
        kwargs=_patient,
        data=lambda w: {"block": _billing_block(w).pk},
        wrote=lambda w, _: Patient.objects.filter(
            pk=w.patient.pk, prepaid_courses__isnull=False
        ).exists(),
    ),
    Route(
        "billing_course_refund",
        "POST",
        ADMIN_ONLY,
        {302},
        kwargs=lambda w: {"pk": _billing_course(w).pk},
        data=lambda w: {"reason": "moving away"},
        wrote=lambda w, _: _billing_course_closed(w),
    ),
    Route("billing_takings", "GET", FRONT_DESK, {200}),
    Route("billing_reports", "GET", ADMIN_ONLY, {200}),
    Route("billing_export", "GET", ADMIN_ONLY, {200}),
    Route("billing_patient", "GET", BILLING_DESK, {200}, kwargs=_patient),
    Route(
        "billing_payment_add",
        "POST",
        BILLING_DESK,
        {302},
        kwargs=_patient,
        data=lambda w: {"method": "cash", "amount": "12.50", "key": "matrix-1"},
        wrote=lambda w, _: _billing_paid_by("cash"),
    ),
    Route(
        "billing_invoice_add",
        "POST",
        BILLING_DESK,
        {302},
        kwargs=_patient,
        data=lambda w: {"description": "Letter to the GP", "amount": "15"},
        wrote=lambda w, _: (
            Patient.objects.filter(invoices__lines__description="Letter to the GP")
            .filter(pk=w.patient.pk)
            .exists()
        ),
    ),
    Route(
        "billing_invoice",
        "GET",
        BILLING_DESK,
        {200},
        kwargs=lambda w: {"pk": _billing_invoice(w).pk},
    ),
    Route(
        "billing_invoice_pdf",
        "GET",
        BILLING_DESK,
        {200},
        kwargs=lambda w: {"pk": _billing_invoice(w).pk},
    ),
    Route(
        "billing_invoice_email",
        "POST",
        BILLING_DESK,
        {302},
        kwargs=lambda w: {"pk": _billing_invoice(w).pk},
        wrote=lambda w, _: Message.objects.filter(kind="billing_document").exists(),
    ),
    Route(
        "billing_invoice_credit",
        "POST",
        ADMIN_ONLY,
        {302},
        kwargs=lambda w: {"pk": _billing_invoice(w).pk},
        data=lambda w: {"reason": "wrong price"},
        wrote=lambda w, _: _billing_credited(w),
    ),
    Route(
        "billing_fee_waive",
        "POST",
        ADMIN_ONLY,
        {302},
        kwargs=lambda w: {"pk": _billing_invoice(w, "dna_fee").pk},
        data=lambda w: {"reason": "in hospital"},
        wrote=lambda w, _: _billing_credited(w),
    ),
    Route(
        "billing_refund",
        "POST",
        ADMIN_ONLY,
        {302},
        kwargs=lambda w: {"pk": _billing_paid(w).pk},
        data=lambda w: {"reason": "goodwill", "amount": "5"},
        wrote=lambda w, _: _billing_refunded(),
    ),
]


# Subject access requests (acuclinic/interop): the record and its audit trail leave the
# clinic, so only the clinic admin records and produces them.
def _sar(w: World) -> dict:
    from acuclinic.interop.models import SubjectAccessRequest

    made = SubjectAccessRequest.objects.create(
        patient=w.patient,
        received_on=w.slot_day.replace(day=1),
        due_on=w.slot_day.replace(day=1),
        recorded_by=w.users["admin"],
    )
    return {"pk": made.pk}


def _sar_produced(w: World, _) -> bool:
    from acuclinic.interop.models import SubjectAccessRequest

    return SubjectAccessRequest.objects.filter(produced_at__isnull=False).exists()


def _sar_recorded(w: World, _) -> bool:
    from acuclinic.interop.models import SubjectAccessRequest

    return SubjectAccessRequest.objects.filter(patient=w.patient).exists()


MATRIX += [
    Route("sar_list", "GET", ADMIN_ONLY, {200}),
    Route(
        "sar_new",
        "POST",
        ADMIN_ONLY,
        {302},
        data=lambda w: {"patient": w.patient.pk, "received_on": "2026-01-05"},
        wrote=_sar_recorded,
    ),
    Route("sar_download", "POST", ADMIN_ONLY, {200}, kwargs=_sar, wrote=_sar_produced),
]


# Moving in (acuclinic/interop): uploading a file from another system and importing it.
def _import_job(w: World) -> dict:
    from acuclinic.interop.models import ImportJob

    job = ImportJob.objects.create(
        id=f"job{w.patient.pk}",
        system="cliniko",
        file_name="export.csv",
        uploaded_by=w.users["admin"],
        status=ImportJob.Status.CHECKED,
        creates=1,
    )
    return {"pk": job.pk}


def _import_queued(w: World, _) -> bool:
    from acuclinic.interop.models import ImportJob

    return ImportJob.objects.filter(status=ImportJob.Status.QUEUED).exists()


def _csv_upload(w: World) -> dict:
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = b"First Name,Last Name,Date of Birth\nAda,Byron,10/12/1985\n"
    return {"system": "cliniko", "file": SimpleUploadedFile("export.csv", data, "text/csv")}


MATRIX += [
    Route("import_page", "GET", ADMIN_ONLY, {200}),
    Route("import_upload", "POST", ADMIN_ONLY, {302}, data=_csv_upload, wrote=_import_queued),
    Route("import_job", "GET", ADMIN_ONLY, {200}, kwargs=_import_job),
    Route("import_commit", "POST", ADMIN_ONLY, {302}, kwargs=_import_job, wrote=_import_queued),
]


# Retention (acuclinic/interop): the report, the periods, anonymising and erasure requests.
def _anonymised(w: World, _) -> bool:
    return Patient.objects.get(pk=w.patient.pk).given_name == "Anonymised"


def _past_retention(w: World, **extra) -> dict:
    """Make the world's patient one registered in 2010 and never seen since (its one visit
    is still to come): past retention."""
    from datetime import UTC, date, datetime

    Patient.objects.filter(pk=w.patient.pk).update(
        created_at=datetime(2010, 1, 4, tzinfo=UTC), date_of_birth=date(1960, 5, 6)
    )
    return {"patient": w.patient.pk, **extra}


def _retention_years(w: World, _) -> bool:
    from acuclinic.interop.models import RetentionPolicy

    return RetentionPolicy.objects.filter(adult_years=9).exists()


MATRIX += [
    Route("retention_report", "GET", ADMIN_ONLY, {200}),
    Route(
        "retention_policy",
        "POST",
        ADMIN_ONLY,
        {302},
        data=lambda w: {"adult_years": 9, "child_until_age": 25, "child_until_age_if_17": 26},
        wrote=_retention_years,
    ),
    Route(
        "retention_anonymise",
        "POST",
        ADMIN_ONLY,
        {302},
        data=lambda w: _past_retention(w, confirm="yes"),
        wrote=_anonymised,
    ),
    Route(
        "erasure_request",
        "POST",
        ADMIN_ONLY,
        {302},
        data=lambda w: _past_retention(w, confirm="yes"),
        wrote=_anonymised,
    ),
]


def html_route_names(patterns=None) -> set[str]:
    def walk(patterns, prefix=""):
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if route.startswith(NOT_IN_THIS_MATRIX):
                continue
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, route)
            else:
                assert pattern.name, f"the route {route!r} has no name"
                yield pattern.name

    return set(walk(patterns if patterns is not None else get_resolver().url_patterns))


def test_every_html_route_has_a_row_in_the_matrix():
    assert html_route_names() == {route.name for route in MATRIX}


def test_every_route_in_the_matrix_says_what_each_role_gets():
    for route in MATRIX:
        assert set(route.access) == set(ROLES), route.ids


def _build_world() -> dict:
    """The world's rows, as primary keys: one small clinic, one user per role, a patient
    with a clinical summary and one booked visit."""
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
    visit = factories.appointment(
        patient=patient, practitioner=practitioner, start=factories.next_weekday_at(10)
    )
    return {
        "users": {role: user.pk for role, user in users.items()},
        "patient": patient.pk,
        "appointment": visit.pk,
    }


# Built once for the module (nearly 1,600 tests); each test reads it afresh inside its
# own savepoint, so what one test writes is gone before the next.
_world_rows = module_rows(_build_world)


@pytest.fixture
def world(db, _world_rows):
    return World(
        users={role: User.objects.get(pk=pk) for role, pk in _world_rows["users"].items()},
        patient=Patient.objects.get(pk=_world_rows["patient"]),
        appointment=Appointment.objects.get(pk=_world_rows["appointment"]),
    )


def _request(client, route: Route, world: World):
    url = route.url(world)
    if route.method == "POST":
        return url, client.post(url, route.data(world))
    return url, client.get(url)


CASES = [(route, role) for route in MATRIX for role in ROLES]


@pytest.mark.parametrize(("route", "role"), CASES, ids=[f"{r.ids} as {role}" for r, role in CASES])
def test_role_matrix(client, world, route, role):
    user = world.users.get(role)
    if user is not None:
        client.force_login(user)
    if role == "patient":
        portal_testing.sign_in(client, world.patient)
    url, response = _request(client, route, world)
    expected = route.access[role]
    location = response.get("Location", "")
    asks_to_sign_in = response.status_code == 302 and location.startswith(reverse("login") + "?")

    if expected == PORTAL_SIGN_IN:
        assert response.status_code == 302, response.status_code
        assert location == reverse("portal_sign_in"), location
    elif expected == LOGIN:
        assert asks_to_sign_in, (response.status_code, location)
        assert url.split("?")[0] in location.replace("%2F", "/")
    elif expected == DENIED:
        assert response.status_code == 403
        assert b"You cannot open this page" in response.content
        assert AuditEntry.objects.filter(
            action="denied", actor=user, detail=url.split("?")[0]
        ).exists()
    else:
        assert response.status_code in route.ok, (response.status_code, location)
        assert not asks_to_sign_in

    if route.wrote is not None:
        assert route.wrote(world, user) is (expected == ALLOWED)


def test_a_route_missing_from_the_matrix_is_noticed():
    from acuclinic.core import views

    extended = [*get_resolver().url_patterns, path("reports/", views.home, name="reports")]
    assert html_route_names(extended) - {route.name for route in MATRIX} == {"reports"}


# Reception runs the diary and contact details but never receives clinical content.

RECEPTION_PAGES = [
    route
    for route in MATRIX
    if route.method == "GET"
    and route.access["reception"] == ALLOWED
    and route.ok == {200}
    # A PDF is not a page to search for text (its content is the invoice page's).
    and not route.name.endswith("_pdf")
]


@pytest.mark.parametrize("route", RECEPTION_PAGES, ids=[r.ids for r in RECEPTION_PAGES])
def test_reception_never_receives_the_clinical_summary(client, world, route):
    client.force_login(world.users["reception"])
    response = client.get(route.url(world))
    assert response.status_code == 200
    page = response.content.decode()
    assert CLINICAL_HISTORY not in page
    assert ConditionChoice.LOW_BACK_PAIN.label not in page
    assert "Clinical summary" not in page


def test_reception_search_results_loaded_by_htmx_carry_no_clinical_content(client, world):
    client.force_login(world.users["reception"])
    response = client.get(
        reverse("patient_list"), {"q": world.patient.family_name}, headers={"HX-Request": "true"}
    )
    assert world.patient.family_name.upper() in response.content.decode()
    assert CLINICAL_HISTORY not in response.content.decode()


def test_the_diary_shows_reception_the_visit_but_not_the_clinical_summary(client, world):
    client.force_login(world.users["reception"])
    response = client.get(reverse("diary"), {"date": world.slot_day.isoformat()})
    page = response.content.decode()
    assert f"appt-{world.appointment.pk}" in page
    assert CLINICAL_HISTORY not in page


@pytest.mark.parametrize("role", ["admin", "practitioner"])
def test_clinicians_see_the_clinical_summary_on_the_patient_record(client, world, role):
    # The other side of the reception tests: the text is there for those allowed it.
    client.force_login(world.users[role])
    response = client.get(reverse("patient_detail", args=[world.patient.pk]))
    assert CLINICAL_HISTORY in response.content.decode()


def test_a_refusal_is_audited_with_who_tried_and_from_where(client, world):
    client.force_login(world.users["reception"])
    url = reverse("clinical_summary_edit", args=[world.patient.pk])
    client.get(url, REMOTE_ADDR="198.51.100.7")
    entry = AuditEntry.objects.get(action="denied")
    assert entry.actor_username == "reception"
    assert entry.actor_role == "Reception"
    assert entry.detail == url
    assert entry.client_address == "198.51.100.7"
    assert entry.via == "web"


def test_a_refused_write_leaves_the_record_unchanged_and_writes_no_change_entry(client, world):
    client.force_login(world.users["reception"])
    client.post(
        reverse("clinical_summary_edit", args=[world.patient.pk]),
        {"presenting_condition": ConditionChoice.WHIPLASH, "history": "Overwritten"},
    )
    summary = ClinicalSummary.objects.get(patient=world.patient)
    assert summary.history == CLINICAL_HISTORY
    assert not AuditEntry.objects.filter(action__in=["create", "change"]).exists()
