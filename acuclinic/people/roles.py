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
    # The booking rules (late cancellation, online notice): what to tell patients.
    "clinic.view_clinic",
    "scheduling.view_appointment",
    "scheduling.add_appointment",
    "scheduling.change_appointment",
    "safety.add_questionnairelink",
    # Which rooms are out of use: reception books around them.
    "scheduling.view_roomclosure",
    # The enquiry inbox, the waitlist, and the records online bookings made.
    "enquiries.view_enquiry",
    "enquiries.add_enquiry",
    "enquiries.change_enquiry",
    "waitlist.view_waitlistentry",
    "waitlist.add_waitlistentry",
    "waitlist.change_waitlistentry",
    "online_booking.view_onlinebooking",
    "online_booking.change_onlinebooking",
]
_CLINICAL = [
    "people.view_clinical",
    "people.view_clinicalsummary",
    "people.add_clinicalsummary",
    "people.change_clinicalsummary",
    "safety.view_questionnaire",
    "safety.add_questionnaire",
    "safety.add_changecheck",
    "safety.view_consent",
    "safety.add_consent",
    "safety.add_precautionacknowledgement",
    "safety.add_specialistagreement",
    # Referral letters when a refer flag stands (issuing also needs a practitioner record).
    "safety.view_referral",
    "safety.add_referral",
    # Their own working time (scheduling.working_time narrows it to their own).
    "scheduling.view_workingpattern",
    "scheduling.view_workingexception",
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
        # Recording credentials, the council licensing of each location and the
        # premises' registrations (people.services, clinic.services).
        "people.add_credential",
        "people.delete_credential",
        "clinic.change_location",
        # Setting up sites and their rooms (clinic.locations); a room is deleted only
        # when added by mistake, never once visits were booked in it.
        "clinic.add_location",
        "clinic.add_room",
        "clinic.change_room",
        "clinic.delete_room",
        "clinic.view_premisesregistration",
        "clinic.add_premisesregistration",
        "clinic.delete_premisesregistration",
        "clinic.change_clinic",
        "clinic.change_service",
        "safety.view_safetypolicy",
        "safety.change_safetypolicy",
        # The outbox of every message, sending a failed one again, reminder settings.
        "notifications.view_message",
        "notifications.change_message",
        "notifications.change_messagingpolicy",
        # Everyone's working time, time off and extra sessions, and room closures.
        "scheduling.add_workingpattern",
        "scheduling.change_workingpattern",
        "scheduling.delete_workingpattern",
        "scheduling.add_workingexception",
        "scheduling.delete_workingexception",
        "scheduling.add_roomclosure",
        "scheduling.delete_roomclosure",
    ],
}

# The treatment record (acuclinic/treatment). Reception sees needle stock, as it orders
# supplies, but never a session note, an adverse event or a recall's list of patients.
# Practitioners chart their own sessions; clinic admins read every note and the adverse
# event report, manage stock and recalls, close follow-ups and set the charting limits.
_TREATMENT = {
    RECEPTION: ["treatment.view_needlelot"],
    PRACTITIONER: [
        "treatment.view_needlelot",
        "treatment.view_sessionnote",
        "treatment.add_sessionnote",
        "treatment.add_noteaddendum",
        "treatment.view_adverseevent",
        "treatment.add_adverseevent",
        "treatment.view_pointprescription",
        "treatment.add_pointprescription",
        "treatment.delete_pointprescription",
    ],
    ADMIN: [
        "treatment.view_needlelot",
        "treatment.add_needlelot",
        "treatment.change_needlelot",
        "treatment.view_lot_recall",
        "treatment.view_sessionnote",
        "treatment.view_adverseevent",
        "treatment.change_followup",
        "treatment.view_treatmentpolicy",
        "treatment.change_treatmentpolicy",
    ],
}
for _role, _perms in _TREATMENT.items():
    ROLE_PERMISSIONS[_role] = ROLE_PERMISSIONS[_role] + _perms

# Outcomes (acuclinic/outcomes): courses, measures, the planner and the clinic report.
# Reception sees no clinical outcome (the API tells it only whether measures are due).
# Practitioners record questionnaires and review or close courses; clinic admins read
# every course and the report, and set the planner's thresholds.
_OUTCOMES = {
    PRACTITIONER: [
        "outcomes.view_course",
        "outcomes.add_measurement",
        "outcomes.change_course",
    ],
    ADMIN: [
        "outcomes.view_course",
        "outcomes.view_outcomespolicy",
        "outcomes.change_outcomespolicy",
    ],
}
for _role, _perms in _OUTCOMES.items():
    ROLE_PERMISSIONS[_role] = ROLE_PERMISSIONS[_role] + _perms

# Billing (acuclinic/billing): reception raises invoices and takes payments;
# practitioners see their own takings; clinic admins see everything and alone refund,
# credit or waive a fee, and set prices and the billing settings.
_BILLING_DESK = [
    "billing.view_insurer",
    "billing.add_insurancepolicy",
    "billing.view_invoice",
    "billing.add_invoice",
    "billing.view_payment",
    "billing.add_payment",
]
_BILLING = {
    RECEPTION: _BILLING_DESK,
    PRACTITIONER: ["billing.view_own_takings"],
    ADMIN: [
        *_BILLING_DESK,
        "billing.view_own_takings",
        "billing.credit_invoice",
        "billing.refund_payment",
        "billing.waive_fee",
        "billing.view_reports",
        "billing.change_billingsettings",
        "billing.add_price",
        "billing.view_price",
        "billing.add_insurer",
    ],
}
for _role, _perms in _BILLING.items():
    ROLE_PERMISSIONS[_role] = ROLE_PERMISSIONS[_role] + _perms


# Staff accounts (issue 17): clinic admins see who is locked out of signing in, and
# unlock them.
ROLE_PERMISSIONS[ADMIN] = ROLE_PERMISSIONS[ADMIN] + [
    "core.view_signinthrottle",
    "core.delete_signinthrottle",
    # The staff accounts page: the access review, invitations, roles, leavers.
    "people.view_user",
    "people.add_user",
    "people.change_user",
]


# What an API token without clinical access leaves out of its user's permissions: the
# clinical record in every app (the needle stock is not clinical: reception orders it).
CLINICAL_PERMISSIONS = frozenset(
    _CLINICAL
    + [perm for perms in _TREATMENT.values() for perm in perms if "needlelot" not in perm]
    + [perm for perms in _OUTCOMES.values() for perm in perms]
)


def role_of(user) -> str:
    """The most senior role the user holds, as a label for the audit trail and UI."""
    if user is None or not getattr(user, "is_authenticated", False):
        return "anonymous"
    if user.is_superuser:
        return ADMIN
    # Read with the permissions, when they have been (people.auth_backend), so the audit
    # entry of a request does not read the groups a second time.
    names = getattr(user, "_group_names", None)
    if names is None:
        names = {g.name for g in user.groups.all()}
    for role in ROLES:
        if role in names:
            return role
    return "none"
