"""Staff roles as Django groups, and the permissions each holds.

Reception runs the diary and contact details; clinical content needs
``people.view_clinical``, which only practitioners and clinic admins hold.
"""

ADMIN = "Clinic admin"
PRACTITIONER = "Practitioner"
RECEPTION = "Reception"
ROLES = (ADMIN, PRACTITIONER, RECEPTION)

_FRONT_DESK = [
    "people.view_patient",
    "people.add_patient",
    "people.change_patient",
    "people.view_practitioner",
    "clinic.view_service",
    "clinic.view_location",
    "clinic.view_room",
    "scheduling.view_appointment",
    "scheduling.add_appointment",
    "scheduling.change_appointment",
]
_CLINICAL = [
    "people.view_clinical",
    "people.view_clinicalsummary",
    "people.add_clinicalsummary",
    "people.change_clinicalsummary",
]

ROLE_PERMISSIONS = {
    RECEPTION: _FRONT_DESK,
    PRACTITIONER: _FRONT_DESK + _CLINICAL,
    ADMIN: _FRONT_DESK
    + _CLINICAL
    + [
        "people.delete_patient",
        "audit.view_auditentry",
        "people.add_practitioner",
        "people.change_practitioner",
        "people.view_credential",
        "clinic.change_clinic",
        "clinic.change_service",
    ],
}


def role_of(user) -> str:
    """The most senior role the user holds, as a label for the audit trail and UI."""
    if user is None or not getattr(user, "is_authenticated", False):
        return "anonymous"
    if user.is_superuser:
        return ADMIN
    names = {g.name for g in user.groups.all()}
    for role in ROLES:
        if role in names:
            return role
    return "none"
