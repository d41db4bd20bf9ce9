"""Who may open which safety page: every safety route × every role.

Like tests/test_role_matrix_html.py, the table is checked against the URL resolver, so a
new safety page without a row fails. For writes, "allowed" means the record was written
and "refused" means it was not.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from django.urls import URLResolver, get_resolver, reverse
from django.utils import timezone

from acuclinic.audit.models import AuditEntry
from acuclinic.people.models import Patient, Practitioner, User
from acuclinic.safety.choices import Risk
from acuclinic.safety.models import (
    ChangeCheck,
    Consent,
    PrecautionAcknowledgement,
    Questionnaire,
    QuestionnaireLink,
    Referral,
    SafetyPolicy,
    SpecialistAgreement,
)
from acuclinic.safety.services import questionnaire_link_create, referral_issue
from acuclinic.scheduling.models import Appointment
from acuclinic.testing import factories
from acuclinic.testing.module_db import module_rows

ALLOWED, DENIED, LOGIN = "allowed", "denied", "sign in first"
ROLES = ("admin", "practitioner", "reception", "outsider", "anonymous")
PUBLIC = dict.fromkeys(ROLES, ALLOWED)
FRONT_DESK = {**PUBLIC, "anonymous": LOGIN, "outsider": DENIED}
CLINICAL = {**FRONT_DESK, "reception": DENIED}
ADMIN_ONLY = {**CLINICAL, "practitioner": DENIED}


@dataclass
class World:
    users: dict
    patient: object
    appointment: Appointment
    token: str
    referral: Referral


@dataclass
class Route:
    name: str
    method: str
    access: dict[str, str]
    ok: set[int]
    kwargs: Callable[[World], dict] = lambda w: {"pk": w.patient.pk}
    data: Callable[[World], dict] = lambda w: {}
    wrote: Callable[[World], bool] | None = None
    ids: str = field(init=False)

    def __post_init__(self):
        self.ids = f"{self.method} {self.name}"


def _visit(w: World) -> dict:
    return {"pk": w.appointment.pk}


def _letter(w: World) -> dict:
    return {"pk": w.patient.pk, "referral": w.referral.pk}


def _consent_data(w: World) -> dict:
    yesterday = timezone.localdate() - timedelta(days=1)
    return {
        "modality": "medical",
        "risks_explained": Risk.values,
        "method": "verbal",
        "given_on": yesterday.isoformat(),
        "given_time": "10:00",
        "taken_by": w.appointment.practitioner_id,
    }


MATRIX = [
    Route("safety_patient", "GET", CLINICAL, {200}),
    Route("safety_questionnaire_new", "GET", CLINICAL, {200}),
    Route(
        "safety_questionnaire_new",
        "POST",
        CLINICAL,
        {302},
        data=lambda w: factories.safety_form_data(),
        wrote=lambda w: Questionnaire.objects.filter(patient=w.patient).count() == 2,
    ),
    Route(
        "safety_questionnaire_detail",
        "GET",
        CLINICAL,
        {200},
        kwargs=lambda w: {"pk": w.patient.pk, "version": 1},
    ),
    # Sending the link is a POST; reception sends it as part of booking.
    Route("safety_send_link", "GET", FRONT_DESK, {302}),
    Route(
        "safety_send_link",
        "POST",
        FRONT_DESK,
        {302},
        wrote=lambda w: QuestionnaireLink.objects.filter(patient=w.patient).count() == 2,
    ),
    Route("safety_consent_new", "GET", CLINICAL, {200}),
    Route(
        "safety_consent_new",
        "POST",
        CLINICAL,
        {302},
        data=_consent_data,
        wrote=lambda w: Consent.objects.filter(patient=w.patient).exists(),
    ),
    Route(
        "safety_acknowledge",
        "GET",
        CLINICAL,
        {200},
        kwargs=lambda w: {"pk": w.patient.pk, "rule_id": "pregnant"},
    ),
    Route(
        "safety_acknowledge",
        "POST",
        CLINICAL,
        {302},
        kwargs=lambda w: {"pk": w.patient.pk, "rule_id": "pregnant"},
        data=lambda w: {"discussion": "Discussed points to avoid; no electro."},
        wrote=lambda w: PrecautionAcknowledgement.objects.exists(),
    ),
    Route(
        "safety_agreement_new",
        "GET",
        CLINICAL,
        {200},
        kwargs=lambda w: {"pk": w.patient.pk, "rule_id": "bleeding-disorder"},
    ),
    Route(
        "safety_agreement_new",
        "POST",
        CLINICAL,
        {302},
        kwargs=lambda w: {"pk": w.patient.pk, "rule_id": "bleeding-disorder"},
        data=lambda w: {
            "agreed_by": "Dr R. Okafor, haematologist",
            "agreed_on": timezone.localdate().isoformat(),
            "reason": "Mild disease; superficial needling agreed.",
        },
        wrote=lambda w: SpecialistAgreement.objects.exists(),
    ),
    Route("safety_referral_new", "GET", CLINICAL, {200}),
    Route(
        "safety_referral_new",
        "POST",
        CLINICAL,
        {302},
        data=lambda w: {"destination": "gp"},
        wrote=lambda w: Referral.objects.filter(patient=w.patient).count() == 2,
    ),
    Route("safety_referral", "GET", CLINICAL, {200}, kwargs=_letter),
    Route("safety_referral_pdf", "GET", CLINICAL, {200}, kwargs=_letter),
    Route("safety_gate", "GET", CLINICAL, {200}, kwargs=_visit),
    Route("safety_no_changes", "GET", CLINICAL, {302}, kwargs=_visit),
    Route(
        "safety_no_changes",
        "POST",
        CLINICAL,
        {302},
        kwargs=_visit,
        wrote=lambda w: ChangeCheck.objects.filter(appointment=w.appointment).exists(),
    ),
    Route("safety_policy", "GET", ADMIN_ONLY, {200}, kwargs=lambda w: {}),
    Route(
        "safety_policy",
        "POST",
        ADMIN_ONLY,
        {302},
        kwargs=lambda w: {},
        data=lambda w: {
            "questionnaire_valid_months": 9,
            "pregnancy_point_list": "pregnancy-aacp-2012",
            "link_valid_days": 7,
        },
        wrote=lambda w: SafetyPolicy.objects.filter(questionnaire_valid_months=9).exists(),
    ),
    Route("safety_expiring_credentials", "GET", CLINICAL, {200}, kwargs=lambda w: {}),
    # The patient's own questionnaire needs no account: the link's token is the key.
    Route(
        "safety_public_questionnaire",
        "GET",
        PUBLIC,
        {200},
        kwargs=lambda w: {"token": w.token},
    ),
    Route(
        "safety_public_questionnaire",
        "POST",
        PUBLIC,
        {200},
        kwargs=lambda w: {"token": w.token},
        data=lambda w: factories.safety_form_data(audience="patient"),
        wrote=lambda w: Questionnaire.objects.filter(filled_by="patient").exists(),
    ),
]


def safety_route_names() -> set[str]:
    def walk(patterns, prefix=""):
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, route)
            elif route.startswith("safety/"):
                yield pattern.name

    return set(walk(get_resolver().url_patterns))


def test_every_safety_route_has_a_row_in_the_matrix():
    assert safety_route_names() == {route.name for route in MATRIX}


def _build_world() -> dict:
    """The world's rows, as primary keys (and the questionnaire link's secret): one small
    clinic, one user per role, a patient screened with red flags, a visit, a live
    questionnaire link and a referral letter."""
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
    factories.safety_questionnaire(
        patient,
        by=practitioner.user,
        pregnant="yes",
        pregnancy_weeks=14,
        bleeding_disorder=True,
        bleeding_disorder_detail="Mild von Willebrand disease",
        ces_bladder_bowel=True,
    )
    visit = factories.appointment(patient=patient, practitioner=practitioner)
    _, token = questionnaire_link_create(patient, user=practitioner.user)
    # A referral letter is signed by a practitioner: this clinic's admin is one too (an
    # admin who is not is refused by the service, test_referrals.py).
    Practitioner.objects.create(user=users["admin"], profession="doctor")
    letter = referral_issue(patient, destination="ae", user=practitioner.user)
    return {
        "users": {role: user.pk for role, user in users.items()},
        "patient": patient.pk,
        "appointment": visit.pk,
        "token": token,
        "referral": letter.pk,
    }


# Built once for the module; each test reads it afresh inside its own savepoint, so what
# one test writes is gone before the next.
_world_rows = module_rows(_build_world)


@pytest.fixture
def world(db, _world_rows):
    return World(
        users={role: User.objects.get(pk=pk) for role, pk in _world_rows["users"].items()},
        patient=Patient.objects.get(pk=_world_rows["patient"]),
        appointment=Appointment.objects.get(pk=_world_rows["appointment"]),
        token=_world_rows["token"],
        referral=Referral.objects.get(pk=_world_rows["referral"]),
    )


CASES = [(route, role) for route in MATRIX for role in ROLES]


@pytest.mark.parametrize(("route", "role"), CASES, ids=[f"{r.ids} as {role}" for r, role in CASES])
def test_role_matrix(client, world, route, role):
    user = world.users.get(role)
    if user is not None:
        client.force_login(user)
    url = reverse(route.name, kwargs=route.kwargs(world))
    response = client.post(url, route.data(world)) if route.method == "POST" else client.get(url)
    expected = route.access[role]
    location = response.get("Location", "")
    asks_to_sign_in = response.status_code == 302 and location.startswith(reverse("login") + "?")

    if expected == LOGIN:
        assert asks_to_sign_in, (response.status_code, location)
    elif expected == DENIED:
        assert response.status_code == 403
        assert b"You cannot open this page" in response.content
        assert AuditEntry.objects.filter(action="denied", actor=user, detail=url).exists()
    else:
        assert response.status_code in route.ok, (response.status_code, location)
        assert not asks_to_sign_in
    if route.wrote is not None:
        assert route.wrote(world) is (expected == ALLOWED)
