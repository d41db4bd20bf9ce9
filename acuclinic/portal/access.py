"""The patient's session, and the gate every portal page goes through.

A patient has no account and no password: after signing in with an emailed link, the
patient's id is kept in the Django session under this module's keys. That is all a
patient session is, and it is deliberately apart from the staff login:

- it sets no ``request.user``, so a patient never passes ``core.access.staff_view``;
- a staff login in the same browser ends it (``session_patient`` refuses to answer while
  a staff user is signed in), so a staff member never acts as a patient;
- it ends after ``IDLE`` without a request, on its own clock, whatever the staff
  session settings are.

Portal views are wrapped in ``patient_view``, which sets ``request.patient`` and makes
the audit trail record what happens as done through the portal (``via="portal"``, with
the patient's id on every entry about their records).
"""

from datetime import timedelta
from functools import wraps

from django.contrib import messages
from django.middleware.csrf import rotate_token
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.cache import add_never_cache_headers

from acuclinic.audit.context import Actor, acting_as
from acuclinic.audit.middleware import client_address
from acuclinic.people.models import Patient

PATIENT_KEY = "portal_patient_id"
LAST_SEEN_KEY = "portal_last_seen"
# A phone left on a café table should not stay signed in to someone's health record.
IDLE = timedelta(minutes=30)
SIGN_IN_URL_NAME = "portal_sign_in"
TIMED_OUT = (
    "You were signed out after 30 minutes without activity. Ask for a new link to sign in again."
)


def start_patient_session(request, patient: Patient) -> None:
    """Sign ``patient`` in. The caller has checked that no staff user is signed in.

    The session starts afresh under a new key (nothing from before carries over, and a
    session id planted before sign-in is useless after it), with a new CSRF token.
    """
    request.session.flush()
    request.session[PATIENT_KEY] = patient.pk
    request.session[LAST_SEEN_KEY] = int(timezone.now().timestamp())
    rotate_token(request)


def end_patient_session(request) -> None:
    """Sign the patient out. A staff login sharing the session is left alone."""
    if request.user.is_authenticated:
        request.session.pop(PATIENT_KEY, None)
        request.session.pop(LAST_SEEN_KEY, None)
    else:
        request.session.flush()


def session_patient(request, *, touch: bool = True) -> Patient | None:
    """The patient signed in to the portal in this browser, or None.

    An idle session ends here (with a message for the sign-in page). ``touch=False``
    looks without counting as activity, for pages anyone may open.
    """
    patient_id = request.session.get(PATIENT_KEY)
    if patient_id is None:
        return None
    if request.user.is_authenticated:
        # Someone signed in to the staff pages after the patient: the staff login wins.
        end_patient_session(request)
        return None
    now = int(timezone.now().timestamp())
    if now - request.session.get(LAST_SEEN_KEY, 0) > IDLE.total_seconds():
        end_patient_session(request)
        messages.info(request, TIMED_OUT)
        return None
    patient = Patient.objects.filter(pk=patient_id).first()
    if patient is None:
        end_patient_session(request)
        return None
    if touch:
        request.session[LAST_SEEN_KEY] = now
    return patient


def portal_actor(request) -> Actor:
    """Who the audit trail says acted: nobody on the staff, through the portal."""
    return Actor(user=None, client_address=client_address(request), via="portal")


def patient_view(view):
    """Require a signed-in patient: sets ``request.patient``, or sends the browser to
    the portal's sign-in page. Every query in the view must be scoped to
    ``request.patient``: this gate says who is asking, not what they may see."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        patient = session_patient(request)
        if patient is None:
            return redirect(SIGN_IN_URL_NAME)
        request.patient = patient
        with acting_as(portal_actor(request)):
            response = view(request, *args, **kwargs)
        # Someone's appointments must not be kept by a shared browser or a proxy.
        add_never_cache_headers(response)
        return response

    return wrapper
